"""What a fresh interpreter imports to run a command: the start-up tests' probe."""

from __future__ import annotations

import subprocess
import sys

MODEL = (
    "kronobarn_cli.domain.case",
    "kronobarn_cli.checklists.schema",
    "yaml",
    "filelock",
    "pydantic",
)


RICH = ("rich.console", "rich.text")


def loaded_by(args: tuple[str, ...], modules: tuple[str, ...]) -> tuple[str, list[str]]:
    """`kronobarn ARGS` in a fresh interpreter: what it printed, and which of `modules` it
    imported."""
    code = (
        "import sys\n"
        "from kronobarn_cli import cli\n"
        "try:\n"
        f"    cli.main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED:' + ','.join(m for m in {modules!r} if m in sys.modules), file=sys.stderr)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    last = run.stderr.strip().splitlines()[-1:]
    assert last and last[0].startswith("LOADED:"), run.stderr
    return run.stdout, [m for m in last[0].removeprefix("LOADED:").split(",") if m]
