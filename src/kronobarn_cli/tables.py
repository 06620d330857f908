"""Tables drawn a group at a time, for outputs of any length (`list`, `remind`).

Rich's `Table` measures every row before it draws one and costs about half a millisecond a
row; these tables look the same (the heavy-headed box) but are written line by line, and only
the group being drawn is held. Cells are typed text: control characters are replaced before
they are measured or written.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rich.cells import cell_len

from kronobarn_cli.text import terminal_safe

_RED = "\x1b[31m"
_BOLD = "\x1b[1m"
_ITALIC = "\x1b[3m"
_RESET = "\x1b[0m"
_MIN_WRAPPED = 12
T = TypeVar("T")


@dataclass(frozen=True)
class Cell:
    text: str
    red: bool = False


def _fit(line: str, width: int) -> list[str]:
    """One line of a cell wrapped at spaces to `width` terminal cells (long words are cut)."""
    if cell_len(line) <= width:
        return [line]
    lines: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        rest = word
        while cell_len(rest) > width:
            cut = width
            while cut > 1 and cell_len(rest[:cut]) > width:
                cut -= 1
            lines.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    lines.append(current)
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


class Table:
    """Columns with headers; the column `wrap` takes what is left of the width and wraps.

    The widths are measured on the first `page` rows of a table; a later cell that does not
    fit is wrapped (any column), so a table of any length is written holding one page."""

    def __init__(
        self, headers: Sequence[str], *, width: int, wrap: int, color: bool, page: int = 1000
    ) -> None:
        self.headers = list(headers)
        self.width = width
        self.wrap = wrap
        self.color = color
        self.page = page

    def _widths(self, rows: Sequence[Sequence[Cell]]) -> list[int]:
        natural = [cell_len(h) for h in self.headers]
        for row in rows:
            for i, cell in enumerate(row):
                longest = max(cell_len(part) for part in cell.text.split("\n"))
                natural[i] = max(natural[i], longest)
        others = sum(w for i, w in enumerate(natural) if i != self.wrap)
        borders = 3 * len(self.headers) + 1
        room = max(self.width - others - borders, min(_MIN_WRAPPED, natural[self.wrap]))
        natural[self.wrap] = min(natural[self.wrap], room)
        return natural

    def lines(self, title: str | None, rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
        """The table, line by line; nothing (not even the title) when there are no rows."""
        each = iter(rows)
        first = list(itertools.islice(each, self.page))
        if not first:
            return
        widths = self._widths(first)
        if title is not None:
            safe = terminal_safe(title)
            yield f"{_ITALIC}{safe}{_RESET}" if self.color else safe
        yield "┏" + "┳".join("━" * (w + 2) for w in widths) + "┓"
        head = "┃".join(
            f" {_BOLD}{_pad(h, w)}{_RESET} " if self.color else f" {_pad(h, w)} "
            for h, w in zip(self.headers, widths, strict=True)
        )
        yield f"┃{head}┃"
        yield "┡" + "╇".join("━" * (w + 2) for w in widths) + "┩"
        for row in itertools.chain(first, each):
            yield from self._row(row, widths)
        yield "└" + "┴".join("─" * (w + 2) for w in widths) + "┘"

    def _row(self, row: Sequence[Cell], widths: list[int]) -> Iterator[str]:
        cells = [
            [piece for part in c.text.split("\n") for piece in _fit(part, w)]
            for c, w in zip(row, widths, strict=True)
        ]
        for n in range(max(len(c) for c in cells)):
            parts = []
            for cell, lines, w in zip(row, cells, widths, strict=True):
                text = _pad(lines[n] if n < len(lines) else "", w)
                parts.append(f" {_RED}{text}{_RESET} " if cell.red and self.color else f" {text} ")
            yield "│" + "│".join(parts) + "│"


def cell(value: str | None, *, red: bool = False) -> Cell:
    """Typed text as a cell: control characters replaced, nothing shown as "–"."""
    return Cell(terminal_safe(value or "–"), red)


def grouped(rows: Iterable[tuple[str, T]]) -> Iterator[tuple[str, Iterator[T]]]:
    """Consecutive rows of the same group, a group at a time, each read as it is drawn."""
    for name, members in itertools.groupby(rows, key=lambda pair: pair[0]):
        yield name, (row for _, row in members)
