"""Swedish help pages through Typer's public hooks: command classes passed as `cls=`.

`Group` and `Command` are given to `typer.Typer(cls=...)` and `@app.command(cls=...)`. They set
the Swedish metavars of the usage line and the text of `--help`, and draw the help page with
`kronobarn_cli.help_page` (imported only when a help page is shown, so start-up pays nothing).
Nothing here touches Typer's or Click's internals, so Typer can be upgraded without a pin.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup

USAGE = "Användning: "
OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."
HELP_OPTION = "Visa den här hjälpen och avsluta."


def _format_usage(command: TyperCommand | TyperGroup, ctx: Any, formatter: Any) -> None:
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = HELP_OPTION
    return option


class Command(TyperCommand):
    """A command whose usage line, `--help` and help page are Swedish."""

    def __init__(self, name: str | None, **attrs: Any) -> None:
        super().__init__(name, **attrs)
        self.options_metavar = OPTIONS_METAVAR

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _format_usage(self, ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from kronobarn_cli import help_page  # noqa: PLC0415 - only a help page needs it

        help_page.show(self, ctx)


class Group(TyperGroup):
    """A group of commands whose usage line, `--help` and help page are Swedish."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = SUBCOMMAND_METAVAR

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _format_usage(self, ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from kronobarn_cli import help_page  # noqa: PLC0415 - only a help page needs it

        help_page.show(self, ctx)
