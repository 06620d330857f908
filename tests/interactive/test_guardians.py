"""Guardians told apart: a name or role beside "vårdnadshavare 1", and which of two guardians
took part in the meeting (asked only where two have custody)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import engine
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.render import export
from kronobarn_cli.render.wording import family_text
from kronobarn_cli.store.case_files import CaseStore

from ..after_meeting import case_after_meeting
from ..conftest import new_walk
from ..helpers import in_process
from ..keys import ENTER, typed
from ..scenario import GUARDIAN_ORAL, INVITATION, MEETING, action, activate_need, answer_all

pytestmark = pytest.mark.timeout(30)

SECOND_GUARDIAN = {**GUARDIAN_ORAL, "roll": "vardnadshavare-2"}


def _two_guardians(workflow: Workflow, store: CaseStore) -> Walk:
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "2")
    walk.answer("samtycken", [GUARDIAN_ORAL, SECOND_GUARDIAN])
    answer_all(walk, INVITATION)
    answer_all(walk, MEETING[:2])  # the family first, then who took part
    return walk


def _next_question(walk: Walk) -> str | None:
    step = walk.position().step
    while step is not None and walk.automatic(step) is not None:
        walk.answer(step.id, walk.automatic(step))
        step = walk.position().step
    return None if step is None else step.id


def test_which_of_two_guardians_took_part_is_asked_and_kept(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = _two_guardians(workflow, store)
    assert _next_question(walk) == "vardnadshavare-deltog"
    assert walk.default_for(workflow.step("vardnadshavare-deltog")) == [
        "vardnadshavare-1",
        "vardnadshavare-2",
    ]
    walk.answer("vardnadshavare-deltog", ["vardnadshavare-2"])
    assert walk.meeting is not None
    assert walk.meeting.guardians_present == ["vardnadshavare-2"]


def test_with_one_guardian_attendance_is_not_asked(workflow: Workflow, store: CaseStore) -> None:
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    walk.answer("samtycken", [GUARDIAN_ORAL])
    answer_all(walk, [*INVITATION, *MEETING[:2]])
    assert _next_question(walk) == "information-nrp"
    assert walk.meeting is not None and walk.meeting.guardians_present is None


def test_a_named_guardian_is_named_in_the_consents_the_plan_and_the_question(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = _two_guardians(workflow, store)
    case_id = walk.case.id
    named = in_process("consent", case_id, "name", "--giver", "vardnadshavare-1", "--name", "mamma")
    assert named.returncode == 0, named.stderr
    assert "vårdnadshavare 1 (mamma)" in named.stdout
    saved = store.load(case_id)
    assert [c.giver_name for c in saved.consents] == ["mamma", None]
    # The journal says a name was given, not the name.
    journal = json.dumps([e.model_dump(mode="json") for e in saved.journal])
    assert "fick ett namn" in journal and "mamma" not in journal
    walk = Walk(workflow, store, saved, clock=walk.clock)
    # The attendance question names her too, through the real prompts.
    sink = io.StringIO()
    prompter = Prompter(Console(file=sink, width=100, color_system=None))
    with typed(ENTER):
        answer: Any = prompter.ask_step(workflow.step("vardnadshavare-deltog"), walk)
    assert answer == ["vardnadshavare-1", "vardnadshavare-2"]
    walk.answer("vardnadshavare-deltog", ["vardnadshavare-1"])
    meeting = walk.case.meetings[-1]
    assert meeting.guardians_present == ["vardnadshavare-1"]
    rest = [("information-nrp", True), *MEETING[3:]]
    answer_all(walk, rest)
    answer_all(walk, [("atgarder", [action("Stöd", "skola")]), ("kopior-utskrivna", True)])
    assert engine.flatten(walk.answers())["vardnadshavare-deltog"] == ["vardnadshavare-1"]
    plan = export.plan(walk.case, workflow, "markdown")
    assert "Familjen: barnet/ungdomen och vårdnadshavare 1 (mamma)" in plan


def test_a_name_can_be_taken_away_and_an_unknown_giver_is_one_line(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = _two_guardians(workflow, store)
    case_id = walk.case.id
    assert in_process("consent", case_id, "name", "--giver", "vardnadshavare-2",
                      "--name", "pappa").returncode == 0  # fmt: skip
    cleared = in_process("consent", case_id, "name", "--giver", "vardnadshavare-2", "--name", "")
    assert cleared.returncode == 0
    assert [c.giver_name for c in store.load(case_id).consents] == [None, None]
    before = store.path(case_id).read_bytes()
    refused = in_process("consent", case_id, "name", "--giver", "ungdom", "--name", "Elsa")
    assert refused.returncode != 0
    assert refused.stderr.count("\n") == 1 and "inget samtycke från" in refused.stderr
    assert store.path(case_id).read_bytes() == before


def test_the_letter_is_from_the_person_with_role_and_unit_as_typed(
    workflow: Workflow, store: CaseStore
) -> None:
    """ "Ditt namn" takes a role and a unit too; the letter keeps them before the organisation."""
    walk = new_walk(workflow, store)
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    walk.answer("samtycken", [GUARDIAN_ORAL])
    steps = [(s, "Anna Lindqvist, kurator, Centralskolan" if s == "inbjudare" else v)
             for s, v in INVITATION]  # fmt: skip
    answer_all(walk, steps)
    for fmt in ("markdown", "text"):
        letter = export.invitations(walk.case, workflow, fmt, "socialtjanst")  # type: ignore[arg-type]
        assert "Anna Lindqvist, kurator, Centralskolan (Skola)" in letter
    assert "kurator" in workflow.step("inbjudare").prompt or "kurator" in (
        workflow.step("inbjudare").help or ""
    )


def test_an_unrecorded_attendance_of_two_guardians_is_not_told_as_both(
    workflow: Workflow, store: CaseStore, tmp_path: Path
) -> None:
    """An answers file may leave out which of two guardians took part (the step is optional):
    the plan must not then say both did, only that it was not recorded."""
    case_id = case_after_meeting(tmp_path, guardians=2)
    assert store.load(case_id).meetings[-1].guardians_present is None
    plan = in_process("export", case_id)
    assert plan.returncode == 0, plan.stderr
    assert "Familjen: barnet/ungdomen och vårdnadshavare (inte antecknat vilka)" in plan.stdout
    assert "vårdnadshavarna\n" not in plan.stdout and "och vårdnadshavarna " not in plan.stdout
    # Recorded, both are named one by one.
    walk = _two_guardians(workflow, store)
    walk.answer("vardnadshavare-deltog", ["vardnadshavare-1", "vardnadshavare-2"])
    assert walk.meeting is not None
    both = "barnet/ungdomen och vårdnadshavare 1 och vårdnadshavare 2"
    assert family_text(walk.meeting, walk.case) == both
