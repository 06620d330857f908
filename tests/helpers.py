"""Running the command in-process, and reading what it printed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from kronobarn_cli import cli

ENGLISH = ("Traceback", "Error", "Usage", "symbolic links", "Permission denied", "No such file")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def one_swedish_line(self) -> str:
        """The single error line of a failed run (never a traceback, never exit 70)."""
        assert self.code not in (0, cli.EXIT_INTERNAL), (self.code, self.err)
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("Fel: "), lines[0]
        assert not any(word in self.err for word in ENGLISH), self.err
        return lines[0]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """`kronobarn ARGS` in this process, through `cli.main` like the installed command."""
    capsys.readouterr()
    try:
        cli.main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
