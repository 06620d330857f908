"""The width of standard out and whether to colour it, decided as rich's `Console()` decides them,
without importing rich (about 22 ms of a `list` run), wherever that can be decided for sure.

`decided()` follows rich 15's `Console.__init__`, `size`, `is_terminal`, `is_dumb_terminal`,
`_detect_color_system` and `no_color` for a console made with no size, colour or terminal
options, on a POSIX system outside Jupyter and IDLE. Anywhere else it gives None, and the caller
makes the rich console after all (`lazy.console_output`). `tests/render/test_terminal_facts.py`
holds every answer to the installed rich's own, over a matrix of environments, in a
pseudo-terminal and through pipes.
"""

from __future__ import annotations

import builtins
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

_DUMB = ("dumb", "unknown")
# rich.console._TERM_COLORS: the colours a TERM's last part after a hyphen names.
_TERM_COLORS = {"kitty": "256", "256color": "256", "16color": "standard"}


@dataclass(frozen=True)
class Output:
    """Where a table goes, how wide it may be, and whether it is coloured (rich's
    `console.file`, `console.width`, and `is_terminal and not no_color and color_system`)."""

    file: IO[str]
    width: int
    is_terminal: bool
    no_color: bool
    color_system: str | None

    @property
    def colour(self) -> bool:
        return self.is_terminal and not self.no_color and self.color_system is not None


def of_console(console: Console) -> Output:
    """What a rich console says (when `decided` cannot say it, or the console is made)."""
    return Output(
        console.file, console.width, console.is_terminal, console.no_color, console.color_system
    )


def decided(*, stderr: bool = False, environ: Mapping[str, str] = os.environ) -> Output | None:
    """What `rich.console.Console(stderr=stderr)` made now would say, or None where this cannot
    be sure (Windows, Jupyter, IDLE, no stream, a COLUMNS or LINES rich cannot read)."""
    if sys.platform == "win32" or hasattr(builtins, "get_ipython"):
        return None  # legacy Windows consoles and notebooks have rules of their own
    stdin_module = getattr(sys.stdin, "__module__", "")
    if not isinstance(stdin_module, str) or stdin_module.startswith("idlelib"):
        return None
    stream = sys.stderr if stderr else sys.stdout
    file = getattr(stream, "rich_proxied_file", stream)
    if file is None:
        return None
    columns, columns_ok = _digits(environ.get("COLUMNS"))
    lines, lines_ok = _digits(environ.get("LINES"))
    if not (columns_ok and lines_ok):
        return None  # rich's Console() would raise ValueError: let it
    terminal = _is_terminal(file, environ)
    if terminal is None:
        return None
    dumb = terminal and environ.get("TERM", "").lower() in _DUMB
    return Output(
        file=file,
        width=_width(columns, lines, dumb=dumb),
        is_terminal=terminal,
        no_color=environ.get("NO_COLOR", "") != "",
        color_system=_color_system(environ) if terminal and not dumb else None,
    )


def _digits(value: str | None) -> tuple[int | None, bool]:
    """A COLUMNS or LINES as rich reads it (`isdigit`, then `int`), and whether it could read it
    without raising (an `isdigit` character such as '²' is no digit to `int`)."""
    if value is None or not value.isdigit():
        return None, True
    try:
        return int(value), True
    except ValueError:
        return None, False


def _is_terminal(file: IO[str], environ: Mapping[str, str]) -> bool | None:
    """`Console.is_terminal` (with no `force_terminal`); None for an `isatty` that raises
    anything but the ValueError of a closed file, which rich would not catch."""
    tty_compatible = environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "1"
    force_color = environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color != ""
    isatty = getattr(file, "isatty", None)
    if isatty is None:
        return False
    try:
        return bool(isatty())
    except ValueError:
        return False
    except Exception:  # noqa: BLE001 - rich would raise it: let rich say so
        return None


def _width(columns: int | None, lines: int | None, *, dumb: bool) -> int:
    """`Console.size.width`: COLUMNS wins (fixed when the console is made) unless the terminal
    is dumb and LINES is unset; then the first std stream that is a terminal, else 80."""
    if columns is not None:
        return 80 if dumb and lines is None else columns
    if dumb:
        return 80
    width = 0
    for descriptor in _std_streams():
        try:
            width = os.get_terminal_size(descriptor).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80  # a pseudo-terminal may report 0


def _std_streams() -> tuple[int, int, int]:
    """rich's `_STD_STREAMS`: the descriptors of the original stdin, stdout and stderr."""
    found = []
    for stream, default in ((sys.__stdin__, 0), (sys.__stdout__, 1), (sys.__stderr__, 2)):
        try:
            found.append(stream.fileno())  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - as rich: no descriptor, the usual one
            found.append(default)
    return found[0], found[1], found[2]


def _color_system(environ: Mapping[str, str]) -> str:
    """`Console.color_system` on a terminal that is not dumb, outside Windows."""
    if environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        return "truecolor"
    colors = environ.get("TERM", "").strip().lower().rpartition("-")[2]
    return _TERM_COLORS.get(colors, "standard")
