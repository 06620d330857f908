"""A save the store refuses as stale (another session saved the case meanwhile): the walk reads
the case again, says what the other session changed, and goes on; only the answer being given
is lost. Driven through the real prompts."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Actor, Case, Child
from kronobarn_cli.errors import CaseGoneError, KronobarnError, StaleCaseError
from kronobarn_cli.interactive import walk as session
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store import Store
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW, fixed_clock
from ..helpers import in_process
from ..keys import DOWN, ENTER, down, line, typed
from ..scenario import activate_need

pytestmark = pytest.mark.timeout(30)

YES = ENTER
NO = DOWN + ENTER
NONE_OF_THESE = down(3) + ENTER  # "Vem kan ge … stödet?": "Inget av detta"
COLLEAGUE = Actor(user="Kollega Eva", command="edit")
STALE = "har ändrats i en annan session"


@pytest.fixture
def prompter(screen: Any) -> Prompter:
    return Prompter(screen)


def shown(prompter: Prompter) -> str:
    return " ".join(prompter.console.file.getvalue().split())  # type: ignore[attr-defined]


def another_session_saves(
    monkeypatch: pytest.MonkeyPatch,
    walking: Store,
    when: Callable[[Case], bool],
    change: Callable[[], object],
) -> list[Case]:
    """The first time the walk saves a case `when` holds, another session changes the case
    first (as a session that did not wait for the walk's lock would). Returns the cases the
    walk's store was asked to save, refused ones included."""
    save = walking.save
    asked: list[Case] = []

    def saving(case: Case) -> None:
        if when(case) and not any(when(c) for c in asked):
            change()
        asked.append(case)
        save(case)

    monkeypatch.setattr(walking, "save", saving)
    return asked


def need(case: Case) -> dict[str, Any]:
    return case.answers.get("behov-av-samverkan", {})


def rename_child(other: Store, case_id: str) -> Callable[[], object]:
    def change() -> object:
        return session.edit_child(other, other.load(case_id), "E. L.", None, NOW)

    return change


def test_a_stale_answer_is_asked_again_and_the_other_sessions_change_is_kept(
    prompter: Prompter,
    walk: Walk,
    store: CaseStore,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = CaseStore(isolated, actor=COLLEAGUE)
    asked = another_session_saves(
        monkeypatch,
        store,
        lambda case: "egen-insats-racker" in need(case),
        rename_child(other, walk.case.id),
    )
    keys = [line("Oklart."), NONE_OF_THESE, NONE_OF_THESE, line("Vi avvaktar utredning.")]
    with typed(*keys):  # the second choice answers again what could not be saved
        prompter.walk(walk)

    screen = shown(prompter)
    assert f"ärendet {walk.case.id} {STALE}" in screen
    assert "Kollega Eva (edit): Barnets uppgifter ändrades: namn. [child.name]" in screen
    assert "bara svaret du just gav gick förlorat. Svara på frågan igen." in screen
    assert "E. L." not in screen  # what the other session typed is not shown, only what changed
    assert sum("egen-insats-racker" in need(c) for c in asked) >= 2  # refused, then saved

    saved = CaseStore(isolated).load(walk.case.id)
    assert saved == walk.case
    assert saved.child.name == "E. L."  # the other session's change is kept
    assert saved.status == "ej-aktiverad"
    assert need(saved)["egen-insats-racker"] is False  # the answer asked again is saved
    assert saved.decision is not None and saved.decision.reason == "Vi avvaktar utredning."
    texts = [e.text for e in saved.journal]
    assert texts.count("Barnets uppgifter ändrades: namn.") == 1
    assert texts.index("Barnets uppgifter ändrades: namn.") < len(texts) - 3  # then the walk


def test_a_field_of_a_group_that_went_stale_is_asked_again_from_the_saved_item(
    prompter: Prompter,
    walk: Walk,
    store: CaseStore,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saving the next field of a group adds no journal entry; it is stale all the same."""
    activate_need(walk)
    other = CaseStore(isolated, actor=COLLEAGUE)
    another_session_saves(
        monkeypatch,
        store,
        lambda case: bool(case.pending.get("current", {}).get("form")),
        rename_child(other, walk.case.id),
    )
    oral_earlier = down(3) + ENTER
    skola_and_socialtjanst = down(5) + " " + down(3) + " " + ENTER
    # One guardian; the form (lost), the form again, the date, the organisations.
    keys = [ENTER, oral_earlier, oral_earlier, line("2026-11-20"), skola_and_socialtjanst]
    with pytest.raises(EOFError), typed(*keys):
        prompter.walk(walk)
    assert STALE in shown(prompter)
    saved = CaseStore(isolated).load(walk.case.id)
    assert saved.child.name == "E. L."
    assert saved.status == "aktiverad"
    [consent] = saved.consents
    assert (consent.form, consent.given_on.isoformat()) == ("muntlig", "2026-11-20")
    assert [o.name for o in consent.organisations] == ["Skola", "Socialtjänst"]


def test_a_case_closed_in_another_session_stops_the_walk_saying_so(
    prompter: Prompter,
    walk: Walk,
    store: CaseStore,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = CaseStore(isolated, actor=Actor(user="Kollega Eva", command="close"))

    def close() -> object:
        return session.close_case(other, other.load(walk.case.id), "Familjen flyttade.", NOW)

    another_session_saves(
        monkeypatch, store, lambda case: "egen-insats-racker" in need(case), close
    )
    with (
        pytest.raises(KronobarnError, match="är avslutat och kan inte ändras"),
        typed(line("Oklart."), NONE_OF_THESE),
    ):
        prompter.walk(walk)
    screen = shown(prompter)
    assert STALE in screen and "Kollega Eva (close): Ärendet avslutades." in screen
    assert "Familjen flyttade." not in screen
    saved = CaseStore(isolated).load(walk.case.id)
    assert saved.closed is not None and saved.closed.reason == "Familjen flyttade."
    assert "egen-insats-racker" not in need(saved)


def test_a_case_deleted_in_another_session_stops_the_walk_saying_so(
    prompter: Prompter,
    walk: Walk,
    store: CaseStore,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def delete_then_refuse(case: Case) -> None:
        CaseStore(isolated).delete(case.id)
        raise StaleCaseError(case.id)  # as the team store says it (the file store: unknown)

    monkeypatch.setattr(store, "save", delete_then_refuse)
    with pytest.raises(CaseGoneError) as gone, typed(line("Oklart.")):
        prompter.walk(walk)
    assert "finns inte längre" in gone.value.message and "\n" not in gone.value.message


def test_the_command_stops_with_one_swedish_line_when_the_case_was_closed_meanwhile(
    walk: Walk, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`resume` holds the case's lock; the other session goes past it. The usual exit: what
    changed on standard out, then one line on standard error."""
    monkeypatch.setattr("kronobarn_cli.cli.shared._require_terminal", lambda command: None)
    other = CaseStore(isolated, actor=Actor(user="Kollega Eva", command="close"))
    monkeypatch.setattr(other, "locked", lambda case_id, wait=True: contextlib.nullcontext())
    real_save = CaseStore.save
    closed: list[str] = []

    def save(self: CaseStore, case: Case) -> None:
        if self is not other and not closed:
            closed.append(case.id)
            session.close_case(other, other.load(case.id), "Avslutas.", NOW)
        real_save(self, case)

    monkeypatch.setattr(CaseStore, "save", save)
    with typed(line("Oklart.")):
        done = in_process("resume", walk.case.id)
    assert done.stderr.strip() == f"Fel: Ärendet {walk.case.id} är avslutat och kan inte ändras."
    assert done.returncode == 1
    assert STALE in done.stdout and "Kollega Eva (close): Ärendet avslutades." in done.stdout
    assert CaseStore(isolated).load(walk.case.id).closed is not None


def test_a_change_outside_a_walk_refuses_a_stale_save_with_one_swedish_line(
    walk: Walk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a walk (edit with options, plan and consent verbs, answers files) the command
    holds the lock and has no question to ask again: the refusal is the answer."""

    def refuse(self: CaseStore, case: Case) -> None:
        raise StaleCaseError(case.id)

    monkeypatch.setattr(CaseStore, "save", refuse)
    done = in_process("edit", walk.case.id, "--name", "C. D.")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Fel: Ärendet {walk.case.id} sparades inte: det {STALE}")
    assert f"kronobarn resume {walk.case.id}" in lines[0]


# -- the team store ---------------------------------------------------------------------------


@pytest.fixture
def pg_stores(pg_url: str, isolated: Path) -> Iterator[tuple[Store, Store]]:
    from kronobarn_cli.store.postgres import PgStore  # noqa: PLC0415 - needs the postgres extra

    walking, other = PgStore(pg_url, home=isolated), PgStore(pg_url, home=isolated, actor=COLLEAGUE)
    yield walking, other
    walking.close()
    other.close()


def test_on_the_team_store_a_revision_refused_answer_is_asked_again(
    prompter: Prompter,
    workflow: Workflow,
    pg_stores: tuple[Store, Store],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The walk holds the case's advisory lock; a writer that does not ask for it is kept
    apart by the revision."""
    walking, other = pg_stores
    case = walking.create(Child(name="A. B.", birth_year=2016), NOW)
    with walking.locked(case.id):
        walk = Walk(workflow, walking, walking.load(case.id), clock=fixed_clock)
        another_session_saves(
            monkeypatch,
            walking,
            lambda c: "egen-insats-racker" in need(c),
            rename_child(other, case.id),
        )
        with typed(line("Oklart."), NONE_OF_THESE, NONE_OF_THESE, line("Vi avvaktar utredning.")):
            prompter.walk(walk)
    screen = shown(prompter)
    assert STALE in screen and "Kollega Eva (edit): Barnets uppgifter ändrades: namn." in screen
    saved = other.load(case.id)
    assert saved.child.name == "E. L."
    assert saved.status == "ej-aktiverad" and need(saved)["egen-insats-racker"] is False
