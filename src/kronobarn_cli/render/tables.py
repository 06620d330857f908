"""Tables drawn a page at a time, for outputs of any length (`list`, `remind`).

Rich's `Table` measures every row before it draws one and costs about half a millisecond a
row; these tables look the same (the heavy-headed box) but are written line by line, holding
one page. A cell is a `str` (a `Red` one is shown in red on a colour terminal); cells hold
typed text only through `cell`, which replaces control characters before anything is
measured or written.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from kronobarn_cli.support.text import terminal_safe

_RED = "\x1b[31m"
_BOLD = "\x1b[1m"
_ITALIC = "\x1b[3m"
_RESET = "\x1b[0m"
_MIN_WRAPPED = 12
_MOST = 24
"""The widest a column other than the wrapping one is made, unless its least is wider."""
T = TypeVar("T")
# Below U+0300 (and dashes, quotes) every character takes one cell; combining marks and wide
# characters come later.
_NOT_NARROW = re.compile(r"[^\x20-\u02ff\u2010-\u2027]")


class Red(str):
    """A cell shown in red on a colour terminal (e.g. an overdue date)."""

    __slots__ = ()


def width(text: str) -> int:
    """The terminal cells `text` takes."""
    if not _NOT_NARROW.search(text):
        return len(text)
    from rich.cells import cell_len  # noqa: PLC0415 - only for wide or combining characters

    return cell_len(text)


def _fit(line: str, room: int) -> list[str]:
    """One line of a cell wrapped at spaces to `room` terminal cells (long words are cut)."""
    if not _NOT_NARROW.search(line):
        return [line] if len(line) <= room else _fit_narrow(line, room)
    return [line] if width(line) <= room else _fit_cells(line, room)


def _fit_cells(line: str, room: int) -> list[str]:
    """`_fit` for any characters, measured in terminal cells."""
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if width(candidate) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
        rest = word
        while width(rest) > room:
            cut = room
            while cut > 1 and width(rest[:cut]) > room:
                cut -= 1
            lines.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    lines.append(current)
    return lines


def _fit_narrow(line: str, room: int) -> list[str]:
    """`_fit` for a line of one-cell characters, where a character's width is 1."""
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= room:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
        while len(current) > room:
            lines.append(current[:room])
            current = current[room:]
    lines.append(current)
    return lines


# Kept by measure (issue 24): `python bench/internals.py` draws `list`'s table of 1,000 rows in
# 2.1 ms of CPU here, 232 ms with `rich.table.Table(box=HEAVY_HEAD)` (110 times as much), and
# 10,000 rows in 19 ms against 2.4 s (127 times). tests/render/test_tables.py holds it to what the
# installed rich draws wherever no cell wraps.
class Table:
    """Columns with headers; the column `wrap` takes what is left of the width and wraps.

    The widths are measured on the first `page` rows of a table; a later cell that does not
    fit is wrapped (any column), so a table of any length is written holding one page."""

    def __init__(
        self,
        headers: Sequence[str],
        *,
        width: int,
        wrap: int,
        color: bool,
        least: Sequence[int] = (),
        page: int = 1000,
    ) -> None:
        """`least`: the width each column takes at the least (e.g. the longest date there
        can be), so that later pages fit the widths of the first."""
        self.headers = list(headers)
        self.width = width
        self.wrap = wrap
        self.color = color
        self.least = list(least) or [0] * len(headers)
        self.page = page

    def _widths(self, rows: Sequence[Sequence[str]]) -> list[int]:
        """The columns as wide as their widest cell on the first page (at the least
        `least`); the wrapping column takes what is left of the width."""
        natural = [max(width(h), least) for h, least in zip(self.headers, self.least, strict=True)]
        most = [max(n, _MOST) for n in natural]
        for i, column in enumerate(zip(*rows, strict=True)):
            if i == self.wrap:
                continue  # takes what is left
            if _NOT_NARROW.search("".join(column)):
                widest = max(width(part) for text in column for part in text.split("\n"))
            else:
                widest = max(map(len, column))
            natural[i] = max(natural[i], widest)
        # A long cell outside the wrapping column wraps too, rather than widen the table.
        natural = [n if i == self.wrap else min(n, most[i]) for i, n in enumerate(natural)]
        others = sum(w for i, w in enumerate(natural) if i != self.wrap)
        borders = 3 * len(self.headers) + 1
        natural[self.wrap] = max(self.width - others - borders, _MIN_WRAPPED)
        return natural

    def lines(self, title: str | None, rows: Iterable[Sequence[str]]) -> Iterator[str]:
        """The table, line by line; nothing (not even the title) when there are no rows."""
        each = iter(rows)
        first = list(itertools.islice(each, self.page))
        if not first:
            return
        widths = self._widths(first)
        if title is not None:
            safe = cell(title)
            yield f"{_ITALIC}{safe}{_RESET}" if self.color else safe
        yield "┏" + "┳".join("━" * (w + 2) for w in widths) + "┓"
        head = "┃".join(
            f" {_BOLD}{h}{_RESET}{' ' * (w - width(h))} " if self.color else f" {h:<{w}} "
            for h, w in zip(self.headers, widths, strict=True)
        )
        yield f"┃{head}┃"
        yield "┡" + "╇".join("━" * (w + 2) for w in widths) + "┩"
        red = _RED if self.color else ""
        reset = _RESET if self.color else ""
        le = operator.le
        wrap, room = self.wrap, widths[self.wrap]
        before, after = widths[:wrap], widths[wrap + 1 :]
        continued: dict[tuple[bool, ...], tuple[str, str]] = {}
        # A row of narrow cells that fit, none of them red, as one format (most rows).
        plain = ("│ " + " │ ".join(f"{{:<{w}}}" for w in widths) + " │").format
        for row in itertools.chain(first, each):
            # Most rows are of narrow characters (a line break is not one), and most of those
            # fit on one line or wrap only in the wrapping column.
            if _NOT_NARROW.search("".join(row)):
                yield from self._wrapped(row, widths, red, reset)
                continue
            if not all(map(le, map(len, row), widths)):
                text = row[wrap]
                if (
                    isinstance(text, Red)
                    or not all(map(le, map(len, row[:wrap]), before))
                    or not all(map(le, map(len, row[wrap + 1 :]), after))
                ):
                    yield from self._wrapped(row, widths, red, reset)
                    continue
                pieces = _fit_narrow(text, room)
                reds = tuple(isinstance(t, Red) for t in row) if self.color else ()
                if reds not in continued:
                    continued[reds] = self._continued(widths, reds, red, reset)
                left, right = continued[reds]
                yield self._line([*row[:wrap], pieces[0], *row[wrap + 1 :]], widths, red, reset)
                for piece in pieces[1:]:
                    yield f"{left} {piece.ljust(room)} {right}"
            elif red and any(isinstance(t, Red) for t in row):
                yield self._line(row, widths, red, reset)
            else:
                yield plain(*row)
        yield "└" + "┴".join("─" * (w + 2) for w in widths) + "┘"

    def _line(self, row: Sequence[str], widths: list[int], red: str, reset: str) -> str:
        """A row of narrow cells that fit, as one line."""
        if self.color:
            return "│ " + " │ ".join(
                [f"{red}{t:<{w}}{reset}" if isinstance(t, Red) else t.ljust(w)
                 for t, w in zip(row, widths, strict=True)]
            ) + " │"  # fmt: skip
        return "│ " + " │ ".join([t.ljust(w) for t, w in zip(row, widths, strict=True)]) + " │"

    def _continued(
        self, widths: list[int], reds: tuple[bool, ...], red: str, reset: str
    ) -> tuple[str, str]:
        """What stands left and right of the wrapping column on the lines after a row's first,
        where only that column goes on (the empty cells of a red cell's column in red)."""
        parts = [
            f" {red}{' ' * w}{reset} " if reds and reds[i] else " " * (w + 2)
            for i, w in enumerate(widths)
        ]
        left = "│" + "".join(part + "│" for part in parts[: self.wrap])
        right = "".join("│" + part for part in parts[self.wrap + 1 :]) + "│"
        return left, right

    @staticmethod
    def _wrapped(row: Sequence[str], widths: list[int], red: str, reset: str) -> Iterator[str]:
        cells = [
            [piece for part in text.split("\n") for piece in _fit(part, w)]
            for text, w in zip(row, widths, strict=True)
        ]
        for n in range(max(len(c) for c in cells)):
            parts = []
            for text, lines, w in zip(row, cells, widths, strict=True):
                line = lines[n] if n < len(lines) else ""
                padded = line + " " * (w - (width(line) if _NOT_NARROW.search(line) else len(line)))
                parts.append(f" {red}{padded}{reset} " if isinstance(text, Red) else f" {padded} ")
            yield "│" + "│".join(parts) + "│"


def cell(value: str | None) -> str:
    """Typed text as a cell: control characters replaced, a tab (which a terminal widens) a
    space, nothing shown as "–"."""
    if not value:
        return "–"
    if value.isprintable():  # no control character of any kind (most text): nothing to do
        return value
    return terminal_safe(value).replace("\t", " ")


def grouped(rows: Iterable[tuple[str, T]]) -> Iterator[tuple[str, Iterator[T]]]:
    """Consecutive rows of the same group, a group at a time, each read as it is drawn."""
    for name, members in itertools.groupby(rows, key=lambda pair: pair[0]):
        yield name, (row for _, row in members)
