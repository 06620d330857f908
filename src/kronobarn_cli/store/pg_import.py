"""The writes of `db import`: cases queued as their rows and written a batch at a time, by COPY
where row-level security does not bind the role, else by one pipeline or statement a table."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.types.json import Jsonb

from kronobarn_cli.store.pg_admin import JOURNAL_COLUMNS
from kronobarn_cli.store.pg_rows import organisations_of
from kronobarn_cli.store.summary_rows import REMINDER_COLUMNS, summary_of

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case

IMPORT_BATCH = 500

Connection = psycopg.Connection[tuple[Any, ...]]

_CASE_COLUMNS = (
    "id, team, revision, data, status, created, updated, closed_on, next_meeting, coordinator,"
    " organisations, listed, valid_from, valid_to"
)
_REMINDER_COLUMNS = ", ".join((*REMINDER_COLUMNS, "team"))

# Where row-level security binds the role (a team member importing), COPY is refused: the case
# rows go in one pipeline, the journal and summary rows as one JSON array each, in one
# statement (a statement per row costs far more on both sides).
_IMPORTED = (
    f"INSERT INTO kronobarn.cases ({_CASE_COLUMNS})"  # noqa: S608
    " VALUES (%s, %s, 1, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_INTEGERS = frozenset({"seq", "dated", "after_waiting"})
_JOURNALLED = (
    f"INSERT INTO kronobarn.journal ({JOURNAL_COLUMNS})"  # noqa: S608
    " SELECT r->>0, %(team)s, 'entry', r->>1, r->>2,"
    " ARRAY(SELECT jsonb_array_elements_text(r->3))"
    " FROM jsonb_array_elements(%(rows)s::jsonb) WITH ORDINALITY AS t(r, n) ORDER BY n"
)
_REMINDED = (
    f"INSERT INTO kronobarn.reminders ({_REMINDER_COLUMNS}) SELECT "  # noqa: S608
    + ", ".join(
        f"(r->>{i})::integer" if column in _INTEGERS else f"r->>{i}"
        for i, column in enumerate(REMINDER_COLUMNS)
    )
    + ", %(team)s FROM jsonb_array_elements(%(rows)s::jsonb) AS r"
)
# Where it binds no one (the schema's owner, who ran `db init`): COPY, no statement per row.
# The case and summary rows in COPY's binary format (no text escaped and unescaped on the
# way), the journal rows, mostly alike, as text written once each (`_journal_text`).
_COPY_CASES = f"COPY kronobarn.cases ({_CASE_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_CASE_TYPES = ["text", "text", "int8", "jsonb", "text", "timestamptz", "timestamptz"]
_CASE_TYPES += ["date", "date", "text", "text[]", "text", "date", "date"]
_COPY_JOURNAL = f"COPY kronobarn.journal ({JOURNAL_COLUMNS}) FROM STDIN"
_COPY_REMINDERS = f"COPY kronobarn.reminders ({_REMINDER_COLUMNS}) FROM STDIN (FORMAT BINARY)"
_REMINDER_TYPES = ["int4" if column in _INTEGERS else "text" for column in REMINDER_COLUMNS]
_REMINDER_TYPES += ["text"]

_SETUP = (
    # The case JSON is compressed (TOAST) by lz4 where the server has it: several times
    # faster than pglz, and read back the same. For this transaction only.
    "SELECT (SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings"
    " WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)),"
    " row_security_active('kronobarn.cases') OR row_security_active('kronobarn.journal')"
    " OR row_security_active('kronobarn.reminders')"
)


def _as_is(text: Any) -> Any:
    return text


class _Rows:
    """The rows of one case, made when it is queued (the case itself is not kept)."""

    __slots__ = ("case", "journal", "reminders")

    def __init__(
        self, case: tuple[Any, ...], journal: list[tuple[Any, ...]], reminders: list[Any]
    ) -> None:
        self.case = case
        self.journal = journal
        self.reminders = reminders


class Importer:
    """Cases written `IMPORT_BATCH` at a time in the transaction of `PgStore.importing`."""

    def __init__(self, conn: Connection, team: str, seen: set[str], day: date) -> None:
        self.conn = conn
        self.team = team
        self.seen = seen
        self.day = day
        self.pending: list[_Rows] = []
        row = conn.execute(_SETUP).fetchone()
        self.copy = row is not None and not row[1]
        """COPY, where row-level security does not bind this role."""
        self._journal_tails: dict[tuple[Any, ...], str] = {}

    def add(self, case: Case, text: bytes) -> bool:
        """Queue `case`, `text` its JSON (`limits.checked_json`); False, and nothing queued,
        when this role already sees a case with its id."""
        if case.id in self.seen:
            return False
        self.seen.add(case.id)
        self.pending.append(self._rows(case, text))
        if len(self.pending) >= IMPORT_BATCH:
            self.flush()
        return True

    def _rows(self, case: Case, text: bytes) -> _Rows:
        summary = summary_of(case, self.day, case.id)
        meeting = case.current_meeting
        coordinator = meeting.coordinator if meeting is not None else None
        row = (
            case.id,
            self.team,
            Jsonb(text, dumps=_as_is),
            case.status,
            case.created,
            case.updated,
            case.closed.on if case.closed else None,
            meeting.next_meeting if meeting is not None else None,
            coordinator.id if coordinator is not None else None,
            organisations_of(case),
            summary.listed,
            summary.first,
            summary.last,
        )
        journal = [(e.user, e.command, *e.fields) for e in case.journal]
        return _Rows(row, journal, summary.reminders)

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        if self.copy:
            self._copy(pending)
            return
        team = self.team
        with self.conn.cursor() as cursor:
            cursor.executemany(_IMPORTED, [rows.case for rows in pending])
        journal = [
            (rows.case[0], entry[0], entry[1], entry[2:])
            for rows in pending
            for entry in rows.journal
        ]
        reminders = [reminder for rows in pending for reminder in rows.reminders]
        for statement, listed in ((_JOURNALLED, journal), (_REMINDED, reminders)):
            if listed:
                self.conn.execute(statement, {"team": team, "rows": json.dumps(listed)})

    def _copy(self, pending: list[_Rows]) -> None:
        team = self.team
        with self.conn.cursor() as cursor:
            with cursor.copy(_COPY_CASES) as copy:
                copy.set_types(_CASE_TYPES)
                for rows in pending:
                    case = rows.case
                    copy.write_row((case[0], team, 1, *case[2:]))
            with cursor.copy(_COPY_JOURNAL) as copy:
                copy.write(self._journal_text(pending))
            with cursor.copy(_COPY_REMINDERS) as copy:
                copy.set_types(_REMINDER_TYPES)
                for rows in pending:
                    for reminder in rows.reminders:
                        copy.write_row((*reminder, team))

    def _journal_text(self, pending: list[_Rows]) -> str:
        """The journal rows in COPY's text format. Few entries differ in what follows the
        case id (user, command, fields), so each such tail is written once."""
        tails = self._journal_tails
        lines = []
        for rows in pending:
            head = _copy_text(rows.case[0])
            for entry in rows.journal:
                tail = tails.get(entry)
                if tail is None:
                    tail = tails[entry] = _journal_tail(self.team, entry)
                lines.append(head + tail)
        return "".join(lines)


def _journal_tail(team: str, entry: tuple[Any, ...]) -> str:
    user, command, *fields = entry
    listed = ",".join('"' + f.replace("\\", "\\\\").replace('"', '\\"') + '"' for f in fields)
    values = (team, "entry", user, command, "{" + listed + "}")
    return "".join("\t" + _copy_text(value) for value in values) + "\n"


def _copy_text(value: str | None) -> str:
    """A value as a column of COPY's text format (None is NULL)."""
    if value is None:
        return "\\N"
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
