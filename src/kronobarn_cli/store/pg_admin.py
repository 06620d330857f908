"""Administering the team database (`kronobarn db …`): the schema's migrations, `init`,
`upgrade`, and which roles see which team (`grant`, `revoke`)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql

from kronobarn_cli.errors import StoreError
from kronobarn_cli.store.pg_errors import MISSING_SCHEMA

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "kronobarn"
TEAM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"

Connection = psycopg.Connection[tuple[Any, ...]]


class TeamDatabase(Protocol):
    """What administering needs of the store (`PgSession`, `PgStore`)."""

    def connection(self, *, check_schema: bool = True) -> Connection: ...

    def errors(self, case_id: str | None = None) -> contextlib.AbstractContextManager[None]: ...

    def schema_version(self, conn: Connection | None = None) -> int | None: ...


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


# -- administration (kronobarn db …) ------------------------------------------------------------


def init(store: TeamDatabase, team: str | None) -> int:
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


def upgrade(store: TeamDatabase) -> tuple[int, int]:
    """Apply the migrations the database lacks, each in its own transaction."""
    conn = store.connection(check_schema=False)
    before = store.schema_version(conn)
    if before is None:
        raise StoreError(MISSING_SCHEMA)
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


JOURNAL_COLUMNS = "case_id, team, event, app_user, command, fields"
"""The journal's columns a client writes, and a member may insert (migration 0006): the time and
the database user are the server's defaults."""

_GRANTS = (
    "GRANT USAGE ON SCHEMA kronobarn TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON kronobarn.cases, kronobarn.reminders TO {role}",
    "GRANT SELECT ON kronobarn.journal TO {role}",
    # The columns a client writes; the time and the database user are the server's defaults
    # (INSERT on the whole table, granted by hand or by a release before schema 6, taken back).
    "REVOKE INSERT ON kronobarn.journal FROM {role}",
    f"GRANT INSERT ({JOURNAL_COLUMNS}) ON kronobarn.journal TO {{role}}",
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


def grant(store: TeamDatabase, role: str, team: str) -> None:
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


def revoke(store: TeamDatabase, role: str, team: str) -> bool:
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
