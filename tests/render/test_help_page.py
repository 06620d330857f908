"""`render.help_page` against the installed Typer's own rich help page (docs/architecture.md,
"Framework internals"): for every command, the page we draw shows the same options and the same
help texts as Typer's page does, so a Typer release that gives its parameters otherwise (their
names, help, panels) fails here rather than in front of a user."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from kronobarn_cli import cli

TYPERS_OWN = (
    "import kronobarn_cli.cli.typer_support as t\n"
    "from typer.core import TyperCommand, TyperGroup\n"
    "t.Command.format_help = TyperCommand.format_help\n"
    "t.Group.format_help = TyperGroup.format_help\n"
)
RUN = "from kronobarn_cli.launch import main\nmain()\n"
COMMANDS = ["", "remind", "export", "handover", "purge", "plan x add", "db"]


def _page(argv: list[str], patch: str, home: Path) -> str:
    env = {**os.environ, "COLUMNS": "300", "KRONOBARN_HOME": str(home), "NO_COLOR": "1"}
    src = str(Path(cli.__file__).resolve().parents[2])
    env["PYTHONPATH"] = src
    done = subprocess.run(
        [sys.executable, "-c", patch + RUN, *argv, "--help"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.replace("│", " ").split())


def _command(path: str) -> object:
    command = typer.main.get_command(cli.app)
    for name in path.split():
        if name == "x":
            continue  # the case id a group takes before its subcommand
        command = command.commands[name]  # type: ignore[attr-defined]
    return command


@pytest.mark.parametrize("path", COMMANDS, ids=[c or "kronobarn" for c in COMMANDS])
def test_the_help_page_shows_what_typers_own_page_shows(path: str, tmp_path: Path) -> None:
    argv = path.split()
    ours = _page(argv, "", tmp_path)
    typers = _page(argv, TYPERS_OWN, tmp_path)
    assert "Flaggor" in ours and "Options" in typers  # each drew its own page
    options = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
    assert set(options.findall(ours)) == set(options.findall(typers))
    for param in _command(path).params:  # type: ignore[attr-defined]
        if param.help:
            helped = " ".join(param.help.split())
            assert helped in ours, param.name
            assert helped in typers, param.name
