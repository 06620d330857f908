"""`list` and `remind` written as they are read: JSON, CSV and tables, one row at a time.

Rows are plain dicts in the documented JSON shape (`kronobarn schema list|reminder`), from the
summary index or from the case files alike; reminders also carry the `group` they are shown
under. Nothing here holds more than a page of a table.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from json.encoder import encode_basestring
from typing import Any, TextIO

from rich.console import Console

from kronobarn_cli.remind import csv_text
from kronobarn_cli.tables import Cell, Table, cell, grouped
from kronobarn_cli.text import json_controls_escaped, swedish_date

KIND_LABELS = {"action": "Insats", "meeting": "Möte", "copy": "Kopia", "consent": "Samtycke"}
_CHUNK = 256  # lines written at a time


class Seen:
    """Reminders passed through, noting whether any was overdue (for `--fail-on overdue`)."""

    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self._rows = rows
        self.overdue = False

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self._rows:
            if row["overdue"]:
                self.overdue = True
            yield row


def _value(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return str(encode_basestring(str(value)))


def _item(row: dict[str, Any]) -> str:
    fields = ",\n".join(
        f'    "{key}": {_value(value)}' for key, value in row.items() if key != "group"
    )
    return "  {\n" + fields + "\n  }"


def json_array(rows: Iterable[dict[str, Any]], stream: TextIO | None = None) -> None:
    """The rows as one JSON array, indented as `json.dumps(..., indent=2)` would, written item by
    item. Terminal control characters inside strings are written as `\\uXXXX`."""
    write = (stream or sys.stdout).write
    opened = False
    pending: list[str] = []
    for row in rows:
        pending.append(json_controls_escaped(_item(row)))
        if len(pending) == _CHUNK:
            write((",\n" if opened else "[\n") + ",\n".join(pending))
            opened, pending = True, []
    if pending:
        write((",\n" if opened else "[\n") + ",\n".join(pending))
        opened = True
    write("\n]\n" if opened else "[]\n")


def csv_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    """The same fields as the JSON, one line per row, for spreadsheets: text can never become
    a formula (see `remind.csv_text`)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_value(row[c]) for c in columns] for row in rows)


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return csv_text(value)
    return value


def _lines(console: Console, lines: Iterable[str]) -> None:
    write = console.file.write
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == _CHUNK:
            write("\n".join(chunk) + "\n")
            chunk = []
    if chunk:
        write("\n".join(chunk) + "\n")
    console.file.flush()


def _colour(console: Console) -> bool:
    return console.is_terminal and not console.no_color and console.color_system is not None


def case_table(rows: Iterable[dict[str, Any]], console: Console) -> bool:
    """`list` as a table; False when there was nothing to show."""
    table = Table(
        ("Id", "Barn", "Status", "Möten", "Senast ändrad"),
        width=console.width,
        wrap=1,
        color=_colour(console),
    )
    shown = False

    def cells() -> Iterator[list[Cell]]:
        nonlocal shown
        for row in rows:
            shown = True
            updated = datetime.fromisoformat(row["updated"]).strftime("%Y-%m-%d %H:%M")
            yield [
                Cell(row["id"]),
                cell(row["child"]),
                Cell(row["status_text"]),
                Cell(str(row["meetings"])),
                Cell(updated),
            ]

    _lines(console, table.lines("Ärenden", cells()))
    return shown


def days_text(days_left: int | None) -> str:
    if days_left is None:
        return "–"
    if days_left < 0:
        days = -days_left
        return f"för {days} {'dag' if days == 1 else 'dagar'} sedan"
    if days_left == 0:
        return "idag"
    return f"om {days_left} {'dag' if days_left == 1 else 'dagar'}"


def reminder_tables(rows: Iterable[dict[str, Any]], console: Console, *, with_names: bool) -> bool:
    """`remind` as one table per group (organisation or coordinator), drawn a group at a
    time; False when there was nothing to show."""
    headers = ["Ärende", "Sort", "Datum", "När", "Vad"] + (["Barn"] if with_names else [])
    colour = _colour(console)
    shown = False

    def cells(row: dict[str, Any]) -> list[Cell]:
        due = row["due_date"]
        line = [
            Cell(row["case_id"]),
            Cell(KIND_LABELS[row["kind"]]),
            Cell(swedish_date(date.fromisoformat(due)) if due else "–"),
            Cell(days_text(row["days_left"]), red=bool(row["overdue"])),
            cell(row["text"]),
        ]
        if with_names:
            line.append(cell(row["child"]))
        return line

    def every_line() -> Iterator[str]:
        nonlocal shown
        for group, members in grouped((row["group"], row) for row in rows):
            shown = True
            table = Table(headers, width=console.width, wrap=4, color=colour)
            yield from table.lines(group, (cells(row) for row in members))

    _lines(console, every_line())
    return shown
