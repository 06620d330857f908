"""`db import`'s writes (`store/pg_import.py`): COPY where row-level security binds no one, one
statement a table where it binds the role, the same rows either way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("psycopg")

import psycopg

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Child, JournalEntry
from kronobarn_cli.store.case_files import CaseStore

from .. import pg
from ..conftest import NOW, fixed_clock
from ..helpers import in_process
from ..scenario import realistic_case

ODD = 'citat " och \\ snedstreck, {klammer}, komma\ttabb\nrad'
"""Text that COPY's text format and an array literal both escape."""


def odd_cases(tmp_path: Path, workflow: Workflow) -> Path:
    """A realistic case, and cases whose journal names users, commands and fields that have to
    be escaped on the way (the model takes any text there)."""
    source = tmp_path / "filer"
    files = CaseStore(source)
    realistic_case(files, workflow, fixed_clock)
    for n in range(3):
        case = files.create(Child(name=f'Barn \\ "{n}"', birth_year=2015), NOW)
        case.journal.append(
            JournalEntry(at=NOW, text="x", user=ODD, command=ODD, fields=[ODD, "", "a,b", "{}"])
        )
        case.journal.append(JournalEntry(at=NOW, text="y", user=None, command=None, fields=[]))
        files.save(case)
    return source


def team_rows(server: pg.Server, url: str, team: str) -> dict[str, list[tuple[Any, ...]]]:
    """A team's rows, without what names the team or who wrote them and when."""
    with server.connect(pg.database_of(url)) as conn:
        cases = conn.execute(
            "SELECT id, revision, data::text, status, created, updated, closed_on, next_meeting,"
            " coordinator, organisations, listed, valid_from, valid_to FROM kronobarn.cases"
            " WHERE team = %s ORDER BY id",
            (team,),
        ).fetchall()
        journal = conn.execute(
            "SELECT case_id, event, app_user, command, fields FROM kronobarn.journal"
            " WHERE team = %s ORDER BY seq",
            (team,),
        ).fetchall()
        reminders = conn.execute(
            "SELECT r.* FROM kronobarn.reminders r WHERE team = %s ORDER BY r::text", (team,)
        ).fetchall()
    return {
        "cases": cases,
        "journal": journal,
        "reminders": [row[:-1] for row in reminders],  # team is the last column
    }


def test_db_import_copies_as_the_owner_and_inserts_under_row_level_security_the_same_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pg_server: pg.Server,
    pg_url: str,
    workflow: Workflow,
) -> None:
    """The schema's owner imports by COPY (no statement per row); a team member, whom row-level
    security binds and COPY refuses, by one statement a table. Both give the same rows, and
    `list` and `remind` say what they say over the files."""
    source = odd_cases(tmp_path, workflow)
    monkeypatch.setenv("KRONOBARN_HOME", str(source))
    files = {args: in_process(*args).stdout for args in (("list", "--json"),
             ("remind", "--json", "--within", "365d"))}  # fmt: skip
    assert len(json.loads(files["list", "--json"])) == 4
    pg.create_role(pg_server, "anna")
    pg.create_role(pg_server, "bengt")
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert in_process("db", "grant", "anna", "--team", "alfa").returncode == 0
    assert in_process("db", "grant", "bengt", "--team", "beta").returncode == 0

    copied: list[str] = []
    copy = psycopg.Cursor.copy

    def recorded(self: psycopg.Cursor[Any], statement: Any, *args: Any, **kwargs: Any) -> Any:
        copied.append(str(statement).split(" (")[0])
        return copy(self, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", recorded)
    monkeypatch.setenv("KRONOBARN_TEAM", "beta")
    owner = in_process("db", "import", str(source))
    assert owner.stdout.strip() == "Läste in 4 ärenden; 0 hoppades över.", owner.stderr
    assert copied == [
        "COPY kronobarn.cases",
        "COPY kronobarn.journal",
        "COPY kronobarn.reminders",
    ]
    copied.clear()
    monkeypatch.delenv("KRONOBARN_TEAM")
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.url(pg.database_of(pg_url), "anna"))
    member = in_process("db", "import", str(source))
    assert member.stdout.strip() == "Läste in 4 ärenden; 0 hoppades över.", member.stderr
    assert copied == []

    rows = team_rows(pg_server, pg_url, "beta")
    assert rows == team_rows(pg_server, pg_url, "alfa")
    assert (ODD, ODD, [ODD, "", "a,b", "{}"]) in [row[2:] for row in rows["journal"]]
    assert (None, None, []) in [row[2:] for row in rows["journal"]]
    for args, expected in files.items():
        assert in_process(*args).stdout == expected, args


def test_db_import_stores_each_case_as_its_file_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str, workflow: Workflow
) -> None:
    """The case's JSON goes once, as pydantic writes it: `data` holds what the file holds."""
    source = odd_cases(tmp_path, workflow)
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert in_process("db", "import", str(source)).returncode == 0
    with psycopg.connect(pg_url) as conn:
        stored = dict(conn.execute("SELECT id, data FROM kronobarn.cases").fetchall())
    for path in (source / "arenden").glob("*.json"):
        assert stored[path.stem] == json.loads(path.read_text(encoding="utf-8"))
