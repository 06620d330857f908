"""Swedish for the few words Typer prints itself in help pages (usage, panel titles, --help)."""

from __future__ import annotations

from typing import Any

from typer import core as typer_core
from typer import rich_utils
from typer._click import core as click_core
from typer._click import formatting

_RICH_CONSTANTS = {
    "DEPRECATED_STRING": "(utfasad) ",
    "DEFAULT_STRING": "[standard: {}]",
    "ENVVAR_STRING": "[miljövariabel: {}]",
    "REQUIRED_LONG_STRING": "[krävs]",
    "ARGUMENTS_PANEL_TITLE": "Argument",
    "OPTIONS_PANEL_TITLE": "Flaggor",
    "COMMANDS_PANEL_TITLE": "Kommandon",
    "ERRORS_PANEL_TITLE": "Fel",
    "ABORTED_TEXT": "Avbrutet.",
    "RICH_HELP": "Se [blue]'{command_path} {help_option}'[/] för hjälp.",
}
USAGE = "Användning: "
OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."
# Typer shows each parameter's type; flags need none, the rest get Swedish words.
_TYPES = {"<bool>": None, "<str>": "<text>", "<path>": "<sökväg>", "<int>": "<heltal>"}
HELP_OPTION = "Visa den här hjälpen och avsluta."

_installed = False


def install() -> None:
    """Patch Typer's English help strings once. Tested by the help-page tests."""
    global _installed  # noqa: PLW0603 - idempotent one-time patch of a third-party module
    if _installed:
        return
    _installed = True
    for name, value in _RICH_CONSTANTS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, value)

    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        original_usage(self, prog, args, USAGE if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    original_help_option = click_core.Command.get_help_option

    def get_help_option(self: click_core.Command, ctx: click_core.Context) -> Any:
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option

    click_core.Command.get_help_option = get_help_option  # type: ignore[method-assign]

    original_display_type = typer_core._TyperParameter.display_type

    def display_type(self: typer_core._TyperParameter, ctx: click_core.Context) -> Any:
        shown = original_display_type(self, ctx)
        return _TYPES.get(shown, shown) if isinstance(shown, str) else shown

    typer_core._TyperParameter.display_type = display_type  # type: ignore[method-assign]
