"""Going back into a group from the question after it keeps every item (issue: actions lost)."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import engine
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import new_walk
from ..keys import CTRL_U, DOWN, ENTER, line, typed
from ..scenario import GUARDIAN_ORAL, INVITATION, MEETING, PLAN, activate_need, answer_all

pytestmark = pytest.mark.timeout(30)

CONTACT = {"verksamhet": "socialtjanst", "syfte": "medverkan", "datum": "2026-11-21"}
WITH_CONTACT = [*INVITATION[:-1], ("kontakt-fore-mote", True), ("kontakter", [CONTACT])]


def _walk_through(workflow: Workflow, store: CaseStore, group: str) -> Walk:
    """An activated case answered up to and including `group` (and what follows by itself)."""
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    steps: list[tuple[str, Any]] = [("samtycken", [GUARDIAN_ORAL])]
    if group == "kontakter":
        steps += WITH_CONTACT
    elif group != "samtycken":
        steps += [*INVITATION, *MEETING, *PLAN]
    ids = [s for s, _ in steps]
    answer_all(walk, steps[: ids.index(group) + 1])
    return walk


def _back_as_the_prompts_do(walk: Walk) -> str | None:
    previous = walk.back()
    while previous is not None and walk.automatic(previous) is not None:
        previous = walk.back()
    return None if previous is None else previous.id


@pytest.mark.parametrize("group", ["samtycken", "inbjudna", "kontakter", "atgarder", "kopior"])
def test_going_back_into_a_group_keeps_every_item(
    workflow: Workflow, store: CaseStore, group: str
) -> None:
    walk = _walk_through(workflow, store, group)
    # Whatever follows by itself (guidance, notes not asked for) is shown, then the next
    # question is asked: going back from it returns to the group.
    while (step := walk.position().step) is not None and walk.automatic(step) is not None:
        walk.answer(step.id, walk.automatic(step))
    assert walk.position().step is not None
    given = engine.flatten(walk.answers())[group]
    assert given
    assert _back_as_the_prompts_do(walk) == group
    items, current = walk.pending_items(workflow.step(group))
    assert items == given and current == {}
    assert walk.reopened_group(workflow.step(group))
    # The saved case holds them too: a walk interrupted here loses nothing.
    saved = store.load(walk.case.id)
    assert saved.pending["items"] == given


def _prompter() -> Prompter:
    return Prompter(Console(width=100, highlight=False, color_system=None, file=_Sink()))


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def test_back_at_the_copies_question_keeps_the_actions_entered(
    workflow: Workflow, store: CaseStore
) -> None:
    """The reproduction: two actions, an empty line, then ← Tillbaka at "Får familjen och varje
    verksamhet en utskriven kopia…": the walk stands after the second action, both kept."""
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    walk.answer("samtycken", [GUARDIAN_ORAL])
    answer_all(walk, [*INVITATION, *MEETING])
    keys = [
        line("Första"), ENTER, line("2027-01-10"),
        line("Andra"), DOWN + ENTER, line("2027-01-11"),
        line(""),  # no more actions
        DOWN * 2 + ENTER,  # ← Tillbaka at the copies question (Ja, Nej, ← Tillbaka)
        line(""),  # back in the group after its last item: no more, again
        ENTER,  # the copies question: yes, printed at the meeting
    ]  # fmt: skip
    prompter = _prompter()
    with pytest.raises(EOFError), typed(*keys):
        prompter.walk(walk)
    flat = engine.flatten(walk.answers())
    assert [a["vad"] for a in flat["atgarder"]] == ["Första", "Andra"]
    assert flat["kopior-utskrivna"] is True
    shown = prompter.console.file.text  # type: ignore[attr-defined]
    assert "Insats i Barnets plan (3)" in shown


def test_back_after_the_copies_shows_them_instead_of_confirming_them_again(
    workflow: Workflow, store: CaseStore
) -> None:
    """A group that completes by itself (a copy per participant) is not re-confirmed when the
    user comes back into it: its menu is shown, with the copies kept."""
    walk = _walk_through(workflow, store, "kopior")
    assert _back_as_the_prompts_do(walk) == "kopior"
    prompter = _prompter()
    # The group's menu waits for an answer ("Ja, klart"): with none typed, it cannot end.
    with pytest.raises(EOFError), typed():
        prompter.ask_repeat(workflow.step("kopior"), walk)
    items, _ = walk.pending_items(workflow.step("kopior"))
    assert [i["verksamhet"]["id"] for i in items] == ["skola", "socialtjanst"]
    with typed(ENTER):
        items = prompter.ask_repeat(workflow.step("kopior"), walk)
    assert [i["verksamhet"]["id"] for i in items] == ["skola", "socialtjanst"]


def test_changing_an_earlier_answer_from_inside_a_group_asks_before_dropping_its_items(
    workflow: Workflow, store: CaseStore
) -> None:
    """`<<` in the middle of a group: the items typed so far are dropped only when confirmed;
    "Nej, stanna kvar" goes on with the group, every item kept."""
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    walk.answer("samtycken", [GUARDIAN_ORAL])
    answer_all(walk, [*INVITATION, *MEETING])
    keys = [
        line("Första"), ENTER, line("2027-01-10"),
        line("<<"),  # at the next action: change an earlier answer
        DOWN + ENTER,  # past the action entered (listed first): the last answer before the group
        ENTER,  # "Nej, stanna kvar"
        line(""),  # no more actions
    ]  # fmt: skip
    with pytest.raises(EOFError), typed(*keys):
        _prompter().walk(walk)
    flat = engine.flatten(walk.answers())
    assert [a["vad"] for a in flat["atgarder"]] == ["Första"]


def test_the_jump_list_offers_the_actions_being_entered_and_edits_one_in_place(
    workflow: Workflow, store: CaseStore
) -> None:
    """`<<` while actions are being entered lists them first (the latest on top); choosing one
    edits it where it is, and the walk goes on in the group with every action kept."""
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    walk.answer("samtycken", [GUARDIAN_ORAL])
    answer_all(walk, [*INVITATION, *MEETING])
    keys = [
        line("Första"), ENTER, line("2027-01-10"),
        line("Andra"), DOWN + ENTER, line("2027-01-11"),
        line("<<"),  # at the third action
        DOWN + ENTER,  # "Insats i Barnets plan (1) · Första …", below the second
        CTRL_U + line("Första, rättad"),  # what: the old text cleared, the new typed
        line(""), ENTER, line(""), line(""), ENTER,  # goal, who, person, date, area: as they were
        line(""),  # back at the third action: no more
    ]  # fmt: skip
    prompter = _prompter()
    with pytest.raises(EOFError), typed(*keys):
        prompter.walk(walk)
    flat = engine.flatten(walk.answers())
    assert [a["vad"] for a in flat["atgarder"]] == ["Första, rättad", "Andra"]
    assert flat["atgarder"][0]["senast"] == "2027-01-10"
    shown = prompter.console.file.text  # type: ignore[attr-defined]
    assert "Går du tillbaka försvinner" not in shown  # nothing was at stake
