"""Bad input at every date and text question of the shipped checklists is refused in Swedish."""

from __future__ import annotations

from datetime import date

import pytest

from kronobarn_cli.checklists.loader import load_workflow
from kronobarn_cli.checklists.schema import FieldSpec, Workflow
from kronobarn_cli.domain import answer_checks
from kronobarn_cli.errors import AnswerError

TODAY = date(2026, 11, 23)


def every_question(kind: str) -> list[FieldSpec]:
    workflow = load_workflow()
    found: list[FieldSpec] = []
    for section in workflow.sections:
        for step in section.steps:
            found += [f for f in [step, *step.fields] if f.kind == kind]
    return found


DATES = every_question("date")
TEXTS = every_question("text")


def test_the_checklists_have_the_questions_this_file_covers() -> None:
    assert len(DATES) >= 7
    assert len(TEXTS) >= 8


@pytest.mark.parametrize("spec", DATES, ids=lambda s: s.id)
@pytest.mark.parametrize("bad", ["2026-02-30", "31/11", "igårkväll", "", "13/13", "5 nix"])
def test_every_date_question_refuses_what_is_not_a_date(
    workflow: Workflow, spec: FieldSpec, bad: str
) -> None:
    if bad == "" and not spec.required:
        assert answer_checks.validate_answer(spec, bad, workflow, TODAY) is None
        return
    with pytest.raises(AnswerError, match="Ogiltigt datum"):
        answer_checks.validate_answer(spec, bad, workflow, TODAY)


@pytest.mark.parametrize("spec", DATES, ids=lambda s: s.id)
def test_every_date_question_keeps_to_its_range(workflow: Workflow, spec: FieldSpec) -> None:
    past, future = "2026-11-01", "2027-01-01"
    if spec.date_range == "past":
        with pytest.raises(AnswerError, match="framtiden"):
            answer_checks.validate_answer(spec, future, workflow, TODAY)
        assert answer_checks.validate_answer(spec, past, workflow, TODAY) == past
    elif spec.date_range == "future":
        for bad in (past, TODAY.isoformat()):
            with pytest.raises(AnswerError, match="framtiden"):
                answer_checks.validate_answer(spec, bad, workflow, TODAY)
        assert answer_checks.validate_answer(spec, future, workflow, TODAY) == future
    else:
        assert answer_checks.validate_answer(spec, "idag", workflow, TODAY) == TODAY.isoformat()


@pytest.mark.parametrize("spec", TEXTS, ids=lambda s: s.id)
def test_every_text_question_refuses_control_characters_and_endless_text(
    workflow: Workflow, spec: FieldSpec
) -> None:
    for bad in ("Hej\x1b[2J", "a\x07b", "x" * (answer_checks.MAX_TEXT + 1)):
        with pytest.raises(AnswerError):
            answer_checks.validate_answer(spec, bad, workflow, TODAY)
    assert answer_checks.validate_answer(
        spec, "  [b]Två rader\nok[/b] | # * `  ", workflow, TODAY
    ) == ("[b]Två rader\nok[/b] | # * `")


@pytest.mark.parametrize("spec", [t for t in TEXTS if t.required], ids=lambda s: s.id)
def test_every_required_text_question_refuses_a_blank(workflow: Workflow, spec: FieldSpec) -> None:
    for blank in ("", "   ", "\n"):
        with pytest.raises(AnswerError, match="tomt"):
            answer_checks.validate_answer(spec, blank, workflow, TODAY)


@pytest.mark.parametrize("bad", ["", "24:00", "9", "nio", "12:60"])
def test_meeting_time_refuses_what_is_not_a_time(workflow: Workflow, bad: str) -> None:
    spec = workflow.step("mote-tid")
    with pytest.raises(AnswerError, match="Ogiltig tid"):
        answer_checks.validate_answer(spec, bad, workflow, TODAY)
