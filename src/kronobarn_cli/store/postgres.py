"""The team store on PostgreSQL: one JSONB row per case, revision-checked writes, row-level
security per team, an append-only journal naming the database user.

Imported only when `--store` / KRONOBARN_STORE names a `postgresql://` database. Every psycopg
error becomes one Swedish line in `translate`; nothing above this module knows psycopg.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from kronobarn_cli.errors import (
    CaseFileError,
    CaseLockedError,
    CaseRecordError,
    ConnectionLostError,
    KronobarnError,
    StaleCaseError,
    StoreError,
    UnknownCaseError,
    journal_refusal,
)
from kronobarn_cli.store.case_files import LOCK_WAIT_SECONDS, check_case_id
from kronobarn_cli.store.summary import (
    POSTGRES,
    REMINDER_COLUMNS,
    Listing,
    SummaryReader,
    summary_of,
)
from kronobarn_cli.support.ids import new_case_id, system_user
from kronobarn_cli.support.lazy import LazyModule

# `list` and `remind` over up-to-date summary rows read no case: the case model (pydantic) is
# imported when a case is read or written (start-up time is measured).
if TYPE_CHECKING:
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain import migrations as case_migrations
    from kronobarn_cli.domain.case import (
        Actor,
        Case,
        Child,
        JournalEntry,
    )
    from kronobarn_cli.domain.parts import OrganisationRef
    from kronobarn_cli.support import validation
else:
    cases = LazyModule("kronobarn_cli.domain.case")
    case_migrations = LazyModule("kronobarn_cli.domain.migrations")
    validation = LazyModule("kronobarn_cli.support.validation")

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "kronobarn"
TEAM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
CONNECT_TIMEOUT_SECONDS = 5
ITER_BATCH = 500
CHUNKED_LIBPQ = 170000
"""The libpq that sends a result in chunks of rows (17)."""
IMPORT_BATCH = 500

Notice = Callable[[str], None]
Connection = psycopg.Connection[tuple[Any, ...]]


def _ignore(_: str) -> None:
    pass


# -- migrations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def migrations() -> list[Migration]:
    """The SQL migrations shipped with this release, oldest first (`NNNN_name.sql`)."""
    found = []
    for path in sorted(MIGRATIONS.glob("*.sql")):
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", path.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), path))
    return found


def known_schema_version() -> int:
    return max(m.version for m in migrations())


# -- errors -------------------------------------------------------------------------------------

_LOST = (
    "Förbindelsen med databasen bröts. Det som sparats före felet finns kvar; "
    "det du höll på att svara sparades inte."
)


def translate(exc: Exception, *, url: str = "", case_id: str | None = None) -> KronobarnError:
    """A psycopg error as the one-line Swedish error a user sees."""
    state = getattr(exc, "sqlstate", None) or ""
    text = str(exc)
    where = _address(url)
    if (
        state in ("28P01", "28000")
        or "password authentication failed" in text
        or ("role" in text and "does not exist" in text)
        or "no pg_hba.conf entry" in text
    ):
        return StoreError(
            f"Databasen {where} godtog inte inloggningen (fel användare eller lösenord). "
            "Lösenordet läses från ~/.pgpass, PGPASSFILE eller PGPASSWORD."
        )
    if "no password supplied" in text:
        return StoreError(
            f"Databasen {where} kräver ett lösenord. Lägg det i ~/.pgpass, PGPASSFILE eller "
            "PGPASSWORD (aldrig i adressen)."
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return StoreError(f"Databasen {where} finns inte. Kontrollera adressen i --store.")
    if state in ("42P01", "3F000"):
        return StoreError(_MISSING_SCHEMA)
    if state == "42501":
        if "row-level security" in text:
            return StoreError(
                "Din databasroll hör inte till det teamet. Be den som administrerar databasen "
                "köra: kronobarn db grant ROLL --team TEAM"
            )
        return StoreError(
            "Din databasroll saknar behörighet till kronobarn-schemat. Be den som "
            "administrerar databasen köra: kronobarn db grant ROLL --team TEAM"
        )
    if state == "KB001":
        return StoreError("Journalen i databasen kan bara få nya rader, aldrig ändras.")
    if isinstance(exc, psycopg.OperationalError):
        if _never_connected(text):
            return StoreError(
                f"Kan inte nå databasservern {where}. Kontrollera adressen i --store "
                "eller KRONOBARN_STORE och att servern är igång."
            )
        if case_id is not None:
            return ConnectionLostError(f"{_LOST} Fortsätt med: kronobarn resume {case_id}")
        return ConnectionLostError(_LOST)
    return StoreError(f"Databasfel ({state or exc.__class__.__name__}). Inget mer sparades.")


def _never_connected(text: str) -> bool:
    return any(
        words in text
        for words in (
            "Connection refused",
            "could not translate host name",
            "timeout expired",
            "No such file or directory",
            "could not connect",
            "connection failed",
            "Name or service not known",
        )
    )


def _address(url: str) -> str:
    """The database's address as the user may see it: host, port and database (never a
    password; the socket directory when the host is one)."""
    try:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        host = parts.hostname or query.get("host") or ""
        port = parts.port or query.get("port")
    except ValueError:
        return "(ogiltig adress)"
    where = f"{host}:{port}" if port else host
    database = parts.path.lstrip("/") or query.get("dbname", "")
    return f"{where}/{database}" if where else database or "(standardadressen)"


_MISSING_SCHEMA = (
    "Databasen har inget kronobarn-schema som du kommer åt. Skapa det med: kronobarn db init "
    "(eller be den som administrerar databasen ge dig åtkomst med kronobarn db grant)."
)


# -- the store ----------------------------------------------------------------------------------


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


def _columns(case: Case) -> dict[str, Any]:
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


def _data(case: Case) -> Jsonb:
    return Jsonb(case.model_dump(mode="json"))


def _entries_json(entries: Sequence[JournalEntry]) -> list[Any]:
    return [entry.model_dump(mode="json") for entry in entries]


class PgStore:
    """Cases in a PostgreSQL database (see `docs/reliability.md`, section 14)."""

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
        self.url = url
        self.home = home
        self.notice = notice
        self._actor = actor
        self.team = team
        self.lock_wait = LOCK_WAIT_SECONDS if lock_wait is None else lock_wait
        self._conn: Connection | None = None
        self._revisions: dict[str, int] = {}
        """The revision each case was at when this store last read or wrote it."""
        self._held: dict[str, int] = {}
        self._lock_teams: dict[str, str | None] = {}
        """The team under whose key each held case is locked (None: no case to lock)."""
        self._teams: dict[str, str] = {}
        """The team of each case this store read or wrote (ids are unique within a team)."""
        self._announced: set[str] = set()

    # -- connection ---------------------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            self._actor = cases.Actor(user=system_user(), command="api")
        elif callable(self._actor):
            self._actor = self._actor()
        return self._actor

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
            raise ConnectionLostError(f"{_LOST} Fortsätt med: kronobarn resume {held}")
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
            raise StoreError(_MISSING_SCHEMA)
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
            team = self._team_of(conn, case_id)
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

    def _team_of(self, conn: Connection, case_id: str) -> str | None:
        """The team of the case `case_id` among those this role sees; None when it sees none.
        Seen in several of its teams (a case handed over between them), --team decides."""
        known = self._teams.get(case_id)
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

    # -- reading ------------------------------------------------------------------------------

    def load(self, case_id: str) -> Case:
        check_case_id(case_id)
        conn = self.connection()
        with self.errors(case_id):
            team = self._team_of(conn, case_id)
            row = conn.execute(
                "SELECT data::text, revision FROM kronobarn.cases WHERE id = %s AND team = %s",
                (case_id, team),
            ).fetchone()
        if team is None or row is None:
            raise UnknownCaseError(case_id)  # or not this role's: the same words
        case = self._validated(case_id, row[0])
        self._revisions[case_id] = int(row[1])
        self._teams[case_id] = team
        return case

    def _validated(self, case_id: str, raw: str) -> Case:
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            raise CaseRecordError(case_id, "ogiltig JSON") from None
        if not isinstance(data, dict):
            raise CaseRecordError(case_id, "raden innehåller inget ärende")
        version = data.get("schema_version", 1)
        if isinstance(version, bool) or version not in range(1, cases.SCHEMA_VERSION + 1):
            raise CaseRecordError(
                case_id, f"schema_version {version} stöds inte av denna version av kronobarn"
            )
        from pydantic import ValidationError  # noqa: PLC0415 - with the case model

        try:
            case = cases.Case.model_validate(case_migrations.migrate(data))
        except ValidationError as exc:
            raise CaseRecordError(case_id, validation.describe(exc.errors()[0])) from None
        if case.id != case_id:
            raise CaseRecordError(
                case_id, f"id:t i ärendet ('{case.id}') stämmer inte med radens ('{case_id}')"
            )
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
        for case_id, team in stale:
            with self.errors(case_id), conn.transaction():
                row = conn.execute(
                    "SELECT data::text, team FROM kronobarn.cases WHERE id = %s AND team = %s"
                    " FOR UPDATE",
                    (case_id, team),
                ).fetchone()
                if row is None:
                    continue  # deleted meanwhile
                try:
                    case = self._validated(case_id, row[0])
                except CaseFileError as exc:
                    broken.append(exc.message)
                    # Nothing of it is listed or reminded of until it is a case again.
                    conn.execute(
                        "UPDATE kronobarn.cases SET listed = NULL WHERE id = %s AND team = %s",
                        (case_id, team),
                    )
                    conn.execute(
                        "DELETE FROM kronobarn.reminders WHERE case_id = %s AND team = %s",
                        (case_id, team),
                    )
                    continue
                self._summarise(conn, case, str(row[1]), day)
        return _TeamSummary(self), Listing(broken)

    @staticmethod
    def _summarise(conn: Connection, case: Case, team: str, day: date) -> None:
        """Write what `list` and `remind` read of `case` (in the caller's transaction)."""
        summary = summary_of(case, day, case.id)
        conn.execute(
            "UPDATE kronobarn.cases SET listed = %s, valid_from = %s, valid_to = %s"
            " WHERE id = %s AND team = %s",
            (summary.listed, summary.first, summary.last, case.id, team),
        )
        conn.execute(
            "DELETE FROM kronobarn.reminders WHERE case_id = %s AND team = %s", (case.id, team)
        )
        if summary.reminders:
            columns = ", ".join((*REMINDER_COLUMNS, "team"))
            marks = ", ".join(["%s"] * (len(REMINDER_COLUMNS) + 1))
            with conn.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO kronobarn.reminders ({columns}) VALUES ({marks})",  # noqa: S608
                    [(*row, team) for row in summary.reminders],
                )

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
                    yield self._validated(case_id, raw)
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
        self._journal(conn, case.id, team, case.journal)
        self._summarise(conn, case, team, date.today())
        self._revisions[case.id] = 1
        self._teams[case.id] = team
        return True

    def _journal(
        self, conn: Connection, case_id: str, team: str, entries: Sequence[JournalEntry]
    ) -> None:
        if not entries:
            return
        # The server sets `at` and `db_user` (a trigger): the time each row was written.
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO kronobarn.journal (case_id, team, event, app_user, command,"
                " fields) VALUES (%s, %s, 'entry', %s, %s, %s)",
                [(case_id, team, e.user, e.command, list(e.fields)) for e in entries],
            )

    def save(self, case: Case) -> None:
        """Write the case if it is still at the revision this store read it at: else
        StaleCaseError and nothing is written. Its journal only grows, as in the file store."""
        conn = self.connection()
        with self.errors(case.id), conn.transaction():
            known = self._teams.get(case.id) or self._team_of(conn, case.id)
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
            self._journal(conn, case.id, team, case.journal[len(recorded) :])
            self._summarise(conn, case, team, date.today())
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
            team = self._team_of(conn, case_id)
        if team is None:
            raise UnknownCaseError(case_id)
        with self.locked(case_id), self.errors(case_id), conn.transaction():
            row = conn.execute(
                "SELECT data::text FROM kronobarn.cases WHERE id = %s AND team = %s FOR UPDATE",
                (case_id, team),
            ).fetchone()
            if row is None:
                raise UnknownCaseError(case_id)
            if only_if is not None and not only_if(self._validated(case_id, row[0])):
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


_IMPORTED = (
    "INSERT INTO kronobarn.cases (id, team, revision, data, status, created, updated,"
    " closed_on, next_meeting, coordinator, organisations, listed, valid_from, valid_to)"
    " VALUES (%(id)s, %(team)s, 1, %(data)s, %(status)s, %(created)s, %(updated)s,"
    " %(closed_on)s, %(next_meeting)s, %(coordinator)s, %(organisations)s, %(listed)s,"
    " %(valid_from)s, %(valid_to)s)"
)
_INTEGERS = frozenset({"seq", "dated", "after_waiting"})
# The journal and summary rows of a batch go as one JSON array each, in one statement: row
# level security rules out COPY, and a statement per row costs far more on both sides.
_JOURNALLED = (
    "INSERT INTO kronobarn.journal (case_id, team, event, app_user, command, fields)"
    " SELECT r->>0, %(team)s, 'entry', r->>1, r->>2,"
    " ARRAY(SELECT jsonb_array_elements_text(r->3))"
    " FROM jsonb_array_elements(%(rows)s::jsonb) WITH ORDINALITY AS t(r, n) ORDER BY n"
)
_REMINDED = (
    f"INSERT INTO kronobarn.reminders ({', '.join((*REMINDER_COLUMNS, 'team'))}) SELECT "  # noqa: S608
    + ", ".join(
        f"(r->>{i})::integer" if column in _INTEGERS else f"r->>{i}"
        for i, column in enumerate(REMINDER_COLUMNS)
    )
    + ", %(team)s FROM jsonb_array_elements(%(rows)s::jsonb) AS r"
)


class Importer:
    """Cases written `IMPORT_BATCH` at a time in the transaction of `PgStore.importing`: one
    `executemany` each for the case rows, their journal rows and their summary rows (psycopg
    sends each batch in one pipeline, its statement prepared once)."""

    def __init__(self, conn: Connection, team: str, seen: set[str], day: date) -> None:
        self.conn = conn
        self.team = team
        self.seen = seen
        self.day = day
        self.pending: list[tuple[Case, dict[str, Any]]] = []

    def add(self, case: Case, data: dict[str, Any] | None = None) -> bool:
        """Queue `case` (`data`: its JSON, when the caller has it already); False, and nothing
        queued, when this role already sees a case with its id."""
        if case.id in self.seen:
            return False
        self.seen.add(case.id)
        self.pending.append((case, data if data is not None else case.model_dump(mode="json")))
        if len(self.pending) >= IMPORT_BATCH:
            self.flush()
        return True

    def flush(self) -> None:
        team = self.team
        cases: list[dict[str, Any]] = []
        journal: list[tuple[Any, ...]] = []
        reminders: list[tuple[Any, ...]] = []
        for case, data in self.pending:
            summary = summary_of(case, self.day, case.id)
            cases.append(
                {
                    "id": case.id,
                    "team": team,
                    "data": Jsonb(data),
                    **_columns(case),
                    "listed": summary.listed,
                    "valid_from": summary.first,
                    "valid_to": summary.last,
                }
            )
            journal += [(case.id, e.user, e.command, list(e.fields)) for e in case.journal]
            reminders += summary.reminders
        self.pending = []
        if cases:
            with self.conn.cursor() as cursor:
                cursor.executemany(_IMPORTED, cases)
        for statement, rows in ((_JOURNALLED, journal), (_REMINDED, reminders)):
            if rows:
                self.conn.execute(statement, {"team": team, "rows": json.dumps(rows)})


def check_team(team: str) -> str:
    if not re.fullmatch(TEAM_PATTERN, team):
        raise StoreError(
            f"Ogiltigt teamnamn '{team}': bokstäver a–z, siffror, punkt, - och _ (högst 63 tecken)."
        )
    return team


def check_role(role: str) -> str:
    if not re.fullmatch(r"^[A-Za-z_][A-Za-z0-9_$.-]{0,62}$", role):
        raise StoreError(f"Ogiltigt rollnamn '{role}'.")
    return role


class _TeamSummary(SummaryReader):
    """`list` and `remind` as SQL on the team store's summary rows: each statement one query
    on the store's connection, its rows streamed in batches as the server sends them (libpq's
    chunked mode; one row at a time before libpq 17), so memory stays flat however many there
    are. Not prepared: a command runs each statement once, and preparing costs a round trip."""

    dialect = POSTGRES

    def __init__(self, store: PgStore) -> None:
        self.store = store

    def _rows(self, statement: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        conn = self.store.connection()
        size = ITER_BATCH if psycopg.pq.version() >= CHUNKED_LIBPQ else 1
        with self.store.errors(), conn.cursor() as cursor:
            yield from cursor.stream(statement.encode("utf-8"), params, size=size)


# -- administration (kronobarn db …) ------------------------------------------------------------


def init(store: PgStore, team: str | None) -> int:
    """Create the schema from every migration, in one transaction; the version it is at."""
    conn = store.connection(check_schema=False)
    version = store.schema_version(conn)
    if version is not None:
        raise StoreError(
            f"Databasen har redan ett kronobarn-schema (version {version}). "
            "Uppdatera det med: kronobarn db upgrade"
        )
    with store.errors(), conn.transaction():
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
        conn.execute(
            "CREATE TABLE kronobarn.schema_version (version integer PRIMARY KEY,"
            " name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
            " applied_by name NOT NULL DEFAULT current_user)"
        )
        for migration in migrations():
            _apply(conn, migration)
        if team:
            conn.execute(
                "INSERT INTO kronobarn.teams (name) VALUES (%s) ON CONFLICT DO NOTHING",
                (check_team(team),),
            )
            conn.execute(
                "INSERT INTO kronobarn.settings (key, value) VALUES ('default_team', %s)",
                (team,),
            )
    return known_schema_version()


def _apply(conn: Connection, migration: Migration) -> None:
    conn.execute(migration.text().encode("utf-8"))
    conn.execute(
        "INSERT INTO kronobarn.schema_version (version, name) VALUES (%s, %s)",
        (migration.version, migration.name),
    )


def upgrade(store: PgStore) -> tuple[int, int]:
    """Apply the migrations the database lacks, each in its own transaction."""
    conn = store.connection(check_schema=False)
    before = store.schema_version(conn)
    if before is None:
        raise StoreError(_MISSING_SCHEMA)
    known = known_schema_version()
    if before > known:
        raise StoreError(
            f"Databasens kronobarn-schema är version {before}, nyare än denna version av "
            f"kronobarn känner till ({known}). Uppdatera kronobarn."
        )
    with store.errors():
        rows = conn.execute("SELECT version FROM kronobarn.schema_version").fetchall()
    recorded = {int(row[0]) for row in rows}
    for migration in migrations():
        if migration.version not in recorded:
            with store.errors(), conn.transaction():
                _apply(conn, migration)
    return before, known


_GRANTS = (
    "GRANT USAGE ON SCHEMA kronobarn TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON kronobarn.cases, kronobarn.reminders TO {role}",
    "GRANT SELECT, INSERT ON kronobarn.journal TO {role}",
    "GRANT SELECT ON kronobarn.team_members, kronobarn.settings, kronobarn.schema_version"
    " TO {role}",
    "GRANT EXECUTE ON FUNCTION kronobarn.lock_case(text, text, boolean),"
    " kronobarn.unlock_case(text, text) TO {role}",
)
_REVOKES = (
    "REVOKE ALL ON kronobarn.cases, kronobarn.reminders, kronobarn.journal, kronobarn.team_members,"
    " kronobarn.settings, kronobarn.schema_version FROM {role}",
    "REVOKE EXECUTE ON FUNCTION kronobarn.lock_case(text, text, boolean),"
    " kronobarn.unlock_case(text, text) FROM {role}",
    "REVOKE USAGE ON SCHEMA kronobarn FROM {role}",
)


def grant(store: PgStore, role: str, team: str) -> None:
    """Let `role` see and change the cases of `team` (the team is created if new)."""
    conn = store.connection()
    check_role(role)
    check_team(team)
    with store.errors(), conn.transaction():
        _require_role(conn, role)
        conn.execute(
            "INSERT INTO kronobarn.teams (name) VALUES (%s) ON CONFLICT DO NOTHING", (team,)
        )
        conn.execute(
            "INSERT INTO kronobarn.team_members (role, team) VALUES (%s, %s)"
            " ON CONFLICT DO NOTHING",
            (role, team),
        )
        for statement in _GRANTS:
            conn.execute(sql.SQL(statement).format(role=sql.Identifier(role)))


def revoke(store: PgStore, role: str, team: str) -> bool:
    """Take `role` out of `team`; with no team left, it loses every privilege on the schema.
    False when it was not in the team."""
    conn = store.connection()
    check_role(role)
    check_team(team)
    with store.errors(), conn.transaction():
        _require_role(conn, role)
        gone = conn.execute(
            "DELETE FROM kronobarn.team_members WHERE role = %s AND team = %s RETURNING 1",
            (role, team),
        ).fetchone()
        left = conn.execute(
            "SELECT 1 FROM kronobarn.team_members WHERE role = %s", (role,)
        ).fetchone()
        if left is None:
            for statement in _REVOKES:
                conn.execute(sql.SQL(statement).format(role=sql.Identifier(role)))
    return gone is not None


def _require_role(conn: Connection, role: str) -> None:
    if conn.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (role,)).fetchone():
        return
    raise StoreError(f"Databasrollen '{role}' finns inte. Skapa den först (CREATE ROLE).")
