"""Barnets plan with substance: the wheel as information gathering, the child's own voice,
actions the family owns, actions that are followed up, interpreter, and the family's copy."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from rich.console import Console

from kronobarn_cli.checklists.loader import load_workflow
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import reminders as remind
from kronobarn_cli.domain.case import Case
from kronobarn_cli.interactive import replay as answers_file
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import Walk, replay, replay_follow_up
from kronobarn_cli.render import export, views
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW, REPO, fixed_clock
from ..keys import ENTER, SPACE, down, line, typed
from ..scenario import BEFORE_INVITEES, GUARDIAN_ORAL, GUARDIANS, MEETING, activate_need, answer_all

EXAMPLE = REPO / "examples" / "svar.yaml"
FOLLOW_UP = REPO / "examples" / "uppfoljning.yaml"
TODAY = NOW.date()


def example(**changes: Any) -> Case:
    workflow = load_workflow()
    given = answers_file.read(EXAMPLE, TODAY, workflow)
    answers = {**given.answers, **changes}
    answers = {k: v for k, v in answers.items() if v is not None}
    result = replay(workflow, given.child, answers, "svar.yaml", fixed_clock, given.organisation)
    assert result.next_step is None
    return result.case


def active(walk: Walk) -> Walk:
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    return walk


def test_rule_wheel_notes_are_kept_per_area_and_per_meeting(workflow: Workflow) -> None:
    case = example(
        **{
            "omraden-anteckningar": [
                {"omrade": "trygg", "fungerar": "Bra kompisar", "utmanande": "Raster"},
                {"omrade": "utvecklas", "utmanande": "Matematik"},
            ],
            "omraden-motet-anteckningar": [{"omrade": "trygg", "utmanande": "Rasterna ännu"}],
        }
    )
    notes = [(n.stage, n.area, n.works, n.challenges) for n in case.meetings[0].wheel_notes]
    assert notes == [
        ("infor", "trygg", "Bra kompisar", "Raster"),
        ("infor", "utvecklas", None, "Matematik"),
        ("motet", "trygg", None, "Rasterna ännu"),
    ]
    plan = export.plan(case, workflow, "markdown", today=TODAY)
    assert (
        "| Trygg | ja | inför mötet: Bra kompisar | inför mötet: Raster; vid mötet: Rasterna ännu |"
        in plan
    )


@pytest.mark.timeout(30)
def test_rule_wheel_notes_are_asked_only_when_chosen_in_the_list(
    workflow: Workflow, walk: Walk, screen: Any
) -> None:
    active(walk)
    # The areas list has one more choice at its end: notes per area. Tick Trygg and it.
    keys = [SPACE + down(7) + SPACE + ENTER, line("Bra kompisar"), line("Raster")]
    with pytest.raises(EOFError), typed(*keys):
        Prompter(screen).walk(walk)
    [note] = walk.case.meetings[0].wheel_notes
    assert (note.area, note.works, note.challenges) == ("trygg", "Bra kompisar", "Raster")
    assert "Preliminära områden" in screen.file.getvalue()  # the names are marked as such


def test_rule_the_childs_participation_and_own_words(workflow: Workflow) -> None:
    case = example(
        **{
            "barnets-delaktighet": "hord-fore",
            "barnets-delaktighet-hur": "av skolkuratorn",
            "barnets-asikter": "Jag vill ha *lugn*.",
        }
    )
    meeting = case.meetings[0]
    assert (meeting.child_participation, meeting.child_participation_note) == (
        "hord-fore",
        "av skolkuratorn",
    )
    plan = export.plan(case, workflow, "text", today=TODAY)
    assert "Barnets delaktighet: Hördes före mötet (av skolkuratorn)" in plan
    assert "med egna ord: Jag vill ha *lugn*." in plan  # verbatim


def test_rule_the_family_and_the_young_person_can_own_actions_without_consent(
    workflow: Workflow, walk: Walk
) -> None:
    active(walk)
    answer_all(walk, [*BEFORE_INVITEES, ("inbjudna", [{"verksamhet": "skola", "satt": "link",
                                                       "skickad": "2026-11-23"}]),
                      ("kontakt-fore-mote", False), *MEETING[:1], ("deltagare", ["skola"]),
                      *MEETING[2:]])  # fmt: skip
    walk.answer(
        "atgarder",
        [
            {"vad": "Läsa varje kväll", "ansvarig": "barnet", "senast": "2027-01-31",
             "omrade": "trygg"},
            {"vad": "Morgonrutin", "ansvarig": "familjen", "senast": "2027-01-31",
             "omrade": "trygg"},
        ],
    )  # fmt: skip
    actions = walk.case.meetings[0].actions
    assert [(a.organisation.name, a.status) for a in actions] == [
        ("Barnet/ungdomen själv", "planerad"),
        ("Familjen", "planerad"),
    ]
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=90))
    found = [r.organisation for r in remind.case_reminders(walk.case, query) if r.kind == "action"]
    assert found == ["Barnet/ungdomen själv", "Familjen"]
    with pytest.raises(Exception, match="familjen är alltid med"):
        walk.validate(walk.workflow.step("nasta-deltagare"), ["familjen"])


def test_rule_actions_are_evaluated_at_follow_up_and_shown_over_time(workflow: Workflow) -> None:
    case = example()
    answers = yaml.safe_load(FOLLOW_UP.read_text(encoding="utf-8"))["svar"]
    moment = datetime(2027, 4, 14, 10, tzinfo=NOW.tzinfo)
    second = replay_follow_up(workflow, case, answers, "f.yaml", clock=lambda: moment).case
    [first_action, second_action, _] = second.meetings[1].actions
    assert (first_action.evaluation, second_action.evaluation) == ("har-hjalpt", "delvis")
    assert second_action.evaluation_comment == "Bättre stämning hemma"
    assert first_action.goal == "Att hen är i skolan hela dagar"
    plan = export.plan(second, workflow, "markdown", today=moment.date())
    assert "Anpassat schema: möte 1: planerad; möte 2: klar, har hjälpt" in plan
    assert "möte 1: pågående; möte 2: pågående, har hjälpt delvis: Bättre stämning hemma" in plan


def test_rule_an_interpreter_is_recorded_and_named_in_the_letter(workflow: Workflow) -> None:
    case = example(**{"mote-form": "fysiskt-tolk", "tolk-sprak": "arabiska",
                      "tolk-bokar": "socialtjanst"})  # fmt: skip
    meeting = case.meetings[0]
    assert meeting.form == "fysiskt"
    assert meeting.interpreter is not None and meeting.interpreter.language == "arabiska"
    letter = export.invitations(case, workflow, "text", today=TODAY)
    assert "Familjen behöver tolk (arabiska, bokas av Socialtjänst)." in " ".join(letter.split())


def test_rule_the_family_gets_its_copy_and_remind_covers_it(workflow: Workflow) -> None:
    case = example(kopior=[{"verksamhet": "familjen", "satt": "post", "har-fatt": False},
                           {"verksamhet": "skola", "satt": "utskriven"},
                           {"verksamhet": "socialtjanst", "satt": "utskriven"}])  # fmt: skip
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=120), kinds=("copy",))
    texts = [r.text for r in remind.case_reminders(case, query) if remind.selected(r, query)]
    assert texts == ["Familjen har inte fått sin kopia av Barnets plan."]
    everyone = example(**{"kopior-utskrivna": True, "kopior": None})
    assert [c.organisation.id for c in everyone.meetings[0].copies] == [
        "familjen",
        "skola",
        "socialtjanst",
    ]


@pytest.mark.parametrize("width", [40, 120])
def test_the_wheel_is_drawn_in_plain_characters_at_any_width(
    workflow: Workflow, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    case = example(**{"omraden-anteckningar": [{"omrade": "trygg", "utmanande": "Raster"}]})
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(views.wheel_view(case, workflow))
    drawn = console.file.getvalue()
    assert "\x1b[" not in drawn
    assert max(len(row) for row in drawn.splitlines()) <= width
    assert "●  ! Trygg" in drawn and "○    Må bra" in drawn
    assert "Preliminära namn" in drawn


def test_show_json_and_the_schema_carry_the_new_fields(
    workflow: Workflow, store: CaseStore
) -> None:
    schema = Case.model_json_schema()["$defs"]
    assert {"wheel_notes", "interpreter", "child_participation"} <= set(
        schema["Meeting"]["properties"]
    )
    assert {"goal", "evaluation", "evaluation_comment"} <= set(schema["PlanAction"]["properties"])
