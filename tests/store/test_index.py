"""The summary index is a cache, never the truth: after every kind of write, a crash between the
case file and the index, hand edits and a corrupt index, `list` and `remind` print exactly what
they print when computed from the case files alone."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import (
    Case,
    Child,
    Consent,
    ConsentWithdrawal,
)
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.render import tables
from kronobarn_cli.store import index as index_module
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.index import INDEX_FILE, CaseIndex, IndexUnusable

from ..conftest import fixed_clock
from ..helpers import Completed, in_process
from ..scenario import (
    COORDINATION,
    GUARDIAN_ORAL,
    GUARDIANS,
    INVITATION,
    MEETING,
    PLAN,
    activate_need,
    answer_all,
    realistic_case,
)

TODAY = "2026-11-23"
FIXTURES = Path(__file__).parents[1] / "fixtures"
SKOLA = OrganisationRef(id="skola", name="Skola")
SOC = OrganisationRef(id="socialtjanst", name="Socialtjänst")

OUTPUTS: list[tuple[str, ...]] = [
    ("list", "--json"),
    ("list",),
    ("remind", "--json", "--today", TODAY, "--within", "2027-12-31", "--with-names"),
    ("remind", "--today", TODAY, "--within", "2027-12-31", "--with-names"),
    ("remind", "--format", "csv", "--today", TODAY, "--within", "6m"),
    ("remind", "--json", "--today", TODAY, "--organisation", "SKOLA", "--within", "1m"),
    ("remind", "--json", "--today", TODAY, "--organisation", "Skola", "--coordinator"),
    ("remind", "--json", "--today", "2027-06-01", "--overdue", "--kind", "action"),
    ("remind", "--json", "--today", TODAY, "--include-handed-over", "--within", "12m"),
    ("remind", "--today", TODAY, "--fail-on", "overdue", "--within", "12m"),
]


def from_files(monkeypatch: pytest.MonkeyPatch, *args: str) -> Completed:
    """The command as it runs without the index: every case file read."""
    with monkeypatch.context() as patched:
        patched.setattr(CaseStore, "indexed", lambda self, day: None)
        return in_process(*args)


def assert_index_agrees(monkeypatch: pytest.MonkeyPatch, *, every_form: bool = True) -> None:
    """The outputs with the index equal those from the files: every form, or (between the
    steps of a longer test) the three that read all of the index."""
    for args in OUTPUTS if every_form else (OUTPUTS[0], OUTPUTS[2], OUTPUTS[3]):
        indexed = in_process(*args)
        files = from_files(monkeypatch, *args)
        assert (indexed.returncode, indexed.stdout, indexed.stderr) == (
            files.returncode,
            files.stdout,
            files.stderr,
        ), args


def index_rows(home: Path) -> int:
    with sqlite3.connect(home / "arenden" / INDEX_FILE) as db:
        count: int = db.execute("SELECT count(*) FROM files").fetchone()[0]
    return count


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The case files read, by name, while the test runs."""
    seen: list[str] = []
    real = CaseStore._read

    def counting(self: CaseStore, path: Path) -> Case:
        seen.append(path.name)
        return real(self, path)

    monkeypatch.setattr(CaseStore, "_read", counting)
    yield seen


def test_outputs_equal_the_files_after_a_walk_plan_verbs_consents_close_and_delete(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, isolated: Path
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    assert_index_agrees(monkeypatch, every_form=False)
    other = store.create(Child(name="Väntar"), datetime(2026, 10, 1, tzinfo=UTC))
    assert_index_agrees(monkeypatch)
    case_id = walk.case.id
    for args in [
        ("plan", case_id, "add", "--what", "Läxhjälp", "--organisation", "skola",
         "--due", "2026-11-30", "--area", "utvecklas"),
        ("plan", case_id, "done", "1"),
        ("consent", case_id, "withdraw", "--giver", "vardnadshavare-1",
         "--organisation", "socialtjanst"),
        ("edit", case_id, "--name", "Elsa Karlsson"),
    ]:  # fmt: skip
        assert in_process(*args).returncode == 0, args
        assert_index_agrees(monkeypatch, every_form=False)
    assert in_process("close", other.id, "--reason", "Flyttat.").returncode == 0
    assert_index_agrees(monkeypatch, every_form=False)
    assert in_process("delete", case_id, "--yes").returncode == 0
    assert_index_agrees(monkeypatch)
    assert index_rows(isolated) == 1


def test_each_walk_step_is_in_the_index_when_it_is_saved(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    case = store.create(Child(name="Stegvis", birth_year=2014), fixed_clock())
    walk = Walk(workflow, store, case, clock=fixed_clock)
    activate_need(walk)
    steps = [("ungdom-mogen", False), GUARDIANS, ("samtycken", [GUARDIAN_ORAL])]
    for step in [*steps, *INVITATION, *MEETING, *PLAN, *COORDINATION]:
        answer_all(walk, [step])
        for args in (("list", "--json"), ("remind", "--json", "--within", "12m")):
            assert in_process(*args).stdout == from_files(monkeypatch, *args).stdout, step
    assert walk.case.status == "aktiverad"


def test_a_crash_between_the_case_file_and_the_index_is_seen_and_mended(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, reads: list[str]
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0

    def killed(*_: object, **__: object) -> None:
        raise IndexUnusable("killed before the index was written")

    with monkeypatch.context() as patched:
        patched.setattr(CaseIndex, "record", killed)
        assert in_process("edit", walk.case.id, "--name", "Efter kraschen").returncode == 0
    reads.clear()
    listed = in_process("list", "--json")
    assert "Efter kraschen" in listed.stdout
    assert reads == [f"{walk.case.id}.json"]  # the stale row was re-read, nothing else
    assert_index_agrees(monkeypatch)


def test_only_changed_new_or_vanished_files_are_read(
    store: CaseStore, workflow: Workflow, reads: list[str], isolated: Path
) -> None:
    realistic_case(store, workflow, fixed_clock)
    for name in ("Ett", "Två", "Tre"):
        store.create(Child(name=name), fixed_clock())
    in_process("remind", "--json")
    reads.clear()
    assert in_process("list", "--json").returncode == 0
    assert in_process("remind", "--json").returncode == 0
    assert reads == []
    assert index_rows(isolated) == 4


def test_hand_edits_copies_and_deletions_are_seen(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, isolated: Path
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    assert_index_agrees(monkeypatch, every_form=False)
    path = store.path(walk.case.id)
    # Edited by hand to the same size, its modification time put back: the change time and
    # the inode still tell.
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Elsa K.", "Olle K."), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "Olle K." in in_process("list", "--json").stdout
    assert_index_agrees(monkeypatch, every_form=False)
    # Copied in by hand: a case file from the first release.
    shutil.copy(FIXTURES / "case-v1.json", store.directory / "k3m9qb.json")
    (store.directory / "k3m9qb.json").chmod(0o600)
    assert "k3m9qb" in in_process("list", "--json").stdout
    assert_index_agrees(monkeypatch, every_form=False)
    # A broken file copied in is reported on every run, not only the first.
    (store.directory / "trasig.json").write_text("{", encoding="utf-8")
    for _ in range(2):
        listed = in_process("list", "--json")
        assert listed.returncode == 1 and "trasig.json" in listed.stderr
    assert_index_agrees(monkeypatch, every_form=False)
    # Deleted by hand.
    path.unlink()
    (store.directory / "trasig.json").unlink()
    assert walk.case.id not in in_process("list", "--json").stdout
    assert_index_agrees(monkeypatch)


@pytest.mark.parametrize(
    "damage",
    [
        b"not a database at all",
        b"SQLite format 3\x00" + b"\xff" * 4000,
        b"",
    ],
)
def test_a_corrupt_index_is_rebuilt(
    damage: bytes, monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0
    (store.directory / INDEX_FILE).write_bytes(damage)
    assert_index_agrees(monkeypatch)
    assert index_rows(store.home) == 1


def test_an_index_of_another_format_or_a_forged_row_is_not_trusted_blindly(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0
    with sqlite3.connect(store.directory / INDEX_FILE) as db:
        db.execute("PRAGMA user_version = 999")
    assert_index_agrees(monkeypatch, every_form=False)
    with sqlite3.connect(store.directory / INDEX_FILE) as db:
        db.execute("UPDATE files SET sig = sig || 'x'")  # a row that matches no file
    assert_index_agrees(monkeypatch)


def test_an_index_that_is_a_link_or_a_directory_is_not_used(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, tmp_path: Path
) -> None:
    realistic_case(store, workflow, fixed_clock)
    target = tmp_path / "elsewhere"
    (store.directory / INDEX_FILE).unlink()
    (store.directory / INDEX_FILE).symlink_to(target)
    assert_index_agrees(monkeypatch, every_form=False)
    assert not target.exists()
    (store.directory / INDEX_FILE).unlink()
    (store.directory / INDEX_FILE).mkdir()
    assert_index_agrees(monkeypatch)


def test_reminders_follow_the_day_asked_about_across_consent_dates(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    case = walk.case.model_copy(deep=True)
    case.consents.append(
        Consent(
            giver="vardnadshavare-1",
            form="skriftlig",
            given_on=date(2026, 11, 20),
            valid_until=date(2026, 12, 10),
            organisations=[SKOLA, SOC],
        )
    )
    case.withdrawals.append(
        ConsentWithdrawal(
            giver="vardnadshavare-1",
            on=date(2027, 1, 15),
            organisations=[SOC],
            consents_before=len(case.consents),
            recorded=fixed_clock(),
        )
    )
    store.save(case)
    start = date(2026, 11, 18)
    for offset in range(0, 70, 5):
        day = (start + timedelta(days=offset)).isoformat()
        for args in (("remind", "--json", "--today", day, "--within", "6m"),
                     ("remind", "--json", "--today", day, "--kind", "consent")):  # fmt: skip
            indexed = in_process(*args)
            assert indexed.stdout == from_files(monkeypatch, *args).stdout, args


def test_waiting_for_consent_uses_the_days_in_config(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, isolated: Path
) -> None:
    created = datetime(2026, 11, 1, tzinfo=UTC)
    store.save(Case(id="vvvvvv", created=created, updated=created, child=Child(name="Väntar"),
                    status="vantar-pa-samtycke"))  # fmt: skip
    args = ("remind", "--json", "--today", TODAY)
    assert len(json.loads(in_process(*args).stdout)) == 1
    (isolated / "config.yaml").write_text("consent_days: 30\n", encoding="utf-8")
    assert in_process(*args).stdout.strip() == "[]"
    assert in_process(*args).stdout == from_files(monkeypatch, *args).stdout


def test_a_deleted_case_leaves_nothing_of_itself_in_the_index(
    store: CaseStore, workflow: Workflow
) -> None:
    walk = realistic_case(store, workflow, fixed_clock, name="Unikt Barnnamn")
    assert in_process("list").returncode == 0

    def index_bytes() -> bytes:  # the database and its write-ahead log
        return b"".join(p.read_bytes() for p in store.directory.glob(f"{INDEX_FILE}*"))

    assert b"Unikt Barnnamn" in index_bytes()
    assert in_process("delete", walk.case.id, "--yes").returncode == 0
    assert b"Unikt Barnnamn" not in index_bytes()
    assert walk.case.id.encode() not in index_bytes()


def test_the_index_is_readable_only_by_the_user(store: CaseStore, workflow: Workflow) -> None:
    realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0
    assert (store.directory / INDEX_FILE).stat().st_mode & 0o077 == 0


def test_listing_an_empty_or_missing_store_creates_nothing(isolated: Path) -> None:
    assert in_process("list").returncode == 0
    assert in_process("remind").returncode == 0
    assert not isolated.exists()


def test_a_store_the_index_cannot_be_written_in_is_read_from_the_files(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock)

    def refuse(self: CaseIndex) -> sqlite3.Connection:
        raise IndexUnusable("read-only")

    monkeypatch.setattr(index_module.CaseIndex, "_connect", refuse)
    listed = in_process("list", "--json")
    assert listed.returncode == 0 and "k3m9qa" in listed.stdout


@given(
    line=st.lists(st.sampled_from(["a", "bb", "ccc", "å" * 7, "x" * 25, ""]), max_size=12).map(
        " ".join
    ),
    room=st.integers(min_value=1, max_value=30),
)
def test_narrow_lines_wrap_as_lines_measured_in_cells(line: str, room: int) -> None:
    """The fast wrap of one-cell characters breaks lines where the measured one does."""
    assert tables._fit_narrow(line, room) == tables._fit_cells(line, room)


@given(
    texts=st.lists(
        st.text(alphabet=st.sampled_from("ab cå-漢字\u0301"), max_size=60), min_size=6, max_size=6
    ),
    columns=st.integers(min_value=40, max_value=160),
)
def test_a_table_line_is_never_wider_than_the_terminal_and_keeps_every_word(
    texts: list[str], columns: int
) -> None:
    headers = ["Ärende", "Sort", "Datum", "När", "Vad", "Barn"]
    least = [6, 8, 17, 0, 0, 0]
    table = tables.Table(headers, width=columns, wrap=4, color=False, least=least)
    row = ["abcdef", "Insats", "1 januari 2027", "om 3 dagar", texts[4], texts[5][:8]]
    lines = list(table.lines("Skola", [row]))
    widest = max(tables.width(line) for line in lines[1:])
    fixed = sum(
        max(tables.width(h), tables.width(c), n)
        for i, (h, c, n) in enumerate(zip(headers, row, least, strict=True))
        if i != 4
    )
    assert widest <= max(columns, fixed + 3 * len(headers) + 1 + tables._MIN_WRAPPED)
    column = [line.split("│")[5] for line in lines if line.startswith("│")]
    assert "".join("".join(column).split()) == "".join(texts[4].split())


def test_odd_entries_in_the_directory_are_reported_as_the_files_alone_report_them(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, isolated: Path
) -> None:
    """A name that is not UTF-8, a directory or a hidden file named like a case: the other
    cases are listed and reminded of, each odd entry reported, as without the index."""
    walk = realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0
    data = store.path(walk.case.id).read_bytes()
    Path(os.fsdecode(os.fsencode(store.directory) + b"/x\xff.json")).mkdir()
    (store.directory / "mapp.json").mkdir()
    (store.directory / ".gomd.json").write_bytes(data)
    listed = in_process("list", "--json")
    assert listed.returncode == 1 and walk.case.id in listed.stdout
    assert "mapp.json kan inte läsas: är ingen vanlig fil" in listed.stderr
    assert_index_agrees(monkeypatch)


def test_a_broken_file_is_named_where_it_is_now(
    store: CaseStore, workflow: Workflow, isolated: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    realistic_case(store, workflow, fixed_clock)
    (store.directory / "trasig.json").write_text("{", encoding="utf-8")
    assert in_process("list").returncode == 1
    moved = tmp_path / "flyttad"
    isolated.rename(moved)
    monkeypatch.setenv("KRONOBARN_HOME", str(moved))
    listed = in_process("list")
    assert f"{moved}/arenden/trasig.json" in listed.stderr and str(isolated) not in listed.stderr


def test_an_index_file_others_could_read_is_made_readable_only_by_the_user(
    store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock)
    index_file = store.directory / INDEX_FILE
    index_file.touch()
    index_file.chmod(0o644)
    assert in_process("list").returncode == 0
    assert index_file.stat().st_mode & 0o077 == 0


def test_table_lines_are_all_as_wide_with_tabs_and_wide_names(
    store: CaseStore, workflow: Workflow
) -> None:
    walk = realistic_case(store, workflow, fixed_clock, name="漢" * 40)
    case = walk.case.model_copy(deep=True)
    case.meetings[0].actions[0].what = "Tab\there och\tdär"
    store.save(case)
    shown = in_process("remind", "--with-names", "--within", "12m", columns=80)
    lines = [line for line in shown.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    widths = {tables.width(line) for line in lines}
    assert len(widths) == 1  # aligned: a tab counted as one cell would push the border
    # A long name wraps in its column: the table is as wide as its columns need at least,
    # not as wide as the name.
    assert widths.pop() <= 100
    assert "\t" not in shown.stdout


# -- rows changed in the index itself -----------------------------------------------------------

PLANTED = "Planterad Namnsson"


def plant(directory: Path, real: str) -> None:
    """What the attack did: the child's name changed in the index's rows, their file
    signatures kept, and a reminder row no case gives, copied from one with its signature."""
    with sqlite3.connect(directory / INDEX_FILE) as db:
        db.execute("UPDATE files SET listed = replace(listed, ?, ?)", (real, PLANTED))
        for column in ("child", "child_json", "child_csv", "text", "head"):
            db.execute(
                f"UPDATE reminders SET {column} = replace({column}, ?, ?)",  # noqa: S608
                (real, PLANTED),
            )
        db.execute("CREATE TEMP TABLE copied AS SELECT * FROM reminders LIMIT 1")
        db.execute(
            "UPDATE copied SET seq = seq + 1000, child = ?, text = ?, head = head || ?",
            (PLANTED, PLANTED, PLANTED),
        )
        db.execute("INSERT OR REPLACE INTO reminders SELECT * FROM copied")


def test_a_row_planted_in_the_index_is_never_shown_and_the_file_is_read_again(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock, name="Elsa Riktig")
    for args in OUTPUTS:
        assert in_process(*args).returncode in (0, 1)  # the index as kronobarn writes it
        plant(store.directory, "Elsa Riktig")
        shown = in_process(*args)
        assert PLANTED not in shown.stdout + shown.stderr, args
        if "list" in args or "--with-names" in args:
            assert shown.returncode == 1, args
            [line] = shown.stderr.splitlines()
            assert line.startswith(f"Fel: Sammanfattningsindexet {store.directory / INDEX_FILE}")
            assert "visades inte" in line
    assert_index_agrees(monkeypatch)  # the next run reads the file again: all as it is


def test_rows_of_an_earlier_state_of_the_file_put_back_are_never_shown(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, tmp_path: Path
) -> None:
    walk = realistic_case(store, workflow, fixed_clock, name="Elsa Riktig")
    assert in_process("list").returncode == 0
    earlier = tmp_path / "earlier.sqlite3"
    with sqlite3.connect(store.directory / INDEX_FILE) as db:
        db.execute("VACUUM INTO ?", (str(earlier),))
    assert in_process("edit", walk.case.id, "--name", "Ny Namnsson").returncode == 0
    assert in_process("list").returncode == 0
    with sqlite3.connect(store.directory / INDEX_FILE) as db:
        db.execute("ATTACH ? AS earlier", (str(earlier),))
        db.execute("DELETE FROM reminders")
        db.execute("INSERT INTO reminders SELECT * FROM earlier.reminders")  # signed, but then
    shown = in_process(*OUTPUTS[2])
    assert "Elsa Riktig" not in shown.stdout
    assert "Sammanfattningsindexet" in shown.stderr
    assert_index_agrees(monkeypatch)


def test_the_key_is_readable_only_by_the_user_and_an_index_of_another_key_is_made_anew(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock, name="Elsa Riktig")
    assert in_process("list").returncode == 0
    key = store.directory / index_module.KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_bytes()) == index_module.KEY_BYTES
    first = key.read_bytes()
    key.chmod(0o644)  # no longer a secret: a new one, and no row signed with the old trusted
    plant(store.directory, "Elsa Riktig")
    assert_index_agrees(monkeypatch)
    assert key.read_bytes() != first and key.stat().st_mode & 0o777 == 0o600
    key.write_bytes(bytes(index_module.KEY_BYTES))  # another key: its index is not this one's
    plant(store.directory, "Elsa Riktig")
    assert_index_agrees(monkeypatch)


def test_an_edit_to_the_same_size_with_a_new_mtime_is_seen(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    assert "Elsa K." in in_process("list", "--json").stdout
    path = store.path(walk.case.id)
    before = path.stat()
    with path.open("r+b") as handle:  # in place: the same inode, the same size
        text = handle.read()
        handle.seek(0)
        handle.write(text.replace(b"Elsa K.", b"Olle K."))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    after = path.stat()
    assert (after.st_size, after.st_ino) == (before.st_size, before.st_ino)
    listed = in_process("list", "--json").stdout
    assert "Olle K." in listed and "Elsa K." not in listed
    assert_index_agrees(monkeypatch, every_form=False)


def test_an_edit_in_place_with_size_and_mtime_put_back_is_seen_by_its_ctime(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    assert "Elsa K." in in_process("list", "--json").stdout
    path = store.path(walk.case.id)
    before = path.stat()
    with path.open("r+b") as handle:  # the same inode: only the ctime tells
        text = handle.read()
        handle.seek(0)
        handle.write(text.replace(b"Elsa K.", b"Olle K."))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )
    listed = in_process("list", "--json").stdout
    assert "Olle K." in listed and "Elsa K." not in listed
    assert_index_agrees(monkeypatch)


@pytest.mark.parametrize("keep", [0.5, 0.1])
def test_an_index_cut_short_shows_no_wrong_case(
    keep: float, monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0
    path = store.directory / INDEX_FILE
    data = path.read_bytes()
    assert len(data) > 4096  # more than its first page: cut inside the rows
    path.write_bytes(data[: int(len(data) * keep)])
    assert_index_agrees(monkeypatch)


def test_an_index_of_the_previous_format_is_rebuilt(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow, reads: list[str]
) -> None:
    walk = realistic_case(store, workflow, fixed_clock)
    assert in_process("list").returncode == 0
    with sqlite3.connect(store.directory / INDEX_FILE) as db:
        db.execute(f"PRAGMA user_version = {index_module.FORMAT - 1}")
        db.execute("UPDATE files SET listed = replace(listed, 'Elsa K.', 'Fel Namn')")
    reads.clear()
    listed = in_process("list", "--json").stdout
    assert reads == [f"{walk.case.id}.json"]  # made anew from the file
    assert "Fel Namn" not in listed and "Elsa K." in listed
    assert_index_agrees(monkeypatch)


def test_an_index_nobody_closed_lets_go_of_its_files_once_dropped(store: CaseStore) -> None:
    """The connection holds the index's row signer as an SQL function, out of the cycle
    collector's sight: if the signer held the index, a dropped index would never be freed, and
    hundreds of them (a long-running caller's slip) would use up a process's files."""
    store.create(Child(name="Ett"), fixed_clock())
    store.close()

    def index_files_open() -> int:
        targets = []
        for fd in list(Path("/proc/self/fd").iterdir()):
            with contextlib.suppress(OSError):  # the descriptor of the listing itself
                targets.append(str(fd.readlink()))
        return sum(INDEX_FILE in target for target in targets)

    dropped = CaseIndex(store.directory)
    assert dropped.refresh(store._read, date(2026, 11, 23)).broken == []
    assert index_files_open() > 0
    del dropped
    gc.collect()
    assert index_files_open() == 0
