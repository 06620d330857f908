"""Driving the real prompts through prompt_toolkit's pipe input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
SPACE = " "
CTRL_C = "\x03"
CTRL_U = "\x15"
"""Clears a text field's line (prompt_toolkit's unix-line-discard)."""


def down(n: int) -> str:
    return DOWN * n


def line(text: str) -> str:
    return text + ENTER


@contextmanager
def typed(*keys: str) -> Iterator[None]:
    """Run prompts inside with these keys already typed; closing the input afterwards makes a
    prompt that wants more raise EOFError instead of waiting for ever."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(keys))
        pipe.close()
        yield
