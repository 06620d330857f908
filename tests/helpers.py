"""Running the command in-process and reading what it printed; another process holding a case."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

from kronobarn_cli import cli
from kronobarn_cli.store.case_files import CaseStore

ENGLISH = ("Traceback", "Error:", "Usage", "symbolic links", "Permission denied", "No such file")


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
    code = _exit_code(args)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


@contextlib.contextmanager
def held_by_another_process(home: Path, case_id: str, seconds: float) -> Iterator[None]:
    """Another process takes the case's lock, holds it for `seconds`, then lets go and exits."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            with CaseStore(home).locked(case_id):
                os.write(ready_w, b"x")
                time.sleep(seconds)
        finally:
            os._exit(0)
    os.close(ready_w)
    try:
        assert os.read(ready_r, 1) == b"x"
        yield
    finally:
        os.close(ready_r)
        os.waitpid(pid, 0)


@dataclass
class Completed:
    """What `subprocess.run` would give for the command, but run in this process."""

    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def in_process(*args: str, stdin: str | None = "", columns: int = 100) -> Completed:
    """`kronobarn ARGS` through `cli.main` in this process, standard streams captured; far
    cheaper than a new interpreter, so most command-line tests use it (a few keep a real one)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(sys, "stdin", io.StringIO(stdin or "")),
        mock.patch.dict(os.environ, {"COLUMNS": str(columns)}),
    ):
        code = _exit_code(args)
    raw = out.buffer.getvalue()  # type: ignore[attr-defined]
    return Completed(code, raw.decode("utf-8", "replace"), err.getvalue(), raw)


def _exit_code(args: tuple[str, ...]) -> int:
    """Run `cli.main` as the installed command would and give its exit code."""
    try:
        cli.main(list(args))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0
