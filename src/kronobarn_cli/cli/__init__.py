"""The `kronobarn` command: parses options and calls the layers below; errors become one line.

The commands live one group to a module (`walks`, `cases`, `handovers`, `records`, `plan`,
`consent`, `exports`, `scripting`, `profiles`, `db`), all on the one app of `shared`; they are
imported here in the order `--help` lists them. This module is the error edge: `main`.
"""

import importlib
import os
import sys
from typing import Any

import typer
from typer._click import exceptions as click_exceptions

from kronobarn_cli.cli import completion
from kronobarn_cli.cli.lazy_modules import pgstore, rich_text
from kronobarn_cli.cli.shared import _Interrupted, _one_line, app, err, state
from kronobarn_cli.cli.walks import _offer_profile, _saved_profile  # the first group
from kronobarn_cli.errors import EXIT_INTERRUPTED, KronobarnError, os_error_text

# The command groups register on the one app as they are imported: in the order `--help`
# lists them (an import list would be sorted).
COMMAND_MODULES = (
    "walks",
    "cases",
    "handovers",
    "records",
    "plan",
    "consent",
    "exports",
    "scripting",
    "profiles",
    "db",
)
for _module in COMMAND_MODULES:
    importlib.import_module(f"kronobarn_cli.cli.{_module}")

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "_offer_profile", "_saved_profile", "app", "main"]


EXIT_INTERNAL = 70


def _close_stores() -> None:
    """Let go of database connections (and the locks the server holds for them)."""
    while state.opened:
        close = getattr(state.opened.pop(), "close", None)
        if close is not None:
            close()


_NO_BRACES = str.maketrans("", "", "{}")


def _param_name(param: Any) -> str:
    """An option as it is typed (`--meeting`), an argument by its metavar (`NR`)."""
    options = [o for o in getattr(param, "opts", None) or () if str(o).startswith("-")]
    return " / ".join(options) if options else str(getattr(param, "metavar", None) or "")


def _usage_message(exc: click_exceptions.UsageError) -> str:
    hint = getattr(exc, "param_hint", None) or ""
    if isinstance(exc, click_exceptions.NoSuchOption):
        return f"okänd flagga {exc.option_name}"
    if isinstance(exc, click_exceptions.MissingParameter):
        param = exc.param
        name = hint or (getattr(param, "metavar", None) or "ett argument")
        return f"{name} saknas"
    if isinstance(exc, click_exceptions.BadParameter):
        name = hint or _param_name(exc.param)
        described = getattr(exc.param, "type_descriptor", None)
        if name and getattr(described, "annotation", None) is int:
            return f"{name} ska vara ett heltal"
        return f"ogiltigt värde för {name}".strip()
    if isinstance(exc, click_exceptions.BadOptionUsage):
        option = exc.option_name
        if "does not take a value" in exc.message:
            return f"{option} tar inget värde"
        if "requires an argument" in exc.message:
            return f"{option} behöver ett värde"
        return f"fel användning av {option}"
    if "No such command" in exc.message:
        return "okänt kommando"
    if "Got unexpected extra argument" in exc.message:
        return "för många argument"
    return "felaktig användning"


def _run(argv: list[str] | None) -> Any:
    if completion.requested():
        completion.prepare()
    try:
        return app(args=argv, prog_name="kronobarn", standalone_mode=False)
    finally:
        _close_stores()


def main(argv: list[str] | None = None) -> Any:
    """Run the command; every error ends as one Swedish line on stderr and an exit code."""
    try:
        code = _run(argv)
        if code == EXIT_INTERRUPTED:
            # Typer turns Ctrl-C before a command's own handling into this code, silently.
            err.print("\nAvbrutet.")
    except _Interrupted:
        sys.exit(EXIT_INTERRUPTED)
    except KronobarnError as exc:
        err.print(rich_text.Text("Fel: ") + _one_line(exc.message), soft_wrap=True)
        sys.exit(exc.exit_code)
    except click_exceptions.UsageError as exc:
        # `kronobarn plan {ID} done`: the braces of a usage line are not to be typed.
        command = (exc.ctx.command_path if exc.ctx else "kronobarn").translate(_NO_BRACES)
        err.print(f"Fel: {_usage_message(exc)}. Se '{command} --help'.", soft_wrap=True)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt, EOFError):
        err.print("Avbrutet.")
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        err.print(f"Fel: filåtkomst misslyckades: {os_error_text(exc)}{where}", soft_wrap=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("KRONOBARN_DEBUG"):
            raise
        if type(exc).__module__.startswith("psycopg."):
            # The team store turns database errors into ours; one that slipped past it still
            # gets its Swedish line.
            message = pgstore.translate(exc, url=state.store or "").message
            err.print(rich_text.Text("Fel: ") + _one_line(message), soft_wrap=True)
            sys.exit(1)
        err.print(
            f"Fel: ett oväntat fel inträffade ({exc.__class__.__name__}). Det som redan sparats "
            "är orört. Kör med KRONOBARN_DEBUG=1 för detaljer.",
            soft_wrap=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)
