"""`list` and `remind` written as they are read: JSON, CSV and tables, one row at a time.

Rows are plain dicts in the documented JSON shape (`kronobarn schema list|reminder`), from the
summary index or from the case files alike; reminders also carry the `group` they are shown
under. Nothing here holds more than a page of a table.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from kronobarn_cli.render.tables import Red, Table, cell
from kronobarn_cli.support.csv_rows import csv_fields
from kronobarn_cli.support.ids import ID_LENGTH
from kronobarn_cli.support.lazy import console_output
from kronobarn_cli.support.terminal_facts import Output
from kronobarn_cli.support.text import swedish_date

if TYPE_CHECKING:
    from rich.console import Console

KIND_LABELS = {"action": "Insats", "meeting": "Möte", "copy": "Kopia", "consent": "Samtycke"}
_CHUNK = 256  # lines written at a time
T = TypeVar("T")


class Seen:
    """Reminders passed through on their way out, noting whether any was overdue (for
    `--fail-on overdue`)."""

    def __init__(self) -> None:
        self.overdue = False

    def items(self, items: Iterable[tuple[str, bool]]) -> Iterator[str]:
        """Written items (JSON or CSV), each with whether it is overdue."""
        for item, overdue in items:
            if overdue:
                self.overdue = True
            yield item

    def rows(self, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Rows as `reminder_tables` takes them (days left fifth)."""
        for row in rows:
            if row[4] is not None and row[4] < 0:
                self.overdue = True
            yield row


def json_array(items: Iterable[str], stream: TextIO | None = None) -> None:
    """Items (from `index.json_item`) as one JSON array, as `json.dumps(..., indent=2)` would
    write it, a few hundred items at a time."""
    write = (stream or sys.stdout).write
    opened = False
    pending: list[str] = []
    for item in items:
        pending.append(item)
        if len(pending) == _CHUNK:
            write((",\n" if opened else "[\n") + ",\n".join(pending))
            opened, pending = True, []
    if pending:
        write((",\n" if opened else "[\n") + ",\n".join(pending))
        opened = True
    write("\n]\n" if opened else "[]\n")


def csv_lines(lines: Iterable[str], columns: Sequence[str]) -> None:
    """A header of `columns`, then one line per row (from `csv_line`), for spreadsheets."""
    write = sys.stdout.write
    write(csv_fields(columns) + "\n")
    pending: list[str] = []
    for line in lines:
        pending.append(line)
        if len(pending) == _CHUNK:
            write("\n".join(pending) + "\n")
            pending = []
    if pending:
        write("\n".join(pending) + "\n")


def _lines(output: Output, lines: Iterable[str]) -> None:
    write = output.file.write
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == _CHUNK:
            write("\n".join(chunk) + "\n")
            chunk = []
    if chunk:
        write("\n".join(chunk) + "\n")
    output.file.flush()


def _first(rows: Iterable[T]) -> Iterator[T] | None:
    """`rows` again, or None when there are none (read before the console is asked anything:
    it may cost the import of rich)."""
    each = iter(rows)
    for first in each:
        return itertools.chain([first], each)
    return None


def case_table(rows: Iterable[tuple[Any, ...]], console: Console) -> bool:
    """`list` as a table (`rows` as `SummaryReader.listed_cells` gives them); False when
    there was nothing to show."""
    found = _first(rows)
    if found is None:
        return False
    output = console_output(console)
    table = Table(
        ("Id", "Barn", "Status", "Möten", "Senast ändrad"),
        width=output.width,
        wrap=1,
        color=output.colour,
        least=(ID_LENGTH, 0, 0, 5, 16),
    )

    def cells() -> Iterator[list[str]]:
        for case_id, child, status_text, meetings, updated in found:
            yield [case_id, cell(child), status_text, str(meetings), minute(updated)]

    _lines(output, table.lines("Ärenden", cells()))
    return True


_ISO_MINUTE = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")
"""The start of a moment as the case model writes it (`2026-10-01T16:11:00Z`); a year before
1000 is not matched, as `strftime` writes it unpadded (`5-01-01`)."""


def minute(moment: str) -> str:
    """`moment` (ISO 8601) to the minute, as `datetime.fromisoformat(moment).strftime(
    "%Y-%m-%d %H:%M")` writes it: in the form the case model writes, those characters cut
    out (each case's moment is another: parsing them was a tenth of `list`)."""
    if _ISO_MINUTE.match(moment):
        return f"{moment[:10]} {moment[11:16]}"
    return datetime.fromisoformat(moment).strftime("%Y-%m-%d %H:%M")


@functools.lru_cache(maxsize=4096)
def _day(due: str | None) -> str:
    return swedish_date(date.fromisoformat(due)) if due else "–"


@functools.lru_cache(maxsize=4096)
def days_text(days_left: int | None) -> str:
    if days_left is None:
        return "–"
    if days_left < 0:
        days = -days_left
        return f"för {days} {'dag' if days == 1 else 'dagar'} sedan"
    if days_left == 0:
        return "idag"
    return f"om {days_left} {'dag' if days_left == 1 else 'dagar'}"


def reminder_tables(rows: Iterable[tuple[Any, ...]], console: Console, *, with_names: bool) -> bool:
    """`remind` as one table per group (organisation or coordinator), drawn a group at a
    time; False when there was nothing to show. `rows` as `index.CaseIndex.reminder_rows`."""
    found = _first(rows)
    if found is None:
        return False
    headers = ["Ärende", "Sort", "Datum", "När", "Vad"] + (["Barn"] if with_names else [])
    output = console_output(console)
    # The longest date there is ("30 september 2026"), so that later pages fit.
    longest_date = max(len(swedish_date(date(2026, month, 28))) for month in range(1, 13))
    least = [ID_LENGTH, max(map(len, KIND_LABELS.values())), longest_date, 0, 0, 0][: len(headers)]

    def every_line() -> Iterator[str]:
        for group, members in itertools.groupby(found, key=operator.itemgetter(0)):
            table = Table(headers, width=output.width, wrap=4, color=output.colour, least=least)
            cells = (
                [
                    row[1],
                    KIND_LABELS[row[2]],
                    _day(row[3]),
                    Red(days_text(row[4]))
                    if row[4] is not None and row[4] < 0
                    else days_text(row[4]),
                    cell(row[8]),
                    *([cell(row[9])] if with_names else []),
                ]
                for row in members
            )
            yield from table.lines(group, cells)

    _lines(output, every_line())
    return True
