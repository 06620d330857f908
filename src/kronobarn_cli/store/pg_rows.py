"""A case as the team store's rows: its columns and JSON, its journal and summary rows, and
`list`/`remind` read as SQL (`TeamSummary`). The batched writes of `db import`: `pg_import.py`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.types.json import Jsonb

from kronobarn_cli.errors import CaseFileError, CaseRecordError
from kronobarn_cli.store.case_codec import migrated
from kronobarn_cli.store.pg_admin import JOURNAL_COLUMNS
from kronobarn_cli.store.summary import POSTGRES, SummaryReader
from kronobarn_cli.store.summary_rows import REMINDER_COLUMNS, summary_of
from kronobarn_cli.support.lazy import LazyModule

if TYPE_CHECKING:
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain.case import Case, JournalEntry
    from kronobarn_cli.domain.parts import OrganisationRef
    from kronobarn_cli.store.pg_session import PgSession
else:
    cases = LazyModule("kronobarn_cli.domain.case")

ITER_BATCH = 500
CHUNKED_LIBPQ = 170000
"""The libpq that sends a result in chunks of rows (17)."""

Connection = psycopg.Connection[tuple[Any, ...]]


def organisations_of(case: Case) -> list[str]:
    """The organisations a case names where list and remind filter on them."""
    found: set[str] = set()
    refs: list[OrganisationRef | None] = [case.own_organisation]
    refs += [h.to for h in case.handovers]
    for meeting in case.meetings:
        refs += [meeting.coordinator, *meeting.attendees]
        refs += [action.organisation for action in meeting.actions]
    for ref in refs:
        if ref is not None:
            found.add(ref.id)
    return sorted(found)


def columns_of(case: Case) -> dict[str, Any]:
    meeting = case.current_meeting
    coordinator = meeting.coordinator if meeting is not None else None
    return {
        "status": case.status,
        "created": case.created,
        "updated": case.updated,
        "closed_on": case.closed.on if case.closed else None,
        "next_meeting": meeting.next_meeting if meeting is not None else None,
        "coordinator": coordinator.id if coordinator is not None else None,
        "organisations": organisations_of(case),
    }


def data_of(case: Case) -> Jsonb:
    return Jsonb(case.model_dump(mode="json"))


def journal_json(entries: Sequence[JournalEntry]) -> list[Any]:
    return [entry.model_dump(mode="json") for entry in entries]


def validated(case_id: str, raw: str) -> Case:
    """The case in a row's JSON, validated, or CaseRecordError naming what is wrong."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise CaseRecordError(case_id, "ogiltig JSON") from None
    if not isinstance(data, dict):
        raise CaseRecordError(case_id, "raden innehåller inget ärende")
    case = migrated(data, lambda fault: CaseRecordError(case_id, fault))
    if case.id != case_id:
        raise CaseRecordError(
            case_id, f"id:t i ärendet ('{case.id}') stämmer inte med radens ('{case_id}')"
        )
    return case


def write_summary(conn: Connection, case: Case, team: str, day: date) -> None:
    """Write what `list` and `remind` read of `case` (in the caller's transaction)."""
    write_summaries(conn, [(case, team)], day)


def write_summaries(conn: Connection, summarised: Sequence[tuple[Case, str]], day: date) -> None:
    """`write_summary` of each (case, team), one `executemany` per statement for all."""
    if not summarised:
        return
    listed: list[tuple[Any, ...]] = []
    keys: list[tuple[str, str]] = []
    reminders: list[tuple[Any, ...]] = []
    for case, team in summarised:
        summary = summary_of(case, day, case.id)
        listed.append((summary.listed, summary.first, summary.last, case.id, team))
        keys.append((case.id, team))
        reminders += [(*row, team) for row in summary.reminders]
    columns = ", ".join((*REMINDER_COLUMNS, "team"))
    marks = ", ".join(["%s"] * (len(REMINDER_COLUMNS) + 1))
    with conn.cursor() as cursor:
        cursor.executemany(
            "UPDATE kronobarn.cases SET listed = %s, valid_from = %s, valid_to = %s"
            " WHERE id = %s AND team = %s",
            listed,
        )
        cursor.executemany("DELETE FROM kronobarn.reminders WHERE case_id = %s AND team = %s", keys)
        if reminders:
            cursor.executemany(
                f"INSERT INTO kronobarn.reminders ({columns}) VALUES ({marks})",  # noqa: S608
                reminders,
            )


def summarise_anew(conn: Connection, keys: list[tuple[str, str]], day: date) -> list[str]:
    """The summaries of the cases `keys` names (id, team) written for `day`, in the
    caller's transaction; the error of each row that is no case."""
    rows = conn.execute(
        "SELECT c.id, c.team, c.data::text FROM kronobarn.cases c"
        " JOIN unnest(%s::text[], %s::text[]) AS k(id, team) USING (id, team)"
        ' ORDER BY c.id COLLATE "C", c.team FOR UPDATE OF c',
        ([key[0] for key in keys], [key[1] for key in keys]),
    ).fetchall()  # a case deleted meanwhile is not among them
    summarised: list[tuple[Case, str]] = []
    broken: list[str] = []
    unlisted: list[tuple[str, str]] = []
    for case_id, team, raw in rows:
        try:
            summarised.append((validated(case_id, raw), team))
        except CaseFileError as exc:
            broken.append(exc.message)
            unlisted.append((case_id, team))
    if unlisted:
        # Nothing of it is listed or reminded of until it is a case again.
        with conn.cursor() as cursor:
            cursor.executemany(
                "UPDATE kronobarn.cases SET listed = NULL WHERE id = %s AND team = %s",
                unlisted,
            )
            cursor.executemany(
                "DELETE FROM kronobarn.reminders WHERE case_id = %s AND team = %s", unlisted
            )
    write_summaries(conn, summarised, day)
    return broken


def write_journal(
    conn: Connection, case_id: str, team: str, entries: Sequence[JournalEntry]
) -> None:
    if not entries:
        return
    # The server sets `at` and `db_user` (their defaults; a member may not write them).
    with conn.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO kronobarn.journal ({JOURNAL_COLUMNS})"  # noqa: S608
            " VALUES (%s, %s, 'entry', %s, %s, %s)",
            [(case_id, team, e.user, e.command, list(e.fields)) for e in entries],
        )


class TeamSummary(SummaryReader):
    """`list` and `remind` as SQL on the team store's summary rows: each statement one query
    on the store's connection, its rows streamed in batches as the server sends them (libpq's
    chunked mode; one row at a time before libpq 17), so memory stays flat however many there
    are. Not prepared: a command runs each statement once, and preparing costs a round trip."""

    dialect = POSTGRES

    def __init__(self, store: PgSession) -> None:
        self.store = store

    def _rows(self, statement: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        conn = self.store.connection()
        size = ITER_BATCH if psycopg.pq.version() >= CHUNKED_LIBPQ else 1
        with self.store.errors(), conn.cursor() as cursor:
            yield from cursor.stream(statement.encode("utf-8"), params, size=size)
