"""The coordinator's walk: corrections, context on resume, identity numbers, agreed wording."""

from __future__ import annotations

from typing import Any

import pytest

from kronobarn_cli import cli
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.errors import AnswerError
from kronobarn_cli.interactive.prompter import BACK, Prompter
from kronobarn_cli.interactive.walk import Walk, parse_child
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW, new_walk
from ..keys import DOWN, ENTER, SPACE, down, line, typed
from ..scenario import BEFORE_INVITEES, GUARDIAN_ORAL, GUARDIANS, MEETING, activate_need, answer_all

BACKSPACE = "\x7f"

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def prompter(screen: Any) -> Prompter:
    return Prompter(screen)


def shown(prompter: Prompter) -> str:
    return " ".join(prompter.console.file.getvalue().split())  # type: ignore[attr-defined]


def active(walk: Walk) -> Walk:
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    return walk


def test_jump_back_to_a_chosen_earlier_answer(prompter: Prompter, walk: Walk) -> None:
    active(walk)
    answer_all(walk, BEFORE_INVITEES)  # areas, date, time, form, place
    # At the invitee's contact person, `<<` offers the earlier answers, newest first:
    # place, form, time, date, areas, ...; choose the date (4th) and give another. The date
    # starts from the old one; the time, form and place still hold and are kept unasked.
    keys = [down(5) + ENTER, line("<<"), down(3) + ENTER, BACKSPACE * 10 + line("2026-12-22")]
    with pytest.raises(EOFError), typed(*keys):
        prompter.walk(walk)
    meeting = walk.case.meetings[0]
    assert meeting.held_on is not None and meeting.held_on.isoformat() == "2026-12-22"
    assert (meeting.starts_at, meeting.place) == ("09:30", "Rum 3")  # kept
    assert walk.position().step is not None and walk.position().step.id == "inbjudna"
    assert "(som tidigare)" in shown(prompter)


def test_edit_corrects_the_child_and_journals_what_not_to_what(
    walk: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        cli.main(["edit", walk.case.id, "--name", "E. L.", "--birth-year", "2015"])
    assert ended.value.code == 0, capsys.readouterr().err
    case = store.load(walk.case.id)
    assert (case.child.name, case.child.birth_year) == ("E. L.", 2015)
    assert case.journal[-1].text == "Barnets uppgifter ändrades: namn, födelseår."
    with pytest.raises(SystemExit) as ended:
        cli.main(["edit", walk.case.id, "--name", "121212-1212"])
    assert ended.value.code == 1
    assert "personnummer" in capsys.readouterr().err


def test_resume_opens_with_the_child_the_section_and_the_item_being_edited(
    prompter: Prompter, walk: Walk
) -> None:
    active(walk)
    answer_all(walk, BEFORE_INVITEES)
    step = walk.workflow.step("inbjudna")
    items = [{"verksamhet": {"id": "skola", "name": "Skola"}, "satt": "link",
              "skickad": "2026-11-23"}]  # fmt: skip
    walk.save_pending(step, items, {"verksamhet": {"id": "socialtjanst", "name": "Socialtjänst"}})
    prompter.show_header(walk)
    text = shown(prompter)
    assert "Barn: A. B. (född 2016)" in text
    assert "Avsnitt 3: Initiera och bjuda in" in text
    assert "Nu: Bjud in en verksamhet: Socialtjänst (nr 2)" in text


def test_resume_without_an_id_offers_the_open_cases(
    prompter: Prompter, workflow: Workflow, store: CaseStore
) -> None:
    first = new_walk(workflow, store, name="Först")
    second = new_walk(workflow, store, name="Sedan")
    active(second)
    answer_all(second, [("omraden", ["trygg"])])
    finished = Case(id="zzzzzz", created=NOW, updated=NOW, child=Child(name="Klar"),
                    status="ej-aktiverad")  # fmt: skip
    store.save(finished)
    with typed(DOWN + ENTER):
        chosen = cli.walks._choose_open_case(prompter, store)
    assert chosen in (first.case.id, second.case.id)
    assert chosen != "zzzzzz"


def test_an_identity_number_is_refused_as_the_name_and_warned_about_elsewhere(walk: Walk) -> None:
    with pytest.raises(AnswerError, match="personnummer behövs inte"):
        parse_child("Elsa 20121212-1234", "2012", NOW.date())
    warnings = walk.answer("uppmarksammat", "Oro. Pnr 121212-1212 enligt skolan.")
    assert any("personnummer" in w for w in warnings)
    assert walk.answer("egen-insats-racker", False) == []


def test_back_is_a_key_in_lists_not_a_choice_to_tick(prompter: Prompter, walk: Walk) -> None:
    step = walk.workflow.step("omraden")
    with typed(SPACE + DOWN + SPACE + "<"):
        answer = prompter.ask_field(step, walk)
    assert answer is BACK


def test_a_no_to_shared_information_asks_what_was_agreed_instead(walk: Walk) -> None:
    active(walk)
    answer_all(walk, BEFORE_INVITEES)
    answer_all(walk, [("inbjudna", [{"verksamhet": "skola", "satt": "link",
                                     "skickad": "2026-11-23"}]),
                      ("kontakt-fore-mote", False)])  # fmt: skip
    answer_all(walk, MEETING[:2])
    walk.answer("information-nrp", False)
    step = walk.position().step
    assert step is not None and step.id == "information-overenskommelse"
    walk.answer("information-overenskommelse", "Bara skolans uppgifter delas i dag.")
    assert walk.case.meetings[0].information_instead == "Bara skolans uppgifter delas i dag."


def test_date_questions_echo_the_date_understood(prompter: Prompter, walk: Walk) -> None:
    active(walk)
    answer_all(walk, [("omraden", ["trygg"])])
    with typed(line("20 dec 9.30")):
        answer = prompter.ask_field(walk.workflow.step("mote-datum"), walk)
    assert answer == "20 dec 9.30"
    assert "→ 20 december 2026 kl. 09:30" in shown(prompter)
    walk.answer("mote-datum", answer)
    assert walk.case.meetings[0].starts_at == "09:30"


def test_the_oral_consent_line_is_shown_only_for_oral_consent(
    prompter: Prompter, walk: Walk
) -> None:
    spec = walk.workflow.step("samtycken").field("verksamheter")
    assert spec is not None
    prompter.show_guidance(spec, {"form": "skriftlig"})
    assert "Samtycke har lämnats muntligen" not in shown(prompter)
    prompter.show_guidance(spec, {"form": "muntlig"})
    assert "Du kan skriva följande i din dokumentation" in shown(prompter)


def test_an_interrupted_jump_back_loses_none_of_the_later_answers(
    prompter: Prompter, walk: Walk, store: CaseStore
) -> None:
    active(walk)
    answer_all(walk, BEFORE_INVITEES)
    # `<<` to the date, then the laptop is closed before the new date is typed.
    with pytest.raises(EOFError), typed(down(5) + ENTER, line("<<"), down(3) + ENTER):
        prompter.walk(walk)
    resumed = Walk(walk.workflow, store, store.load(walk.case.id), clock=walk.clock)
    assert resumed.remembered["mote-plats"] == "Rum 3"
    with pytest.raises(EOFError), typed(line("2026-12-22")):
        prompter.walk(resumed)
    meeting = resumed.case.meetings[0]
    assert (str(meeting.held_on), meeting.place) == ("2026-12-22", "Rum 3")
    assert store.load(walk.case.id).pending.get("remembered") is None
