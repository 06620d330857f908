"""The rows the summary index is given for a batch of case files, signed, and written in one
statement of each kind (`index.CaseIndex` reads and keeps them)."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any

from kronobarn_cli.store.index_schema import FILE_COLUMNS, RowSigner
from kronobarn_cli.store.summary_rows import REMINDER_COLUMNS, summary_of

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case

_FILES = (
    f"INSERT INTO files ({', '.join(FILE_COLUMNS)}, mac) "  # noqa: S608
    f"VALUES ({', '.join('?' * (len(FILE_COLUMNS) + 1))})"
)
_REMINDERS = (
    f"INSERT INTO reminders ({', '.join((*REMINDER_COLUMNS, 'mac'))}) "  # noqa: S608
    f"VALUES ({', '.join('?' * (len(REMINDER_COLUMNS) + 1))})"
)


class BatchRows:
    """The rows of a batch of files: each file's old rows go (`names`), then its new ones."""

    def __init__(self, signer: RowSigner) -> None:
        self._mac = signer.mac
        self.names: list[tuple[str]] = []
        self.files: list[tuple[Any, ...]] = []
        self.reminders: list[tuple[Any, ...]] = []

    def gone(self, name: str) -> None:
        """A file no longer there: its rows go."""
        self.names.append((name,))

    def add(self, name: str, *, sig: str, case: Case | None, error: str | None, day: date) -> None:
        """The rows of one file as it is now: a case, or the error it cannot be read for."""
        self.names.append((name,))
        if case is None:
            row: tuple[Any, ...] = (name, sig, error, None, None, None, None, None)
            self.files.append((*row, self._mac("f", row)))
            return
        summary = summary_of(case, day, name)
        row = (
            name,
            sig,
            None,
            case.id,
            case.status,
            summary.first.isoformat(),
            summary.last.isoformat(),
            summary.listed,
        )
        self.files.append((*row, self._mac("f", row)))
        mac = self._mac
        self.reminders.extend((*r, mac("r", (name, sig, *r))) for r in summary.reminders)

    def write(self, db: sqlite3.Connection) -> None:
        db.executemany("DELETE FROM files WHERE name = ?", self.names)
        db.executemany("DELETE FROM reminders WHERE name = ?", self.names)
        db.executemany(_FILES, self.files)
        db.executemany(_REMINDERS, self.reminders)
