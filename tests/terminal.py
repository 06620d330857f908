"""Running the installed `kronobarn` in a pseudo-terminal (pexpect), as the pty tests do."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

KRONOBARN = Path(sys.executable).parent / "kronobarn"


def spawn(home: Path, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "KRONOBARN_HOME": str(home),
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "LANG": "C.UTF-8",
    }
    return pexpect.spawn(
        str(KRONOBARN), list(args), env=env, encoding="utf-8", timeout=20, dimensions=(50, 120)
    )


def answer(
    child: pexpect.spawn, question: str, keys: str, *, ready: str | None = "illbaka"
) -> None:
    """Wait for the question, and for its prompt to be drawn (every one offers Tillbaka)."""
    child.expect(question)
    if ready is not None and keys:
        child.expect(ready)
    child.send(keys)
