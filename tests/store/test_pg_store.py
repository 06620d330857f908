"""The team store on a real PostgreSQL: teams and row-level security, many writers, the journal
table, moving cases between files and the database, and every fault as one Swedish line."""

from __future__ import annotations

import json
import os
import shutil
import sys
import traceback
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

import pexpect
import pytest

try:
    from kronobarn_cli.store import postgres as pgstore
except ImportError:  # the postgres extra is not installed
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("psycopg is not installed (pip install '.[postgres]')", allow_module_level=True)
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.errors import CaseLockedError, StaleCaseError, StoreError, UnknownCaseError
from kronobarn_cli.interactive.walk import Walk, add_action, local_now, plan_meeting
from kronobarn_cli.store import pg_admin, pg_import
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.postgres import PgStore

from .. import pg
from ..cases import PASSPHRASE, first_meeting, first_meeting_answers
from ..conftest import NOW, fixed_clock
from ..helpers import Completed, in_process
from ..keys import DOWN
from ..scenario import realistic_case
from ..terminal import KRONOBARN, answer

ENGLISH = ("Traceback", "Error", "error", "psycopg", "connection", "password", "FATAL")


def spawn(home: Path, *args: str, env: dict[str, str]) -> pexpect.spawn:
    return pexpect.spawn(
        str(KRONOBARN), list(args), encoding="utf-8", timeout=20, dimensions=(50, 120),
        env={**os.environ, "KRONOBARN_HOME": str(home), "TERM": "xterm",
             "PROMPT_TOOLKIT_NO_CPR": "1", "LANG": "C.UTF-8", **env},
    )  # fmt: skip


def one_line(done: Completed) -> str:
    """The single Swedish error line of a failed run."""
    assert done.returncode not in (0, 70), (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: "), done.stderr
    assert not any(word in lines[0] for word in ENGLISH), lines[0]
    return lines[0]


@pytest.fixture
def team_store(pg_url: str, isolated: Path) -> Iterator[PgStore]:
    store = PgStore(pg_url, home=isolated)
    yield store
    store.close()


def as_role(server: pg.Server, url: str, role: str) -> str:
    return server.url(pg.database_of(url), role)


# -- teams and row-level security -----------------------------------------------------------------


@pytest.fixture
def two_teams(
    pg_server: pg.Server, pg_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> dict[str, str]:
    """Roles anna (team alfa) and bengt (team beta), each with a case of their own team."""
    for role in ("anna", "bengt"):
        pg.create_role(pg_server, role)
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert in_process("db", "grant", "anna", "--team", "alfa").returncode == 0
    granted = in_process("db", "grant", "bengt", "--team", "beta")
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout.strip() == "bengt har nu åtkomst till teamet beta."
    urls = {role: as_role(pg_server, pg_url, role) for role in ("anna", "bengt")}
    ids = {}
    for role, url in urls.items():
        monkeypatch.setenv("KRONOBARN_STORE", url)
        made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
        assert made.returncode == 0, made.stderr
        ids[role] = made.stdout.split()[1]
    return {**{f"{r}_url": u for r, u in urls.items()}, **{f"{r}_case": i for r, i in ids.items()}}


def test_a_role_sees_and_changes_only_its_teams_cases_and_others_do_not_exist(
    two_teams: dict[str, str], monkeypatch: pytest.MonkeyPatch, pg_server: pg.Server, pg_url: str
) -> None:
    mine, theirs = two_teams["anna_case"], two_teams["bengt_case"]
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
    listed = json.loads(in_process("list", "--json").stdout)
    assert [row["id"] for row in listed] == [mine]
    reminded = json.loads(in_process("remind", "--json", "--within", "365d").stdout)
    assert {r["case_id"] for r in reminded} == {mine}

    unknown = one_line(in_process("show", "zzzzzz"))
    for args in (("show", theirs), ("log", theirs), ("export", theirs),
                 ("plan", theirs, "done", "1"), ("close", theirs, "--reason", "x"),
                 ("delete", theirs, "--yes"), ("edit", theirs, "--name", "X")):  # fmt: skip
        refused = one_line(in_process(*args))
        assert refused == unknown.replace("zzzzzz", theirs), args

    with pg_server.connect(pg.database_of(pg_url), "anna") as conn:
        changed = conn.execute(
            "UPDATE kronobarn.cases SET status = 'avslutad' WHERE id = %s", (theirs,)
        )
        assert changed.rowcount == 0
        summaries = conn.execute("SELECT DISTINCT case_id FROM kronobarn.reminders").fetchall()
        assert summaries == [(mine,)]
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["bengt_url"])
    assert in_process("show", theirs).returncode == 0
    assert json.loads(in_process("log", theirs, "--json").stdout)[0]["command"] == "new-case"


def test_a_role_cannot_move_a_case_into_a_team_it_is_not_in(
    two_teams: dict[str, str], pg_server: pg.Server, pg_url: str
) -> None:
    import psycopg  # noqa: PLC0415

    database = pg.database_of(pg_url)
    with (
        pg_server.connect(database, "anna") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "UPDATE kronobarn.cases SET team = 'beta' WHERE id = %s", (two_teams["anna_case"],)
        )


def test_revoke_takes_the_teams_cases_away(
    two_teams: dict[str, str], monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    done = in_process("db", "revoke", "anna", "--team", "alfa")
    assert done.returncode == 0, done.stderr
    assert "inte längre åtkomst" in done.stdout
    again = one_line(in_process("db", "revoke", "anna", "--team", "alfa"))
    assert "hör inte till teamet alfa" in again
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
    assert "db grant" in one_line(in_process("list"))


def test_grant_of_a_role_that_does_not_exist_is_one_line(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert "finns inte" in one_line(in_process("db", "grant", "ingen_sadan", "--team", "alfa"))
    assert "Ogiltigt teamnamn" in one_line(in_process("db", "grant", "anna", "--team", "a b"))


def test_db_grant_takes_back_insert_on_the_whole_journal(
    pg_server: pg.Server, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A role granted INSERT on the whole journal by hand could write the time and the user;
    `db grant` leaves it INSERT of the client's columns alone."""
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    pg.create_role(pg_server, "frida")
    database = pg.database_of(pg_url)
    with pg_server.connect(database) as conn:
        conn.execute("GRANT USAGE ON SCHEMA kronobarn TO frida")
        conn.execute("GRANT INSERT ON kronobarn.journal TO frida")
    done = in_process("db", "grant", "frida", "--team", "alfa")
    assert done.returncode == 0, done.stderr
    with pg_server.connect(database) as conn:
        may = conn.execute(
            "SELECT has_table_privilege('frida', 'kronobarn.journal', 'INSERT'),"
            " has_column_privilege('frida', 'kronobarn.journal', 'at', 'INSERT'),"
            " has_column_privilege('frida', 'kronobarn.journal', 'case_id', 'INSERT')"
        ).fetchone()
    assert may == (False, False, True)


def test_importing_a_case_whose_id_another_team_has_is_not_refused_and_tells_nothing(
    two_teams: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated: Path
) -> None:
    """Ids are unique within a team: bengt (beta) hands his case over to anna (alfa) in the
    same database. Her import goes through as for an id never seen (a refusal saying the id
    exists would tell her of another team's case), and bengt's copy stays his, unchanged."""
    theirs = two_teams["bengt_case"]
    monkeypatch.setenv("KRONOBARN_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["bengt_url"])
    bundle = tmp_path / "fran-beta.age"
    handed = in_process("handover", theirs, "--to", "socialtjanst", "--person", "Kim Berg",
                        "--output", str(bundle), "--yes")  # fmt: skip
    assert handed.returncode == 0, handed.stderr
    senders = json.loads(in_process("show", theirs, "--json").stdout)

    monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
    received = in_process("import", str(bundle))
    assert received.returncode == 0, received.stderr
    assert "finns redan" not in received.stderr + received.stdout
    assert f"kronobarn follow-up {theirs}" in received.stdout
    assert json.loads(in_process("show", theirs, "--json").stdout)["status"] == "aktiverad"
    listed = {row["id"] for row in json.loads(in_process("list", "--json").stdout)}
    assert listed == {two_teams["anna_case"], theirs}
    assert in_process("plan", theirs, "done", "1").returncode == 0  # hers to change
    again = one_line(in_process("import", str(bundle)))  # her own copy: that she may be told
    assert f"din kopia av ärendet {theirs}" in again

    monkeypatch.setenv("KRONOBARN_STORE", two_teams["bengt_url"])
    assert json.loads(in_process("show", theirs, "--json").stdout) == senders


def test_a_role_in_both_teams_chooses_which_copy_of_a_handed_over_case_with_team(
    two_teams: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pg_server: pg.Server,
    pg_url: str,
) -> None:
    theirs = two_teams["bengt_case"]
    monkeypatch.setenv("KRONOBARN_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["bengt_url"])
    bundle = tmp_path / "fran-beta.age"
    handed = in_process("handover", theirs, "--to", "socialtjanst", "--person", "Kim Berg",
                        "--output", str(bundle), "--yes")  # fmt: skip
    assert handed.returncode == 0, handed.stderr
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
    assert in_process("import", str(bundle)).returncode == 0
    pg.create_role(pg_server, "carl")
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    for team in ("alfa", "beta"):
        assert in_process("db", "grant", "carl", "--team", team).returncode == 0
    monkeypatch.setenv("KRONOBARN_STORE", as_role(pg_server, pg_url, "carl"))
    line = one_line(in_process("show", theirs))
    assert f"Ärendet {theirs} finns i flera av dina team (alfa, beta)" in line
    assert "--team" in line
    for team, status in (("alfa", "aktiverad"), ("beta", "overlamnad")):
        monkeypatch.setenv("KRONOBARN_TEAM", team)
        shown = in_process("show", theirs, "--json")
        assert json.loads(shown.stdout)["status"] == status, team


def test_another_team_cannot_hold_a_case_of_this_team(
    two_teams: dict[str, str], pg_server: pg.Server, pg_url: str, isolated: Path
) -> None:
    """The lock key of a case is the server's secret hash of team and id: bengt can neither
    compute anna's key (the first release's was a hash of the id alone) nor have the server
    take it for him, so anna's case is never held by him."""
    import hashlib  # noqa: PLC0415

    import psycopg  # noqa: PLC0415

    mine = two_teams["anna_case"]
    first_release_key = int.from_bytes(
        hashlib.blake2b(f"kronobarn:{mine}".encode(), digest_size=8).digest(), "big", signed=True
    )
    with pg_server.connect(pg.database_of(pg_url), "bengt") as bengt:
        assert bengt.execute(
            "SELECT pg_try_advisory_lock(%s)", (first_release_key,)
        ).fetchone() == (True,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bengt.execute("SELECT secret FROM kronobarn.lock_secret")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bengt.execute("SELECT kronobarn.case_lock_key('alfa', %s)", (mine,))
        for team in ("alfa", "beta"):
            got = bengt.execute("SELECT kronobarn.lock_case(%s, %s, true)", (team, mine))
            assert got.fetchone() == ((None,) if team == "alfa" else (True,))
        anna = PgStore(two_teams["anna_url"], home=isolated, lock_wait=0)
        try:
            with anna.locked(mine, wait=False):
                assert anna.load(mine).id == mine
        finally:
            anna.close()


# -- the journal table ----------------------------------------------------------------------------


def test_the_journal_table_names_the_database_user_keeps_deletions_and_is_append_only(
    two_teams: dict[str, str], monkeypatch: pytest.MonkeyPatch, pg_server: pg.Server, pg_url: str
) -> None:
    import psycopg  # noqa: PLC0415

    case_id = two_teams["anna_case"]
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
    assert in_process("delete", case_id, "--yes").returncode == 0
    database = pg.database_of(pg_url)
    with pg_server.connect(database) as conn:
        rows = conn.execute(
            "SELECT event, db_user, command FROM kronobarn.journal WHERE case_id = %s ORDER BY seq",
            (case_id,),
        ).fetchall()
        columns = {
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'kronobarn' AND table_name = 'journal'"
            )
        }
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute("UPDATE kronobarn.journal SET command = 'x'")
        with pytest.raises(psycopg.Error, match="append-only"):
            conn.execute("DELETE FROM kronobarn.journal")
    assert rows[0] == ("entry", "anna", "new-case")
    assert rows[-1] == ("delete", "anna", "delete")
    assert {row[1] for row in rows} == {"anna"}
    assert "text" not in columns  # what happened in words stays with the case, and goes with it
    with pg_server.connect(database, "anna") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE kronobarn.journal SET command = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM kronobarn.journal")


ADVISORY_LOCKS = ", ".join(
    f"pg_{try_}advisory_{xact}lock{shared}(bigint)"
    for try_ in ("", "try_")
    for xact in ("", "xact_")
    for shared in ("", "_shared")
)


def test_with_the_advisory_lock_functions_taken_from_public_kronobarn_still_locks(
    two_teams: dict[str, str], pg_server: pg.Server, pg_url: str, isolated: Path
) -> None:
    """The hardening reliability.md names against a role that reads held keys in pg_locks:
    kronobarn's own functions still lock; another role can take no advisory lock at all."""
    import psycopg  # noqa: PLC0415

    database = pg.database_of(pg_url)
    mine = two_teams["anna_case"]
    with pg_server.connect(database) as admin:
        admin.execute(f"REVOKE EXECUTE ON FUNCTION {ADVISORY_LOCKS} FROM PUBLIC")
    try:
        first = PgStore(two_teams["anna_url"], home=isolated, lock_wait=0)
        second = PgStore(two_teams["anna_url"], home=isolated, lock_wait=0)
        try:
            with first.locked(mine, wait=False):
                with pytest.raises(CaseLockedError):
                    second.locked(mine, wait=False).__enter__()
                with (
                    pg_server.connect(database, "bengt") as bengt,
                    pytest.raises(psycopg.errors.InsufficientPrivilege),
                ):
                    bengt.execute("SELECT pg_advisory_lock(1)")
            with second.locked(mine, wait=False):
                assert second.load(mine).id == mine
        finally:
            first.close()
            second.close()
    finally:
        with pg_server.connect(database) as admin:
            admin.execute(f"GRANT EXECUTE ON FUNCTION {ADVISORY_LOCKS} TO PUBLIC")


def test_a_role_adds_journal_rows_only_for_its_teams_cases_and_the_server_sets_the_time(
    two_teams: dict[str, str], pg_server: pg.Server, pg_url: str
) -> None:
    import psycopg  # noqa: PLC0415

    mine, theirs = two_teams["anna_case"], two_teams["bengt_case"]
    database = pg.database_of(pg_url)
    insert = (
        "INSERT INTO kronobarn.journal (case_id, team, event, app_user, command)"
        " VALUES (%s, %s, %s, 'bengt', 'new-case')"
    )
    with pg_server.connect(database, "anna") as conn:
        for team, event in (("alfa", "entry"), ("beta", "entry"), ("alfa", "delete")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level"):
                conn.execute(insert, (theirs, team, event))
        # The time and the database user are the server's: a member may not write them.
        for column, value in (("at", "2001-01-01"), ("recorded_at", "2001-01-01")):
            forged = insert.replace("event,", f"event, {column},").replace(
                "%s, 'b", f"%s, '{value}', 'b"
            )
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="journal"):
                conn.execute(forged, (mine, "alfa", "entry"))
        forged = insert.replace("event,", "event, db_user,").replace("%s, 'b", "%s, 'bengt', 'b")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="journal"):
            conn.execute(forged, (mine, "alfa", "entry"))
        conn.execute(insert, (mine, "alfa", "entry"))
        at, written, user = conn.execute(
            "SELECT at, recorded_at, db_user FROM kronobarn.journal WHERE case_id = %s"
            " ORDER BY seq DESC LIMIT 1",
            (mine,),
        ).fetchone()
    assert at == written and at.year == date.today().year  # the server's time, not 2001
    assert user == "anna"
    with pg_server.connect(database) as conn:
        rows = conn.execute(
            "SELECT db_user, at > '2002-01-01' FROM kronobarn.journal WHERE case_id = %s",
            (theirs,),
        ).fetchall()
    assert rows and set(rows) == {("bengt", True)}  # bengt's own rows, nothing of anna's


def test_a_database_of_the_previous_schema_keeps_teams_apart_after_db_upgrade(
    pg_server: pg.Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, isolated: Path
) -> None:
    """Schema 2 with two teams and their members, upgraded: the members (granted before)
    lock their cases through the server, add journal rows only to them, and a case with the
    other team's id can be added."""
    import psycopg  # noqa: PLC0415

    monkeypatch.chdir(tmp_path)
    made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
    assert made.returncode == 0, made.stderr
    previous = tmp_path / "previous-release"
    previous.mkdir()
    for migration in pgstore.migrations()[:2]:
        shutil.copy(migration.path, previous)
    database = pg_server.new_database()
    url = pg_server.url(database)
    monkeypatch.setenv("KRONOBARN_STORE", url)
    with monkeypatch.context() as old:
        old.setattr(pg_admin, "MIGRATIONS", previous)
        assert in_process("db", "init", "--team", "alfa").returncode == 0
    [case] = insert_as_the_first_release(pg_server, database, isolated, team="alfa")
    with pg_server.connect(database) as conn:
        conn.execute("INSERT INTO kronobarn.teams VALUES ('beta')")
        for role, team in (("anna", "alfa"), ("bengt", "beta")):
            pg.create_role(pg_server, role)
            conn.execute("INSERT INTO kronobarn.team_members VALUES (%s, %s)", (role, team))
            for statement in (  # what `db grant` of the previous release granted
                "GRANT USAGE ON SCHEMA kronobarn TO {}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON kronobarn.cases, kronobarn.reminders"
                " TO {}",
                "GRANT SELECT, INSERT ON kronobarn.journal TO {}",
                "GRANT SELECT ON kronobarn.team_members, kronobarn.settings,"
                " kronobarn.schema_version TO {}",
            ):
                conn.execute(statement.format(role))
        # Old INSERT on the whole journal: a role whose team was removed by hand (no row left),
        # a member an administrator made read-only; and a member dropped without `db revoke`.
        for role in ("eva", "dora", "leaver"):
            pg.create_role(pg_server, role)
        conn.execute("GRANT SELECT, INSERT ON kronobarn.journal TO eva")
        conn.execute("INSERT INTO kronobarn.team_members VALUES ('dora', 'alfa')")
        conn.execute("GRANT SELECT ON kronobarn.journal TO dora")
        conn.execute("INSERT INTO kronobarn.team_members VALUES ('leaver', 'alfa')")
        conn.execute("DROP ROLE leaver")
    done = in_process("db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"till {pgstore.known_schema_version()}.")
    with pg_server.connect(database) as conn:
        may = {
            role: conn.execute(
                "SELECT has_table_privilege(%s, 'kronobarn.journal', 'INSERT'),"
                " has_any_column_privilege(%s, 'kronobarn.journal', 'INSERT')",
                (role, role),
            ).fetchone()
            for role in ("anna", "eva", "dora")
        }
    assert may == {"anna": (False, True), "eva": (False, False), "dora": (False, False)}

    anna = PgStore(pg_server.url(database, "anna"), home=isolated, lock_wait=0)
    try:
        with anna.locked(case.id, wait=False):
            loaded = anna.load(case.id)
            loaded.log("Ärendet ändrades.", local_now(), anna.actor, ["pending"])
            anna.save(loaded)
    finally:
        anna.close()
    bengt = PgStore(pg_server.url(database, "bengt"), home=isolated)
    try:
        bengt.add(case)  # the same id, in his team
        assert bengt.load(case.id).journal == case.journal
    finally:
        bengt.close()
    with (
        pg_server.connect(database, "bengt") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "INSERT INTO kronobarn.journal (case_id, team, event) VALUES (%s, 'alfa', 'entry')",
            (case.id,),
        )
    with (  # granted INSERT on the whole journal before, now only on the client's columns
        pg_server.connect(database, "anna") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "INSERT INTO kronobarn.journal (case_id, team, event, at)"
            " VALUES (%s, 'alfa', 'entry', '2001-01-01')",
            (case.id,),
        )
    with pg_server.connect(database) as conn:
        teams = conn.execute(
            "SELECT team, revision FROM kronobarn.cases WHERE id = %s ORDER BY team", (case.id,)
        ).fetchall()
        written = conn.execute(
            "SELECT db_user, at = recorded_at FROM kronobarn.journal WHERE case_id = %s"
            " AND team = 'alfa' ORDER BY seq DESC LIMIT 1",
            (case.id,),
        ).fetchone()
    assert teams == [("alfa", 2), ("beta", 1)]
    assert written == ("anna", True)  # anna's save, its time and user the server's


# -- many writers ---------------------------------------------------------------------------------

REFUSED, FAILED = 3, 4


def _writer(url: str, home: Path, case_id: str, writer: int) -> NoReturn:
    """100 changes, each read, changed and saved holding the case, as every command does."""
    code = 0
    try:
        store = PgStore(url, home=home, lock_wait=60)
        for number in range(100):
            with store.locked(case_id):
                case = store.load(case_id)
                case.pending.setdefault("skrivare", []).append([writer, number])
                case.log("Ärendet ändrades.", local_now(), store.actor, [f"skrivare-{writer}"])
                store.save(case)
        store.close()
    except BaseException:  # noqa: BLE001 - reported to the test through the exit code
        traceback.print_exc()
        code = FAILED
    finally:
        sys.stderr.flush()
        os._exit(code)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.timeout(120)
def test_four_writer_processes_times_100_updates_of_one_case_lose_nothing(
    team_store: PgStore, pg_url: str, isolated: Path
) -> None:
    case = team_store.create(Child(name="A. B.", birth_year=2016), NOW)
    start_r, start_w = os.pipe()
    children = []
    for writer in range(4):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(start_w)
            os.read(start_r, 1)
            _writer(pg_url, isolated, case.id, writer)
        children.append(pid)
    os.close(start_r)
    os.write(start_w, b"xxxx")
    os.close(start_w)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0] * 4
    final = team_store.load(case.id)
    done = final.pending["skrivare"]
    assert len(done) == 400  # 0 lost, none twice
    for writer in range(4):  # and each writer's own order kept
        assert [n for w, n in done if w == writer] == list(range(100))
    assert len(final.journal) == 401
    with team_store.connection().cursor() as cursor:
        revision = cursor.execute(
            "SELECT revision FROM kronobarn.cases WHERE id = %s", (case.id,)
        ).fetchone()
        rows = cursor.execute(
            "SELECT count(*) FROM kronobarn.journal WHERE case_id = %s", (case.id,)
        ).fetchone()
    assert revision == (401,) and rows == (401,)


def test_writers_without_the_lock_are_kept_apart_by_the_revision(
    team_store: PgStore, workflow: Workflow, pg_url: str, isolated: Path
) -> None:
    """Two sessions that read the same revision: the second save is refused, whatever its
    journal says; read again, it goes through."""
    case = _activated(team_store, workflow)
    first, second = PgStore(pg_url, home=isolated), PgStore(pg_url, home=isolated)
    try:
        one, two = first.load(case.id), second.load(case.id)
        add_action(first, workflow, one, "första", "skola", "2027-03-01", "trygg", now=NOW)
        with pytest.raises(StaleCaseError):
            add_action(second, workflow, two, "andra", "skola", "2027-03-01", "trygg", now=NOW)
        actions = [a.what for a in plan_meeting(team_store.load(case.id)).actions]
        assert "första" in actions and "andra" not in actions
        add_action(second, workflow, second.load(case.id), "andra", "skola", "2027-03-01",
                   "trygg", now=NOW)  # fmt: skip
        actions = [a.what for a in plan_meeting(team_store.load(case.id)).actions]
        assert actions[-2:] == ["första", "andra"]
    finally:
        first.close()
        second.close()


def _activated(store: PgStore, workflow: Workflow) -> Case:
    from ..scenario import realistic_case  # noqa: PLC0415

    store.add(Case(id="k3m9qa", created=NOW, updated=NOW, child=Child(name="Elsa K.")))

    class Adding:
        actor = store.actor

        def save(self, case: Case) -> None:
            if case.journal:
                store.save(case)

        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

    return realistic_case(Adding(), workflow, fixed_clock).case


# -- a connection lost in the middle of a walk ---------------------------------------------------


def test_a_connection_killed_mid_walk_is_one_swedish_line_and_the_walk_resumes(
    team_store: PgStore, workflow: Workflow, pg_server: pg.Server, pg_url: str, isolated: Path
) -> None:
    case = team_store.create(Child(name="A. B.", birth_year=2016), NOW)
    walking = PgStore(pg_url, home=isolated, actor=team_store.actor)
    with walking.locked(case.id):
        walk = Walk(workflow, walking, walking.load(case.id), clock=fixed_clock)
        walk.answer("uppmarksammat", "Oro.")
        with pg_server.connect() as admin:
            killed = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'kronobarn' AND pid <> pg_backend_pid()"
                " AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory')"
            ).fetchall()
        assert killed == [(True,)]
        with pytest.raises(StoreError) as lost:
            walk.answer("egen-insats-racker", False)
    message = lost.value.message
    assert "\n" not in message and "Förbindelsen med databasen bröts" in message
    assert f"kronobarn resume {case.id}" in message
    walking.close()

    # The answer before the kill is kept; another session can take the case and go on.
    resumed = PgStore(pg_url, home=isolated)
    try:
        with resumed.locked(case.id, wait=False):
            again = Walk(workflow, resumed, resumed.load(case.id), clock=fixed_clock)
            assert again.case.answers["behov-av-samverkan"]["uppmarksammat"] == "Oro."
            assert "egen-insats-racker" not in again.case.answers["behov-av-samverkan"]
            again.answer("egen-insats-racker", False)
        assert "egen-insats-racker" in team_store.load(case.id).answers["behov-av-samverkan"]
    finally:
        resumed.close()


# -- moving between files and the database --------------------------------------------------------


def tables(server: pg.Server, url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the team store's tables, in order (the superuser sees every team's)."""
    with server.connect(pg.database_of(url)) as conn:
        return {
            table: conn.execute(
                f"SELECT t.* FROM kronobarn.{table} t ORDER BY t::text"  # noqa: S608 - fixed names
            ).fetchall()
            for table in ("cases", "journal", "reminders", "teams", "team_members")
        }


def files_with_cases(tmp_path: Path, count: int) -> tuple[Path, list[Case]]:
    source = tmp_path / "filer"
    files = CaseStore(source)
    return source, [
        files.create(Child(name=f"Barn {n}", birth_year=2015), NOW) for n in range(count)
    ]


def test_a_connection_lost_during_db_import_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str, pg_server: pg.Server
) -> None:
    """The cases go in batches in one transaction: a connection lost in the second batch
    leaves nothing of the first, and the import run again reads every case in."""
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert in_process("new-case", "--answers", str(first_meeting_answers(tmp_path))).returncode == 0
    before = tables(pg_server, pg_url)
    source, made = files_with_cases(tmp_path, 5)
    flush = pgstore.Importer.flush
    calls: list[int] = []

    def lost_in_the_second_batch(self: pgstore.Importer) -> None:
        calls.append(len(self.pending))
        if len(calls) == 2:
            raise pgstore.psycopg.OperationalError("server closed the connection unexpectedly")
        flush(self)

    with monkeypatch.context() as patch:
        patch.setattr(pg_import, "IMPORT_BATCH", 2)
        patch.setattr(pgstore.Importer, "flush", lost_in_the_second_batch)
        lost = in_process("db", "import", str(source))
    assert calls == [2, 2]
    assert lost.returncode == 1
    assert lost.stderr.strip().splitlines() == [
        "Fel: Förbindelsen med databasen bröts; importen sparades inte. Kör den igen "
        f"(ärenden som redan finns hoppas över): kronobarn db import {source}"
    ]
    assert tables(pg_server, pg_url) == before

    again = in_process("db", "import", str(source))
    assert again.stdout.strip() == "Läste in 5 ärenden; 0 hoppades över."
    listed = json.loads(in_process("list", "--json").stdout)
    assert {case.id for case in made} < {row["id"] for row in listed}
    with pg_server.connect(pg.database_of(pg_url)) as conn:
        rows = conn.execute(
            "SELECT case_id, team, event, app_user, command, fields, db_user FROM"
            " kronobarn.journal WHERE case_id = ANY(%s) ORDER BY seq",
            ([case.id for case in made],),
        ).fetchall()
    assert rows == [
        (case.id, "alfa", "entry", e.user, e.command, list(e.fields), pg.SUPERUSER)
        for case in sorted(made, key=lambda c: c.id)
        for e in case.journal
    ]


def test_a_database_error_in_the_middle_of_db_import_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str, pg_server: pg.Server
) -> None:
    """A real error from the server (a trigger refusing the fourth case of five, in the second
    batch) is one line, and nothing of the import is saved; a broken file is still skipped and
    named, not fatal."""
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert in_process("new-case", "--answers", str(first_meeting_answers(tmp_path))).returncode == 0
    source, made = files_with_cases(tmp_path, 5)
    (source / "arenden" / "abcdef.json").write_text("{", encoding="utf-8")
    refused = sorted(case.id for case in made)[3]
    with pg_server.connect(pg.database_of(pg_url)) as conn:
        conn.execute(
            "CREATE FUNCTION kronobarn.refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF NEW.id = '{refused}' THEN RAISE EXCEPTION 'nej' USING ERRCODE = '23514';"
            " END IF; RETURN NEW; END $$"
        )
        conn.execute(
            "CREATE TRIGGER refuse_one BEFORE INSERT ON kronobarn.cases"
            " FOR EACH ROW EXECUTE FUNCTION kronobarn.refuse_one()"
        )
    before = tables(pg_server, pg_url)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(pg_import, "IMPORT_BATCH", 2)
            failed = in_process("db", "import", str(source))
        assert one_line(failed) == "Fel: Databasfel (23514). Inget av importen sparades."
        assert tables(pg_server, pg_url) == before
    finally:
        with pg_server.connect(pg.database_of(pg_url)) as conn:
            conn.execute("DROP TRIGGER refuse_one ON kronobarn.cases")
            conn.execute("DROP FUNCTION kronobarn.refuse_one()")
    done = in_process("db", "import", str(source))
    assert done.stdout.strip() == "Läste in 5 ärenden; 1 hoppades över."
    assert done.stderr.count("Fel: ") == 1 and "abcdef.json" in done.stderr


def test_db_import_and_export_round_trip_and_a_broken_file_is_skipped_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    source = tmp_path / "filer"
    files = CaseStore(source)
    made = [files.create(Child(name=f"Barn {n}", birth_year=2015), NOW) for n in range(3)]
    broken = files.directory / "abcdef.json"
    broken.write_text('{"id": "abcdef", "child": ', encoding="utf-8")

    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    done = in_process("db", "import", str(source))
    assert done.returncode == 1
    assert done.stdout.strip() == "Läste in 3 ärenden; 1 hoppades över."
    assert done.stderr.strip().splitlines() == [
        f"Fel: Ärendefilen {broken} kan inte läsas: ogiltig JSON (rad 1)"
    ]
    listed = json.loads(in_process("list", "--json").stdout)
    assert sorted(row["id"] for row in listed) == sorted(case.id for case in made)

    again = in_process("db", "import", str(source))  # nothing doubled, nothing overwritten
    assert again.stdout.strip() == "Läste in 0 ärenden; 4 hoppades över."
    assert "Det finns redan ett ärende med id" in again.stderr

    target = tmp_path / "tillbaka"
    exported = in_process("db", "export", str(target))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == "Skrev 3 ärenden; 0 hoppades över."
    for case in made:
        written = target / "arenden" / f"{case.id}.json"
        assert written.stat().st_mode & 0o777 == 0o600
        assert json.loads(written.read_text("utf-8")) == json.loads(
            files.path(case.id).read_text("utf-8")
        )
    assert CaseStore(target).load(made[0].id) == made[0]


def test_list_and_remind_say_the_same_on_files_and_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str, workflow: Workflow
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(3):
        made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
        assert made.returncode == 0, made.stderr
    assert in_process("new-case", "--answers", str(first_meeting_answers(tmp_path))).returncode == 0
    files = {}
    commands = (("list", "--json"), ("remind", "--json", "--within", "365d"),
                ("remind", "--format", "csv", "--within", "365d", "--coordinator"),
                ("remind", "--json", "--overdue", "--today", "2030-01-01"))  # fmt: skip
    for args in commands:
        files[args] = in_process(*args)
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert in_process("db", "import", os.environ["KRONOBARN_HOME"]).returncode == 0
    for args in commands:
        database = in_process(*args)
        assert database.returncode == files[args].returncode == 0
        assert database.stdout == files[args].stdout, args
    assert len(json.loads(files[commands[1]].stdout)) > 0


# -- faults: each one Swedish line -------------------------------------------------------------


def test_an_unreachable_server_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", "postgresql://kb@127.0.0.1:1/kronobarn")
    line = one_line(in_process("list"))
    assert "Kan inte nå databasservern 127.0.0.1:1/kronobarn" in line


def test_a_wrong_password_is_one_line(
    pg_server: pg.Server, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.tcp_url(pg_database))
    monkeypatch.setenv("PGPASSWORD", "fel-lösen")
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    assert "godtog inte inloggningen" in one_line(in_process("list"))
    monkeypatch.setenv("PGPASSWORD", pg.PASSWORD)
    pg_server.reset(pg_database)
    assert in_process("list").returncode == 0  # the right one, from the environment


def test_a_password_in_the_address_is_refused_before_anything_connects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for url in ("postgresql://kb:hemligt@127.0.0.1:1/x", "postgresql://kb@h/x?password=hemligt"):
        monkeypatch.setenv("KRONOBARN_STORE", url)
        line = one_line(in_process("list"))
        assert "Lösenordet får inte stå i databasadressen" in line and "hemligt" not in line


def test_without_psycopg_a_team_store_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.setenv("KRONOBARN_STORE", "postgresql://kb@127.0.0.1:1/x")
    assert "pip install 'kronobarn-cli[postgres]'" in one_line(in_process("list"))


def test_an_unknown_store_address_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", "mysql://x")
    assert "Okänd lagringsplats" in one_line(in_process("list"))
    assert "postgresql" in one_line(in_process("--store", "file:", "db", "init"))


def test_a_missing_schema_is_one_line_and_db_init_makes_it(
    pg_server: pg.Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = pg_server.url(pg_server.new_database())
    monkeypatch.setenv("KRONOBARN_STORE", url)
    assert "kronobarn db init" in one_line(in_process("list"))
    assert "kronobarn db init" in one_line(in_process("db", "upgrade"))
    done = in_process("db", "init", "--team", "elevhalsa")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Schemat är skapat (version {pgstore.known_schema_version()})."
    assert "db upgrade" in one_line(in_process("db", "init"))
    assert in_process("db", "upgrade").stdout.strip() == (
        f"Schemat är redan version {pgstore.known_schema_version()}."
    )
    made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
    assert made.returncode == 0, made.stderr
    database = pg.database_of(url)
    with pg_server.connect(database) as conn:
        team = conn.execute("SELECT team FROM kronobarn.cases").fetchone()
    assert team == ("elevhalsa",)


def test_a_newer_schema_is_refused(pg_server: pg.Server, monkeypatch: pytest.MonkeyPatch) -> None:
    database = pg_server.new_database(pg.TEMPLATE)
    with pg_server.connect(database) as conn:
        conn.execute("INSERT INTO kronobarn.schema_version (version, name) VALUES (999, 'framtid')")
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.url(database))
    line = one_line(in_process("list"))
    assert "version 999, nyare än denna version av kronobarn" in line
    assert "999" in one_line(in_process("db", "upgrade"))


def test_an_older_schema_asks_for_db_upgrade(
    pg_server: pg.Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A release with a further migration: the database at this release's schema is
    upgraded by `db upgrade`, each migration recorded."""
    known = pgstore.known_schema_version()
    extra = tmp_path / "migrations"
    extra.mkdir()
    for migration in pgstore.migrations():
        (extra / migration.path.name).write_text(migration.text(), encoding="utf-8")
    (extra / "9000_proov.sql").write_text(
        "ALTER TABLE kronobarn.cases ADD COLUMN proov text;", encoding="utf-8"
    )
    database = pg_server.new_database(pg.TEMPLATE)
    monkeypatch.setattr(pg_admin, "MIGRATIONS", extra)
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.url(database))
    assert "kronobarn db upgrade" in one_line(in_process("list"))
    done = in_process("db", "upgrade")
    assert done.stdout.strip() == f"Schemat är uppdaterat från version {known} till 9000."
    assert in_process("list").returncode == 0
    with pg_server.connect(database) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM kronobarn.schema_version")]
    assert sorted(versions) == [m.version for m in pgstore.migrations()]  # 9000 included


def insert_as_the_first_release(
    server: pg.Server, database: str, home: Path, team: str = "alfa"
) -> list[Case]:
    """The cases of the files in `home`, written as the first release of the team store wrote
    them (no summary rows, a client-given journal time), as the owner."""
    cases = [case for case in CaseStore(home).iter_cases() if isinstance(case, Case)]
    with server.connect(database) as conn:
        for case in cases:
            conn.execute(
                "INSERT INTO kronobarn.cases (id, team, revision, data, status, created, updated,"
                " closed_on, next_meeting, coordinator, organisations)"
                " VALUES (%(id)s, %(team)s, 1, %(data)s, %(status)s, %(created)s, %(updated)s,"
                " %(closed_on)s, %(next_meeting)s, %(coordinator)s, %(organisations)s)",
                {"id": case.id, "team": team, "data": pgstore._data(case)} | pgstore._columns(case),
            )
            for e in case.journal:
                conn.execute(
                    "INSERT INTO kronobarn.journal (case_id, team, event, at, app_user, command,"
                    " fields) VALUES (%s, %s, 'entry', %s, %s, %s, %s)",
                    (case.id, team, e.at, e.user, e.command, list(e.fields)),
                )
    return cases


def test_cases_saved_before_the_summary_tables_are_listed_and_reminded_after_db_upgrade(
    pg_server: pg.Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A database made by the first release (schema 1, no summary rows): after `db upgrade`
    the first `list`/`remind` writes the summaries, and says what the files say."""
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
        assert made.returncode == 0, made.stderr
    commands = (("list", "--json"), ("remind", "--json", "--within", "365d"))
    files = {args: in_process(*args).stdout for args in commands}
    first = tmp_path / "first-release"
    first.mkdir()
    shutil.copy(pgstore.migrations()[0].path, first)
    database = pg_server.new_database()
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.url(database))
    with monkeypatch.context() as old:
        old.setattr(pg_admin, "MIGRATIONS", first)
        assert in_process("db", "init", "--team", "alfa").returncode == 0
    insert_as_the_first_release(pg_server, database, Path(os.environ["KRONOBARN_HOME"]))
    assert "kronobarn db upgrade" in one_line(in_process("list"))
    assert in_process("db", "upgrade").returncode == 0
    for args in commands:
        assert in_process(*args).stdout == files[args], args


def test_a_role_without_access_to_an_id_gets_the_unknown_id_message_even_when_it_is_open(
    two_teams: dict[str, str], pg_url: str, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session holding bengt's case must not tell anna that the id exists."""
    holder = PgStore(two_teams["bengt_url"], home=isolated)
    theirs = two_teams["bengt_case"]
    try:
        with holder.locked(theirs):
            monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
            line = one_line(in_process("plan", theirs, "done", "1"))
            assert line == f"Fel: Det finns inget ärende med id '{theirs}'. Se 'kronobarn list'."
            # Nor does its lock: anna's key for the id is another (her team's), never busy.
            anna = PgStore(two_teams["anna_url"], home=isolated)
            try:
                with anna.locked(theirs, wait=False), pytest.raises(UnknownCaseError):
                    anna.load(theirs)
            finally:
                anna.close()
    finally:
        holder.close()


def test_a_database_error_that_slips_past_the_store_is_still_one_swedish_line(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg  # noqa: PLC0415

    def broken(self: PgStore, case_id: str) -> Case:
        raise psycopg.errors.UndefinedTable("relation does not exist")

    monkeypatch.setattr(PgStore, "load", broken)
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert "kronobarn db init" in one_line(in_process("show", "abcdef"))


@pytest.mark.pty
@pytest.mark.timeout(90)
@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_the_real_command_killed_mid_walk_says_so_in_swedish_and_resume_goes_on(
    pg_server: pg.Server, pg_url: str, isolated: Path
) -> None:
    """`kronobarn new-case` in a pseudo-terminal; its connection is killed between two answers:
    the next answer ends in one Swedish line, and `kronobarn resume ID` asks that question again."""
    env = {"KRONOBARN_STORE": pg_url}
    child = spawn(isolated, "new-case", env=env)
    answer(child, "Barnets namn eller initialer", "E. K.\r", ready=None)
    answer(child, "Barnets födelseår", "2016\r")
    answer(child, "Vilken verksamhet arbetar du i", DOWN * 5 + "\r")
    answer(child, "Vad har ni uppmärksammat", "Oro för skolfrånvaro.\r")
    child.expect("Räcker det stöd")
    child.expect("illbaka")
    database = pg.database_of(pg_url)
    with pg_server.connect(database) as admin:
        case_id = admin.execute("SELECT id FROM kronobarn.cases").fetchone()[0]
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'kronobarn'"
        ).fetchall()
    assert killed == [(True,)]
    child.send(DOWN + "\r")
    child.expect(f"Fel: Förbindelsen med databasen bröts.*kronobarn resume {case_id}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "Traceback" not in (child.before or "")

    resumed = spawn(isolated, "resume", case_id, env=env)
    answer(resumed, "Räcker det stöd", "\x03", ready="illbaka")  # asked again; then Ctrl-C
    resumed.expect(pexpect.EOF)
    resumed.close()
    with pg_server.connect(database) as admin:
        data = admin.execute("SELECT data FROM kronobarn.cases").fetchone()[0]
    assert data["answers"]["behov-av-samverkan"]["uppmarksammat"] == "Oro för skolfrånvaro."


def test_an_unknown_role_or_database_is_one_line(
    pg_server: pg.Server, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.url(pg_database, "ingen_sadan_roll"))
    assert "godtog inte inloggningen" in one_line(in_process("list"))
    monkeypatch.setenv("KRONOBARN_STORE", pg_server.url("finns_inte"))
    line = one_line(in_process("list"))
    assert f"Databasen {pg_server.socket_dir}:{pg_server.port}/finns_inte finns inte" in line


def test_a_row_that_does_not_validate_is_reported_like_a_broken_file_and_kept(
    team_store: PgStore, pg_server: pg.Server, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = team_store.create(Child(name="A. B.", birth_year=2016), NOW)
    bad = team_store.create(Child(name="C. D.", birth_year=2016), NOW)
    database = pg.database_of(pg_url)
    with pg_server.connect(database) as conn:
        conn.execute(
            "UPDATE kronobarn.cases SET data = jsonb_set(data, '{status}', '\"okänd\"')"
            " WHERE id = %s",
            (bad.id,),
        )
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    listed = in_process("list", "--json")
    assert listed.returncode == 1
    assert [row["id"] for row in json.loads(listed.stdout)] == [good.id]
    assert listed.stderr.startswith(f"Fel: Ärendet {bad.id} i databasen kan inte läsas: status")
    line = one_line(in_process("plan", bad.id, "done", "1"))
    assert line.startswith(f"Fel: Ärendet {bad.id} i databasen kan inte läsas")
    assert in_process("delete", bad.id, "--yes").returncode == 0  # it can still be deleted


def test_remind_on_the_team_store_follows_the_day_as_the_files_do(
    team_store: PgStore, store: CaseStore, workflow: Workflow, monkeypatch: pytest.MonkeyPatch,
    pg_url: str,
) -> None:  # fmt: skip
    """Summary rows hold for the days between consent dates: asked about another day, the
    team store writes them anew, and says what the file store says on every day."""
    walk = realistic_case(store, workflow, fixed_clock)
    case = walk.case.model_copy(deep=True)
    case.consents[0] = case.consents[0].model_copy(update={"valid_until": date(2026, 12, 10)})
    store.save(case)
    team_store.add(store.load(case.id))
    seen = set()
    for offset in range(0, 40, 4):
        day = (date(2026, 11, 18) + timedelta(days=offset)).isoformat()
        args = ("remind", "--json", "--today", day, "--within", "6m", "--kind", "consent")
        monkeypatch.delenv("KRONOBARN_STORE", raising=False)
        files = in_process(*args)
        monkeypatch.setenv("KRONOBARN_STORE", pg_url)
        assert in_process(*args).stdout == files.stdout, day
        seen.add(tuple(r["text"] for r in json.loads(files.stdout)))
    assert len(seen) >= 3  # before the consent, while it holds, after it ran out


def test_a_case_changed_in_sql_by_hand_is_read_anew_by_list_and_remind(
    team_store: PgStore, pg_server: pg.Server, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = team_store.create(Child(name="A. B.", birth_year=2016), NOW)
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    assert "A. B." in in_process("list", "--json").stdout
    with pg_server.connect(pg.database_of(pg_url)) as conn:
        conn.execute(
            "UPDATE kronobarn.cases SET data = jsonb_set(data, '{child,name}', '\"E. F.\"')"
            " WHERE id = %s",
            (made.id,),
        )
    listed = in_process("list", "--json").stdout
    assert "E. F." in listed and "A. B." not in listed


def test_a_case_moved_to_another_team_in_sql_takes_its_reminders_along(
    two_teams: dict[str, str], pg_server: pg.Server, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved = two_teams["anna_case"]
    with pg_server.connect(pg.database_of(pg_url)) as conn:
        conn.execute("UPDATE kronobarn.cases SET team = 'beta' WHERE id = %s", (moved,))
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["anna_url"])
    for day in ("2026-11-23", "2027-03-01"):
        seen = in_process("remind", "--json", "--with-names", "--within", "12m", "--today", day)
        assert seen.returncode == 0 and json.loads(seen.stdout) == [], day
    monkeypatch.setenv("KRONOBARN_STORE", two_teams["bengt_url"])
    for day in ("2026-11-23", "2027-03-01"):
        seen = in_process("remind", "--json", "--within", "12m", "--today", day)
        assert seen.returncode == 0, seen.stderr
        assert moved in {r["case_id"] for r in json.loads(seen.stdout)}, day


def test_after_db_upgrade_a_list_item_written_before_says_the_status_of_the_day(
    pg_server: pg.Server, monkeypatch: pytest.MonkeyPatch, workflow: Workflow
) -> None:
    """A summary written by an earlier release said the status of the case's last change, for
    every day after its consent ran out; the migration has every summary written anew."""
    database = pg_server.new_database(pg.TEMPLATE)
    url = pg_server.url(database)
    data = first_meeting(workflow).model_dump()
    data["consents"][0]["valid_until"] = date(2026, 11, 25)  # before the day the test runs
    case = Case.model_validate(data)
    store = PgStore(url, home=Path(os.environ["KRONOBARN_HOME"]))
    store.add(case)
    store.close()
    stale = json.dumps({"id": case.id, "status": "aktiverad"})
    with pg_server.connect(database) as conn:
        # As the earlier release left it, and at the schema version before the migration.
        conn.execute(
            "UPDATE kronobarn.cases SET listed = %s, valid_from = '2026-11-26', "
            "valid_to = '9999-12-31'",
            (stale,),
        )
        conn.execute("DELETE FROM kronobarn.schema_version WHERE version = 3")
    monkeypatch.setenv("KRONOBARN_STORE", url)
    assert in_process("db", "upgrade").returncode == 0
    [row] = json.loads(in_process("list", "--json").stdout)
    assert (row["id"], row["status"]) == (case.id, "vantar-pa-samtycke")


def test_untrusted_input_db_import_holds_each_case_to_the_limits_of_an_answers_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_url: str
) -> None:
    """A hand-edited case file with a text no answer may have is skipped and named; the
    others are imported, and nothing of it is saved."""
    source = tmp_path / "filer"
    files = CaseStore(source)
    kept = files.create(Child(name="Barn 1", birth_year=2015), NOW)
    big = files.create(Child(name="Barn 2", birth_year=2015), NOW)
    data = json.loads(files.path(big.id).read_text(encoding="utf-8"))
    data["answers"] = {"behov-av-samverkan": {"uppmarksammat": "x" * 50_000}}
    files.path(big.id).write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    done = in_process("db", "import", str(source))
    assert done.returncode == 1
    assert done.stdout.strip() == "Läste in 1 ärende; 1 hoppades över."
    [line] = done.stderr.strip().splitlines()
    assert "går över en gräns" in line and "Inget sparades" in line
    listed = json.loads(in_process("list", "--json").stdout)
    assert [row["id"] for row in listed] == [kept.id]


def test_summaries_out_of_date_are_written_anew_in_one_transaction_per_batch(
    team_store: PgStore, pg_server: pg.Server, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first `list`/`remind` of a day writes the out-of-date summaries a batch at a time
    (not one transaction per case); a row that is no case is still reported and unlisted."""
    made = [team_store.create(Child(name=f"Barn {n}", birth_year=2016), NOW) for n in range(5)]
    bad = made[2]
    with pg_server.connect(pg.database_of(pg_url)) as conn:
        conn.execute("UPDATE kronobarn.cases SET valid_from = NULL, listed = NULL")
        conn.execute(
            "UPDATE kronobarn.cases SET data = jsonb_set(data, '{status}', '\"okänd\"')"
            " WHERE id = %s",
            (bad.id,),
        )
    store = PgStore(pg_url, home=team_store.home)
    conn = store.connection()
    transaction = type(conn).transaction
    opened: list[int] = []

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return transaction(self, *args, **kwargs)

    monkeypatch.setattr(type(conn), "transaction", counted)
    try:
        _, listing = store.indexed(date.today())
        assert len(opened) == 1
        [problem] = listing.broken
        assert problem.startswith(f"Ärendet {bad.id} i databasen kan inte läsas: status")
    finally:
        monkeypatch.undo()
        store.close()
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    listed = json.loads(in_process("list", "--json").stdout)
    assert sorted(row["id"] for row in listed) == sorted(c.id for c in made if c is not bad)
