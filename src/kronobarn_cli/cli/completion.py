"""Shell completion for bash, zsh and fish: Typer's own scripts, Swedish words around them, and
case ids for the commands that take one (the file names of the store, never a child's name).

Typer's completion classes are registered only when the shell asks for completions
(`_KRONOBARN_COMPLETE` is set), so `--help` and `list` pay nothing for them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import typer

from kronobarn_cli.support.ids import ID_PATTERN

PROG_NAME = "kronobarn"
COMPLETE_VAR = "_KRONOBARN_COMPLETE"
SHELLS = ("bash", "zsh", "fish")
_ID = re.compile(ID_PATTERN)


def requested() -> bool:
    """Whether the shell runs the program to ask for completions."""
    return bool(os.environ.get(COMPLETE_VAR))


def prepare() -> None:
    """Register Typer's completion classes, as Typer's own `--install-completion` does."""
    import typer.completion  # noqa: PLC0415 - only when the shell asks

    typer.completion.get_completion_inspect_parameters()  # registers them, as Typer does


def _shell(value: str) -> str:
    shell = value.strip().casefold()
    if shell not in SHELLS:
        raise typer.BadParameter(f"välj {', '.join(SHELLS[:-1])} eller {SHELLS[-1]}")
    return shell


def show_script(value: str | None) -> None:
    """`--show-completion SKAL`: print the script for the shell's configuration."""
    if value is None:
        return
    import typer.completion  # noqa: PLC0415 - only when asked

    prepare()
    # Names `typer.completion` imports for its own `--show-completion` (mypy: not re-exported).
    script = typer.completion.get_completion_script(  # type: ignore[attr-defined]
        prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=_shell(value)
    )
    typer.echo(script)
    raise typer.Exit


def install_script(value: str | None) -> None:
    """`--install-completion SKAL`: put the script where the shell reads it."""
    if value is None:
        return
    import typer.completion  # noqa: PLC0415 - only when asked

    prepare()
    shell, path = typer.completion.install(  # type: ignore[attr-defined]
        shell=_shell(value), prog_name=PROG_NAME, complete_var=COMPLETE_VAR
    )
    typer.echo(f"Kompletteringen för {shell} är installerad i {path}.")
    typer.echo("Den gäller när du har startat om terminalen.")
    raise typer.Exit


def choices(values: tuple[str, ...]) -> Callable[[str], list[str]]:
    """Completion for an option with a fixed set of values (`export --kind`)."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete)]

    return complete


def _home(ctx: typer.Context) -> Path | None:
    """The file store's folder, as `--store` or the environment names it; None for a
    database (completing there would need a connection)."""
    root = ctx.find_root()
    url = root.params.get("store") or os.environ.get("KRONOBARN_STORE") or ""
    if url.startswith("file:"):
        return Path(url.removeprefix("file:").removeprefix("//")).expanduser()
    if url:
        return None
    from kronobarn_cli.store.case_files import default_home  # noqa: PLC0415 - only when completing

    return default_home()


def case_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """The ids of the cases here that begin with what is typed: the names of the case files
    (nothing is read from them, so no child's name can appear)."""
    home = _home(ctx)
    if home is None:
        return []
    from kronobarn_cli.store.case_files import CASES_DIR  # noqa: PLC0415 - only when completing

    try:
        names = [p.name for p in (home / CASES_DIR).iterdir()]
    except OSError:
        return []
    ids = (n.removesuffix(".json") for n in names if n.endswith(".json"))
    return sorted(i for i in ids if _ID.match(i) and i.startswith(incomplete))
