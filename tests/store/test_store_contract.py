"""The store contract, run against both stores: the case files and the PostgreSQL team store
(a real server, started by the test session). Whatever a command relies on holds for both."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.domain.query import Query
from kronobarn_cli.errors import (
    CaseLockedError,
    JournalRewriteError,
    KronobarnError,
    StaleCaseError,
    UnknownCaseError,
)
from kronobarn_cli.interactive.walk import Walk, local_now
from kronobarn_cli.store import Store, open_store
from kronobarn_cli.store.summary import CELLS, CaseReader

from ..cases import age_keys, first_meeting, first_meeting_answers
from ..cases import follow_up_answers_file as follow_up_answers
from ..conftest import NOW, fixed_clock
from ..helpers import in_process

MakeStore = Callable[..., Store]


@pytest.fixture
def make_store(backend: str) -> Iterator[MakeStore]:
    """A new store (a new session: its own connection) on the backend of the test."""
    opened: list[Store] = []

    def make(**options: Any) -> Store:
        store = open_store(backend, **options)
        opened.append(store)
        return store

    yield make
    for store in opened:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def new_case(store: Store, name: str = "A. B.") -> Case:
    return store.create(Child(name=name, birth_year=2016), NOW)


def test_a_created_case_loads_as_it_was_created_with_one_journal_entry(
    make_store: MakeStore,
) -> None:
    store = make_store()
    case = new_case(store, "Ida Å.")
    loaded = make_store().load(case.id)
    assert loaded == case
    assert [e.text for e in loaded.journal] == ["Ärendet skapades."]
    assert loaded.id in [c.id for c in make_store().iter_cases() if isinstance(c, Case)]


def test_a_save_is_seen_by_the_next_session_and_the_journal_grows(
    make_store: MakeStore, workflow: Workflow
) -> None:
    store = make_store()
    case = new_case(store)
    walk = Walk(workflow, store, store.load(case.id), clock=fixed_clock)
    walk.answer("uppmarksammat", "Oro.")
    walk.answer("egen-insats-racker", True)
    loaded = make_store().load(case.id)
    assert loaded.answers == walk.case.answers
    assert len(loaded.journal) > 2
    assert loaded.journal == walk.case.journal


def test_add_keeps_the_cases_own_id_and_refuses_a_taken_one(make_store: MakeStore) -> None:
    store = make_store()
    case = Case(id="k3m9qa", created=NOW, updated=NOW, child=Child(name="X. Y."))
    case.log("Ärendet togs emot.", NOW, store.actor, ["handovers"])
    store.add(case)
    assert make_store().load("k3m9qa") == case
    other = case.model_copy(update={"child": Child(name="Någon annan")}, deep=True)
    with pytest.raises(KronobarnError, match="Det finns redan ett ärende med id k3m9qa"):
        store.add(other)
    assert make_store().load("k3m9qa").child.name == "X. Y."


def test_a_journal_entry_changed_or_removed_is_refused_and_nothing_is_written(
    make_store: MakeStore, workflow: Workflow
) -> None:
    store = make_store()
    case = new_case(store)
    Walk(workflow, store, store.load(case.id), clock=fixed_clock).answer("uppmarksammat", "Oro.")
    before = make_store().load(case.id)
    changed = before.model_copy(deep=True)
    changed.journal[0] = changed.journal[0].model_copy(update={"text": "Något annat."})
    removed = before.model_copy(update={"journal": before.journal[1:]}, deep=True)
    for rewritten in (changed, removed):
        rewritten.child = Child(name="Skrivet över")
        with pytest.raises(JournalRewriteError) as refused:
            store.save(rewritten)
        assert not isinstance(refused.value, StaleCaseError)
    assert make_store().load(case.id) == before


def test_a_stale_save_is_refused_in_swedish_and_the_other_sessions_change_is_kept(
    make_store: MakeStore,
) -> None:
    first, second = make_store(), make_store()
    case = new_case(first)
    mine = first.load(case.id)
    theirs = second.load(case.id)
    theirs.child = Child(name="Ändrad av den andra")
    theirs.log("Barnets uppgifter ändrades: namn.", NOW, second.actor, ["child.name"])
    second.save(theirs)

    mine.child = Child(name="Ändrad av mig")
    later = NOW + timedelta(minutes=1)
    mine.log("Barnets uppgifter ändrades: namn.", later, first.actor, ["child.name"])
    with pytest.raises(StaleCaseError) as refused:
        first.save(mine)
    message = refused.value.message
    assert "\n" not in message
    assert "ändrats i en annan session" in message and f"kronobarn resume {case.id}" in message
    kept = make_store().load(case.id)
    assert kept.child.name == "Ändrad av den andra"
    assert kept.journal == theirs.journal

    again = first.load(case.id)  # read again: now it may be saved
    again.log("Ärendet ändrades.", NOW, first.actor)
    first.save(again)
    assert len(make_store().load(case.id).journal) == 3


def test_a_case_held_by_one_session_is_refused_to_another_then_free(
    make_store: MakeStore,
) -> None:
    holder = make_store()
    other = make_store(lock_wait=0.2)
    case = new_case(holder)
    with holder.locked(case.id), holder.locked(case.id):  # re-entrant
        with (
            pytest.raises(CaseLockedError, match="öppet i en annan kronobarn-session"),
            other.locked(case.id, wait=False),
        ):
            pass
        started = time.monotonic()
        with (
            pytest.raises(CaseLockedError, match=r"väntade 0\.2 sekunder"),
            other.locked(case.id),
        ):
            pass
        assert time.monotonic() - started >= 0.15
    with other.locked(case.id, wait=False):
        pass  # let go: free for the other session


def test_a_waiting_session_gets_the_case_when_the_holder_lets_go(make_store: MakeStore) -> None:
    heard: list[str] = []
    holder = make_store()
    waiter = make_store(lock_wait=5, notice=heard.append)
    case = new_case(holder)
    released = threading.Event()

    def hold() -> None:
        with holder.locked(case.id):
            ready.set()
            time.sleep(0.3)
        released.set()

    ready = threading.Event()
    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    with waiter.locked(case.id):
        assert released.wait(1)
    thread.join()
    assert heard == [f"Väntar på ärendet {case.id}, som är öppet i en annan kronobarn-session …"]


def test_a_deleted_case_is_gone_and_only_if_can_keep_it(make_store: MakeStore) -> None:
    store = make_store()
    kept, gone = new_case(store), new_case(store)
    assert store.delete(kept.id, only_if=lambda case: case.status == "avslutad") is False
    assert make_store().load(kept.id) == kept
    assert store.delete(gone.id) is True
    with pytest.raises(UnknownCaseError):
        make_store().load(gone.id)
    with pytest.raises(UnknownCaseError):
        store.delete(gone.id)
    listed = [c.id for c in make_store().iter_cases() if isinstance(c, Case)]
    assert listed == [kept.id]


def test_an_unknown_id_is_the_same_swedish_line_on_both(make_store: MakeStore) -> None:
    store = make_store()
    for bad in ("zzzzzz", "../../x"):
        with pytest.raises(UnknownCaseError) as refused:
            store.load(bad)
        assert refused.value.message == (
            f"Det finns inget ärende med id '{bad}'. Se 'kronobarn list'."
        )


def test_every_command_works_the_same_on_both(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk from a file, plan verbs, consent, edit, follow-up, exports, remind, log,
    handover and import, close, purge, delete: the same results on both stores."""
    monkeypatch.chdir(tmp_path)
    made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
    assert made.returncode == 0, made.stderr
    case_id = made.stdout.split()[1]
    keys = age_keys(tmp_path)
    steps = [
        ("plan", case_id, "show"),
        ("consent", case_id, "add", "--giver", "vardnadshavare-1", "--organisation", "skola",
         "--organisation", "socialtjanst"),
        ("consent", case_id, "show"),
        ("edit", case_id, "--name", "Ny Namnsdotter"),
        ("follow-up", case_id, "--answers", str(follow_up_answers(tmp_path))),
        ("plan", case_id, "add", "--what", "Läxhjälp", "--organisation", "skola",
         "--due", "2027-05-01", "--area", "utvecklas"),
        ("plan", case_id, "done", "1"),
        ("show", case_id),
        ("export", case_id, "--kind", "plan"),
        ("export", case_id, "--kind", "consent-note"),
        ("log", case_id, "--json"),
        ("remind", "--json"),
        ("list", "--json"),
        ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", keys.public,
         "--output", str(tmp_path / "fil.age")),
        ("purge", "--handed-over-before", "2100-01-01", "--yes"),
        ("import", str(tmp_path / "fil.age"), "--identity", str(keys.file)),
        ("close", case_id, "--reason", "Klart.", "--yes"),
        ("purge", "--closed-before", "2100-01-01", "--yes"),
    ]  # fmt: skip
    shown: dict[str, str] = {}
    for args in steps:
        done = in_process(*args)
        assert done.returncode == 0, (args, done.stderr)
        shown[" ".join(args[:3])] = done.stdout
    assert "Ny Namnsdotter" in shown[f"show {case_id}"]
    commands = {entry["command"] for entry in json.loads(shown[f"log {case_id} --json"])}
    assert {"new-case", "plan add", "plan done", "consent add", "edit", "follow-up"} <= commands
    assert json.loads(in_process("list", "--json").stdout) == []

    other = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
    other_id = other.stdout.split()[1]
    assert in_process("delete", other_id, "--yes").returncode == 0
    refused = in_process("show", other_id)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"Fel: Det finns inget ärende med id '{other_id}'. Se 'kronobarn list'."
    )


def test_writers_at_once_each_holding_the_case_lose_nothing(make_store: MakeStore) -> None:
    """4 sessions × 25 changes of one case, each read, changed and saved while holding the case
    (as every command does): every change lands once, in each writer's order."""
    case = new_case(make_store())
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        store = make_store(lock_wait=30)
        try:
            for change in range(25):
                with store.locked(case.id):
                    current = store.load(case.id)
                    current.pending.setdefault("skrivare", []).append([number, change])
                    current.log("Ärendet ändrades.", local_now(), store.actor, [f"s{number}"])
                    store.save(current)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    final = make_store().load(case.id)
    done = final.pending["skrivare"]
    assert len(done) == 100 and len(final.journal) == 101
    for number in range(4):
        assert [n for w, n in done if w == number] == list(range(25))


def test_store_file_directory_chooses_another_case_directory(tmp_path: Path) -> None:
    other = tmp_path / "annan"
    made = in_process(
        "--store", f"file:{other}", "new-case", "--answers", str(first_meeting_answers(tmp_path))
    )
    assert made.returncode == 0, made.stderr
    case_id = made.stdout.split()[1]
    assert (other / "arenden" / f"{case_id}.json").exists()
    assert json.loads(in_process("list", "--json").stdout) == []  # not under KRONOBARN_HOME
    listed = json.loads(in_process("--store", f"file:{other}", "list", "--json").stdout)
    assert [row["id"] for row in listed] == [case_id]
    refused = in_process("--store", "file:", "list")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Fel: Ange en katalog efter file:, till exempel file:/srv/kronobarn."
    )


def test_a_consent_run_out_is_listed_and_reminded_as_waiting_for_consent_from_the_next_day(
    make_store: MakeStore, workflow: Workflow
) -> None:
    """The summary rows are written when a case is saved, and the consent runs out with time:
    read for a later day, the rows are written anew for it (their days of validity end with the
    consent) and agree with the case read for that day."""
    case = first_meeting(workflow)
    data = case.model_dump()
    data["consents"][0]["valid_until"] = date(2027, 3, 31)
    case = Case.model_validate(data)
    make_store().add(case)
    for day, status in (
        (date(2027, 3, 31), "aktiverad"),
        (date(2027, 4, 1), "vantar-pa-samtycke"),
        (date(2027, 3, 30), "aktiverad"),
    ):
        found = make_store().indexed(day)
        assert found is not None
        reader, _ = found
        [row] = list(reader.listed())
        assert row["status"] == status, day
        assert [row] == list(CaseReader([case], day).listed())
        query = Query(today=day, until=day + timedelta(days=14))
        kinds = {r["kind"]: r["text"] for r in reader.reminders(query)}
        if status == "aktiverad":
            assert "action" in kinds
        else:
            assert kinds == {"consent": "Väntar på samtycke från vårdnadshavaren."}


def test_the_list_tables_cells_are_those_of_the_list_items_on_both(
    make_store: MakeStore, workflow: Workflow
) -> None:
    """The `list` table reads its cells out of the `list --json` items in the store's own query;
    they are those items' fields, in their order, decoded as the items are (quotes, escapes,
    letters beyond ASCII), and what the cases themselves give."""
    store = make_store()
    case = first_meeting(workflow)
    store.add(case)
    for name in ('"Å. \\Ö." \u00e9\u0301', "Ünal Ö'Brien", "A. B."):
        new_case(store, name)
    found = make_store().indexed(NOW.date())
    assert found is not None
    reader, _ = found
    listed = [tuple(row[key] for key in CELLS) for row in reader.listed()]
    assert len(listed) == 4

    def shown(row: tuple[Any, ...]) -> tuple[Any, ...]:
        """The table writes the meetings with `str` (PostgreSQL gives them as text)."""
        return tuple(str(v) if k == "meetings" else v for k, v in zip(CELLS, row, strict=True))

    assert [shown(row) for row in reader.listed_cells()] == [shown(row) for row in listed]
    cases = [c for c in make_store().iter_cases() if isinstance(c, Case)]
    assert list(CaseReader(cases, NOW.date()).listed_cells()) == listed


def test_remind_and_list_filtered_on_the_server_print_what_the_files_print(
    make_store: MakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--organisation`, `--overdue` and `--within` (and their mix) filter in the store's own
    query: the bytes are those of the same cases in files, read from the cases themselves."""
    monkeypatch.chdir(tmp_path)
    for _ in range(3):
        made = in_process("new-case", "--answers", str(first_meeting_answers(tmp_path)))
        assert made.returncode == 0, made.stderr
    files = tmp_path / "filer"
    copy = open_store(f"file:{files}")
    for case in make_store().iter_cases():
        assert isinstance(case, Case)
        copy.add(case)
    commands = [
        ("remind", "--json", "--organisation", "skola", "--within", "365d"),
        ("remind", "--json", "--organisation", "Skolan", "--within", "365d"),
        ("remind", "--json", "--organisation", "ingen-sadan"),
        ("remind", "--json", "--overdue", "--today", "2030-01-01"),
        ("remind", "--json", "--overdue", "--organisation", "skola", "--today", "2030-01-01"),
        ("remind", "--json", "--within", "2027-06-01"),
        ("remind", "--json", "--within", "2w", "--today", "2027-03-01", "--coordinator"),
        ("remind", "--format", "csv", "--within", "365d", "--organisation", "socialtjanst"),
        ("remind", "--within", "365d", "--organisation", "skola"),
        ("list", "--json"),
        ("list",),
    ]
    reminded = 0
    for args in commands:
        here = in_process(*args)
        there = in_process("--store", f"file:{files}", *args)
        assert here.returncode == there.returncode == 0, (args, here.stderr, there.stderr)
        assert here.stdout == there.stdout, args
        if "--json" in args and args[0] == "remind":
            reminded += len(json.loads(here.stdout))
    assert reminded > 0
