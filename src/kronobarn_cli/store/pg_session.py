"""The team store's connection to its database: the schema check on connecting, the teams
of this role, and the advisory locks a session holds on cases."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import psycopg

from kronobarn_cli.errors import CaseLockedError, ConnectionLostError, StoreError, UnknownCaseError
from kronobarn_cli.store.case_files import LOCK_WAIT_SECONDS, check_case_id
from kronobarn_cli.store.pg_admin import check_team, known_schema_version
from kronobarn_cli.store.pg_errors import LOST, MISSING_SCHEMA, translate

CONNECT_TIMEOUT_SECONDS = 5

Notice = Callable[[str], None]
Connection = psycopg.Connection[tuple[Any, ...]]


def _ignore(_: str) -> None:
    pass


class PgSession:
    """One connection to the team database and what lives as long as it does: the locks held
    on cases, and the team of each case read or written through it."""

    def __init__(
        self,
        url: str,
        *,
        notice: Notice = _ignore,
        team: str | None = None,
        lock_wait: float | None = None,
    ) -> None:
        self.url = url
        self.notice = notice
        self.team = team
        self.lock_wait = LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
        self._conn: Connection | None = None
        self._held: dict[str, int] = {}
        self._lock_teams: dict[str, str | None] = {}
        """The team under whose key each held case is locked (None: no case to lock)."""
        self.teams: dict[str, str] = {}
        """The team of each case this session read or wrote (ids are unique within a team)."""
        self._announced: set[str] = set()

    # -- connection ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def errors(self, case_id: str | None = None) -> Iterator[None]:
        """psycopg errors inside become one Swedish line."""
        try:
            yield
        except psycopg.Error as exc:
            raise translate(exc, url=self.url, case_id=case_id) from None

    def connection(self, *, check_schema: bool = True) -> Connection:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        if conn is not None and self._held:
            # The advisory locks went with the old connection: going on would be unsafe.
            held = next(iter(self._held))
            raise ConnectionLostError(f"{LOST} Fortsätt med: kronobarn resume {held}")
        with self.errors():
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="kronobarn",
            )
        if check_schema:
            try:
                self._check_schema(conn)
            except BaseException:
                conn.close()
                raise
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None
        self._held.clear()
        self._lock_teams.clear()

    def schema_version(self, conn: Connection | None = None) -> int | None:
        """The version of the kronobarn schema in the database, None when there is none."""
        conn = conn if conn is not None else self.connection(check_schema=False)
        with self.errors():
            row = conn.execute("SELECT to_regclass('kronobarn.schema_version')").fetchone()
            if row is None or row[0] is None:
                return None
            found = conn.execute("SELECT max(version) FROM kronobarn.schema_version").fetchone()
        return int(found[0]) if found is not None and found[0] is not None else None

    def _check_schema(self, conn: Connection) -> None:
        version = self.schema_version(conn)
        known = known_schema_version()
        if version is None:
            raise StoreError(MISSING_SCHEMA)
        if version > known:
            raise StoreError(
                f"Databasens kronobarn-schema är version {version}, nyare än denna version av "
                f"kronobarn känner till ({known}). Uppdatera kronobarn innan du använder den."
            )
        if version < known:
            raise StoreError(
                f"Databasens kronobarn-schema är version {version}; denna version av kronobarn "
                f"behöver {known}. Uppdatera schemat med: kronobarn db upgrade"
            )

    # -- locks --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, case_id: str, *, wait: bool = True) -> Iterator[None]:
        """Hold the case for this session (re-entrant) with a session-level advisory lock; the
        server lets go of it when the connection ends, however it ends."""
        check_case_id(case_id)
        held = self._held.get(case_id, 0)
        if not held:
            self._acquire(case_id, wait=wait)
        self._held[case_id] = held + 1
        try:
            yield
        finally:
            self._held[case_id] -= 1
            if not self._held[case_id]:
                del self._held[case_id]
                self._release(case_id)

    def _acquire(self, case_id: str, *, wait: bool) -> None:
        """The key is the server's (`kronobarn.lock_case`): a hash of a secret no role reads,
        the team and the id, taken only for the caller's own teams. An id this role sees no
        case of is locked in the team a new case would go to (an import of it waits for
        another one), or not at all when that is not clear: nothing is there to change."""
        conn = self.connection()
        with self.errors(case_id):
            team = self.team_of(conn, case_id)
            if team is None:
                try:
                    team = self.team_for_new_cases()
                except StoreError:
                    self._lock_teams[case_id] = None
                    return
            lock = "SELECT kronobarn.lock_case(%s, %s, %s)"
            got = conn.execute(lock, (team, case_id, False)).fetchone()
            if got is None or got[0] is None:
                raise UnknownCaseError(case_id)  # not a team of this role's
            if got[0]:
                self._lock_teams[case_id] = team
                return
            if not wait or self.lock_wait <= 0:
                raise CaseLockedError(case_id)
            if case_id not in self._announced:
                self._announced.add(case_id)
                self.notice(
                    f"Väntar på ärendet {case_id}, som är öppet i en annan kronobarn-session …"
                )
            # Waiters queue on the server, first come first served.
            timeout = f"{max(1, round(self.lock_wait * 1000))}ms"
            conn.execute("SELECT set_config('lock_timeout', %s, false)", (timeout,))
            try:
                conn.execute(lock, (team, case_id, True))
            except psycopg.errors.LockNotAvailable:
                raise CaseLockedError(case_id, self.lock_wait) from None
            finally:
                if not conn.broken:
                    conn.execute("SELECT set_config('lock_timeout', '0', false)")
            self._lock_teams[case_id] = team

    def team_of(self, conn: Connection, case_id: str) -> str | None:
        """The team of the case `case_id` among those this role sees; None when it sees none.
        Seen in several of its teams (a case handed over between them), --team decides."""
        known = self.teams.get(case_id)
        rows = conn.execute(
            "SELECT team FROM kronobarn.cases WHERE id = %s ORDER BY team", (case_id,)
        ).fetchall()
        teams = [str(row[0]) for row in rows]
        if len(teams) <= 1:
            return teams[0] if teams else None
        for wanted in (known, self.team):
            if wanted in teams:
                return wanted
        raise StoreError(
            f"Ärendet {case_id} finns i flera av dina team ({', '.join(teams)}). Välj team "
            "med --team eller KRONOBARN_TEAM."
        )

    def _release(self, case_id: str) -> None:
        team = self._lock_teams.pop(case_id, None)
        conn = self._conn
        if team is None or conn is None or conn.closed or conn.broken:
            return  # nothing locked, or the server let go of it with the connection
        with contextlib.suppress(psycopg.Error):
            conn.execute("SELECT kronobarn.unlock_case(%s, %s)", (team, case_id))

    # -- teams --------------------------------------------------------------------------------

    def my_teams(self) -> list[str]:
        conn = self.connection()
        with self.errors():
            rows = conn.execute(
                "SELECT DISTINCT m.team FROM kronobarn.team_members m"
                " JOIN pg_catalog.pg_roles r ON r.rolname = m.role"
                " WHERE pg_has_role(current_user, r.oid, 'MEMBER') ORDER BY 1"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def team_for_new_cases(self) -> str:
        """--team / KRONOBARN_TEAM; else the role's only team; else the team named at
        `db init`."""
        if self.team:
            return check_team(self.team)
        mine = self.my_teams()
        if len(mine) == 1:
            return mine[0]
        conn = self.connection()
        with self.errors():
            row = conn.execute(
                "SELECT value FROM kronobarn.settings WHERE key = 'default_team'"
            ).fetchone()
        if row is not None and (not mine or row[0] in mine):
            return str(row[0])
        if mine:
            raise StoreError(
                f"Välj team för ärendet med --team eller KRONOBARN_TEAM (du hör till "
                f"{', '.join(mine)})."
            )
        raise StoreError(
            "Du hör inte till något team i databasen. Be den som administrerar den köra: "
            "kronobarn db grant ROLL --team TEAM"
        )
