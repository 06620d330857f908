"""The team store on PostgreSQL: one JSONB row per case, revision-checked writes, row-level
security per team, an append-only journal naming the database user.

Imported only when `--store` / KRONOBARN_STORE names a `postgresql://` database. Every psycopg
error becomes one Swedish line in `translate` (`pg_errors.py`); nothing above the `pg_*`
modules and this one knows psycopg. The connection, the schema check, the teams and the locks
are the store's `PgSession` (`pg_session.py`); how a case is rows, `pg_rows.py`; `kronobarn
db …`, `pg_admin.py`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg  # noqa: F401 - `pgstore.psycopg` (tests)

from kronobarn_cli.errors import (
    CaseFileError,
    KronobarnError,
    StaleCaseError,
    UnknownCaseError,
    journal_refusal,
)
from kronobarn_cli.store.case_files import check_case_id
from kronobarn_cli.store.pg_admin import (
    MIGRATIONS,
    SCHEMA,
    TEAM_PATTERN,
    Migration,
    check_role,
    check_team,
    grant,
    init,
    known_schema_version,
    migrations,
    revoke,
    upgrade,
)
from kronobarn_cli.store.pg_errors import translate
from kronobarn_cli.store.pg_import import IMPORT_BATCH, Importer
from kronobarn_cli.store.pg_rows import (
    CHUNKED_LIBPQ,
    ITER_BATCH,
    TeamSummary,
    organisations_of,
    summarise_anew,
    validated,
    write_journal,
    write_summary,
)
from kronobarn_cli.store.pg_rows import columns_of as _columns
from kronobarn_cli.store.pg_rows import data_of as _data
from kronobarn_cli.store.pg_rows import journal_json as _entries_json
from kronobarn_cli.store.pg_session import (
    CONNECT_TIMEOUT_SECONDS,
    Connection,
    Notice,
    PgSession,
    _ignore,
)
from kronobarn_cli.store.summary import Listing, SummaryReader
from kronobarn_cli.support.ids import new_case_id, system_user
from kronobarn_cli.support.lazy import LazyModule

# `list` and `remind` over up-to-date summary rows read no case: the case model (pydantic) is
# imported when a case is read or written (start-up time is measured).
if TYPE_CHECKING:
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain.case import Actor, Case, Child
else:
    cases = LazyModule("kronobarn_cli.domain.case")

__all__ = [
    "CHUNKED_LIBPQ",
    "CONNECT_TIMEOUT_SECONDS",
    "IMPORT_BATCH",
    "ITER_BATCH",
    "MIGRATIONS",
    "SCHEMA",
    "TEAM_PATTERN",
    "Importer",
    "Migration",
    "PgSession",
    "PgStore",
    "check_role",
    "check_team",
    "grant",
    "init",
    "known_schema_version",
    "migrations",
    "organisations_of",
    "revoke",
    "translate",
    "upgrade",
]

SUMMARY_BATCH = 50
"""Stale cases summarised anew per transaction. Each is in memory whole while its rows are
written (its JSON text, parsed, and the case): the batch, not the store, sets the peak."""


class PgStore:
    """Cases in a PostgreSQL database (see `docs/reliability.md`, section 14): reading and
    writing them, through its `session` (connection, teams, locks)."""

    def __init__(
        self,
        url: str,
        *,
        home: Path,
        notice: Notice = _ignore,
        actor: Actor | Callable[[], Actor] | None = None,
        team: str | None = None,
        lock_wait: float | None = None,
    ) -> None:
        self.session = PgSession(url, notice=notice, team=team, lock_wait=lock_wait)
        self.home = home
        self._actor = actor
        self._revisions: dict[str, int] = {}
        """The revision each case was at when this store last read or wrote it."""
        self._teams = self.session.teams

    @property
    def url(self) -> str:
        return self.session.url

    @property
    def notice(self) -> Notice:
        return self.session.notice

    @notice.setter
    def notice(self, notice: Notice) -> None:
        self.session.notice = notice

    @property
    def team(self) -> str | None:
        return self.session.team

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            self._actor = cases.Actor(user=system_user(), command="api")
        elif callable(self._actor):
            self._actor = self._actor()
        return self._actor

    # -- the session's ------------------------------------------------------------------------

    def errors(self, case_id: str | None = None) -> contextlib.AbstractContextManager[None]:
        return self.session.errors(case_id)

    def connection(self, *, check_schema: bool = True) -> Connection:
        return self.session.connection(check_schema=check_schema)

    def close(self) -> None:
        self.session.close()

    def schema_version(self, conn: Connection | None = None) -> int | None:
        return self.session.schema_version(conn)

    def locked(self, case_id: str, *, wait: bool = True) -> contextlib.AbstractContextManager[None]:
        return self.session.locked(case_id, wait=wait)

    def my_teams(self) -> list[str]:
        return self.session.my_teams()

    def team_for_new_cases(self) -> str:
        return self.session.team_for_new_cases()

    # -- reading ------------------------------------------------------------------------------

    def load(self, case_id: str) -> Case:
        check_case_id(case_id)
        conn = self.connection()
        with self.errors(case_id):
            team = self.session.team_of(conn, case_id)
            row = conn.execute(
                "SELECT data::text, revision FROM kronobarn.cases WHERE id = %s AND team = %s",
                (case_id, team),
            ).fetchone()
        if team is None or row is None:
            raise UnknownCaseError(case_id)  # or not this role's: the same words
        case = validated(case_id, row[0])
        self._revisions[case_id] = int(row[1])
        self._teams[case_id] = team
        return case

    def indexed(self, day: date) -> tuple[SummaryReader, Listing]:
        """What `list` and `remind` read, up to date for `day` (`summary.py`): the summaries
        of cases saved before the summary tables, or whose reminders change between the day
        they were written for and `day`, are written anew first. Rows that are no case are
        reported, as broken files are."""
        conn = self.connection()
        with self.errors():
            stale = [
                (str(row[0]), str(row[1]))
                for row in conn.execute(
                    # Each term an index of its own (migration 0005): few rows are stale.
                    "SELECT id, team FROM kronobarn.cases WHERE valid_from IS NULL"
                    " OR valid_from > %(day)s OR valid_to < %(day)s"
                    ' ORDER BY id COLLATE "C", team',
                    {"day": day},
                )
            ]
        broken: list[str] = []
        for start in range(0, len(stale), SUMMARY_BATCH):
            with self.errors(), conn.transaction():
                broken += summarise_anew(conn, stale[start : start + SUMMARY_BATCH], day)
        return TeamSummary(self.session), Listing(broken)

    def iter_cases(self) -> Iterator[Case | CaseFileError]:
        """Every case this role can see, streamed from a server-side cursor in batches.

        The cursor lives in a read transaction on this store's connection: read to the end
        (or close the iterator) before writing through the same store."""
        conn = self.connection()
        with (
            self.errors(),
            conn.transaction(),
            conn.cursor(name="kronobarn_cases") as cursor,
        ):
            cursor.itersize = ITER_BATCH
            cursor.execute("SELECT id, data::text FROM kronobarn.cases ORDER BY id")
            for case_id, raw in cursor:
                try:
                    yield validated(case_id, raw)
                except CaseFileError as exc:
                    yield exc

    def files_of(self, case_id: str) -> list[Path]:
        return []

    # -- writing ------------------------------------------------------------------------------

    def create(self, child: Child, now: datetime, *, content: Case | None = None) -> Case:
        conn = self.connection()
        team = self.team_for_new_cases()
        for _ in range(100):
            case_id = new_case_id()
            if content is not None:
                case = content.model_copy(update={"id": case_id}, deep=True)
            else:
                case = cases.Case(id=case_id, created=now, updated=now, child=child)
            fields = ["child", "own_organisation"] if case.own_organisation else ["child"]
            answered = case.journal
            case.journal = []
            case.log("Ärendet skapades.", now, self.actor, fields)
            case.journal += answered
            with self.errors(), conn.transaction():
                if self._insert(conn, case, team):
                    return case
        raise KronobarnError("Kunde inte skapa ett unikt ärende-id. Försök igen.")

    def add(self, case: Case) -> None:
        """A case with its own id (a handed-over or imported one), in one transaction;
        refused when this role already sees a case with that id. Ids are unique within a
        team: another team's case with the same id is neither refused nor touched (a refusal
        would tell that it exists)."""
        conn = self.connection()
        team = self.team_for_new_cases()
        with self.errors(case.id), conn.transaction():
            if not self._insert(conn, case, team):
                raise KronobarnError(
                    f"Det finns redan ett ärende med id {case.id} här. Inget sparades."
                )

    @contextlib.contextmanager
    def importing(self) -> Iterator[Importer]:
        """Many cases added in one transaction, in batches (`Importer.add`): all of them, or
        none when anything fails before the commit. The ids this role already sees are read
        first; a case with one of them is refused, as `add` refuses it."""
        conn = self.connection()
        team = self.team_for_new_cases()
        with self.errors(), conn.transaction():
            seen = {str(row[0]) for row in conn.execute("SELECT id FROM kronobarn.cases")}
            importer = Importer(conn, team, seen, date.today())
            yield importer
            importer.flush()

    def _insert(self, conn: Connection, case: Case, team: str) -> bool:
        columns = _columns(case)
        # NOT EXISTS sees only the cases row-level security shows this role.
        row = conn.execute(
            "INSERT INTO kronobarn.cases (id, team, revision, data, status, created, updated,"
            " closed_on, next_meeting, coordinator, organisations)"
            " SELECT %(id)s, %(team)s, 1, %(data)s, %(status)s, %(created)s, %(updated)s,"
            " %(closed_on)s, %(next_meeting)s, %(coordinator)s, %(organisations)s"
            " WHERE NOT EXISTS (SELECT 1 FROM kronobarn.cases WHERE id = %(id)s)"
            " ON CONFLICT (team, id) DO NOTHING RETURNING revision",
            {"id": case.id, "team": team, "data": _data(case), **columns},
        ).fetchone()
        if row is None:
            return False
        write_journal(conn, case.id, team, case.journal)
        write_summary(conn, case, team, date.today())
        self._revisions[case.id] = 1
        self._teams[case.id] = team
        return True

    def save(self, case: Case) -> None:
        """Write the case if it is still at the revision this store read it at: else
        StaleCaseError and nothing is written. Its journal only grows, as in the file store."""
        conn = self.connection()
        with self.errors(case.id), conn.transaction():
            known = self._teams.get(case.id) or self.session.team_of(conn, case.id)
            row = conn.execute(
                "SELECT revision, team, data->'journal' FROM kronobarn.cases"
                " WHERE id = %s AND team = %s FOR UPDATE",
                (case.id, known),
            ).fetchone()
            if row is None:
                raise UnknownCaseError(case.id)  # deleted meanwhile, or not this role's
            revision, team, recorded = int(row[0]), str(row[1]), row[2] or []
            read_at = self._revisions.get(case.id)
            if read_at is not None and read_at != revision:
                raise StaleCaseError(case.id)
            mine = _entries_json(case.journal)
            if mine[: len(recorded)] != recorded:
                raise journal_refusal(case.id, recorded, mine)
            updated = conn.execute(
                "UPDATE kronobarn.cases SET data = %(data)s, revision = revision + 1,"
                " status = %(status)s, created = %(created)s, updated = %(updated)s,"
                " closed_on = %(closed_on)s, next_meeting = %(next_meeting)s,"
                " coordinator = %(coordinator)s, organisations = %(organisations)s"
                " WHERE id = %(id)s AND team = %(team)s AND revision = %(revision)s"
                " RETURNING revision",
                {
                    "id": case.id,
                    "team": team,
                    "revision": revision,
                    "data": _data(case),
                    **_columns(case),
                },
            ).fetchone()
            if updated is None:
                raise StaleCaseError(case.id)
            write_journal(conn, case.id, team, case.journal[len(recorded) :])
            write_summary(conn, case, team, date.today())
        self._revisions[case.id] = int(updated[0])
        self._teams[case.id] = team

    # -- deleting -----------------------------------------------------------------------------

    def delete(self, case_id: str, *, only_if: Callable[[Case], bool] | None = None) -> bool:
        """Delete the case's row for good, holding its lock. The journal table keeps who
        deleted it, when and with which command (and the earlier rows of who changed it);
        nothing a user typed is in it."""
        check_case_id(case_id)
        conn = self.connection()
        with self.errors(case_id):
            team = self.session.team_of(conn, case_id)
        if team is None:
            raise UnknownCaseError(case_id)
        with self.locked(case_id), self.errors(case_id), conn.transaction():
            row = conn.execute(
                "SELECT data::text FROM kronobarn.cases WHERE id = %s AND team = %s FOR UPDATE",
                (case_id, team),
            ).fetchone()
            if row is None:
                raise UnknownCaseError(case_id)
            if only_if is not None and not only_if(validated(case_id, row[0])):
                return False
            # The journal row first: a role adds rows only for cases it can see.
            conn.execute(
                "INSERT INTO kronobarn.journal (case_id, team, event, app_user, command)"
                " VALUES (%s, %s, 'delete', %s, %s)",
                (case_id, team, self.actor.user, self.actor.command),
            )
            conn.execute("DELETE FROM kronobarn.cases WHERE id = %s AND team = %s", (case_id, team))
        self._revisions.pop(case_id, None)
        self._teams.pop(case_id, None)
        return True
