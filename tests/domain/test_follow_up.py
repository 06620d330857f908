"""Follow-up meetings carry the plan forward without silent regressions (one test per defect),
and a case built over three meetings from answers files."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.cli import main
from kronobarn_cli.domain import rules
from kronobarn_cli.domain.case import Case, Consent
from kronobarn_cli.domain.meeting_record import action_from_item
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, KronobarnError, OutsideScopeError
from kronobarn_cli.interactive import walk as session
from kronobarn_cli.interactive.prompter import BACK, Prompter
from kronobarn_cli.interactive.walk import ReplayError, Walk, replay_follow_up
from kronobarn_cli.render import export
from kronobarn_cli.store.case_files import CaseStore

from ..cases import at, first_meeting, follow_up_answers
from ..conftest import NOW, REPO, fixed_clock
from ..helpers import in_process
from ..keys import DOWN, ENTER, line, typed

EXAMPLE = REPO / "examples" / "svar.yaml"
FOLLOW_UP = REPO / "examples" / "uppfoljning.yaml"


def test_defect1_a_carried_action_starts_on_its_status(
    workflow: Workflow, store: CaseStore, screen: Any
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.start_follow_up()
    answers = follow_up_answers()
    for step_id in ("omraden", "mote-datum", "mote-tid", "mote-form", "mote-plats"):
        walk.answer(step_id, answers[step_id])
    walk.answer(
        "inbjudna", [{"verksamhet": "socialtjanst", "satt": "link", "skickad": "2027-03-20"}]
    )
    for step_id in ("kontakt-fore-mote", "familjen-forst", "deltagare", "information-nrp",
                    "omraden-motet", "barnets-delaktighet", "barnets-asikter",
                    "vardnadshavares-asikter",
                    "samverkanslosningar"):  # fmt: skip
        walk.answer(step_id, answers.get(step_id, True))
    prompter = Prompter(screen)
    # Enter on each status keeps it: planned stays planned, ongoing stays ongoing; how it has
    # gone (helped) and a comment; its date having passed, each is given a new one.
    keys = [
        ENTER, ENTER, line(""), line("2027-05-01"),
        ENTER, DOWN + ENTER, line("Bättre"), line("2027-06-15"),
        line(""),
    ]  # fmt: skip
    with typed(*keys):
        items = prompter.ask_repeat(workflow.step("atgarder"), walk)
    assert [(i["vad"], i["status"], i["senast"], i["utfall"]) for i in items] == [
        ("Anpassat schema", "planerad", "2027-05-01", "har-hjalpt"),
        ("Stödsamtal med familjen", "pagaende", "2027-06-15", "delvis"),
    ]
    shown = " ".join(screen.file.getvalue().split())
    assert "Anpassat schema · Att hen är i skolan hela dagar · Skola · Planerad" in shown


def test_defect2_a_passed_date_is_asked_again_and_keeping_it_is_deliberate(
    workflow: Workflow,
) -> None:
    case = first_meeting(workflow)
    answers = follow_up_answers(atgarder=[{"tidigare": 1, "status": "pagaende"},
                                          {"tidigare": 2, "status": "pagaende",
                                           "senast": "2027-06-15"}])  # fmt: skip
    with pytest.raises(ReplayError, match="Senast vilket datum\\?: svar saknas"):
        replay_follow_up(workflow, case, answers, "f.yaml", clock=at("2027-04-14"))
    answers["atgarder"][0]["senast"] = "2027-03-31"  # the old date, typed on purpose
    result = replay_follow_up(workflow, case, answers, "f.yaml", clock=at("2027-04-14"))
    assert str(result.case.meetings[1].actions[0].due) == "2027-03-31"


def test_defect3_the_agreed_date_and_time_are_offered(workflow: Workflow, store: CaseStore) -> None:
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.start_follow_up()
    assert walk.default_for(workflow.step("mote-datum")) == "2027-04-15"
    assert walk.default_for(workflow.step("mote-tid")) == "13:00"  # agreed in svar.yaml
    walk.answer("omraden", ["trygg", "utvecklas"])
    assert walk.default_for(workflow.step("omraden-motet")) == ["trygg", "utvecklas"]


def test_defect4_the_coordinator_suggestion_counts_open_actions_only() -> None:
    skola, soc = (
        OrganisationRef(id="skola", name="Skola"),
        OrganisationRef(id="socialtjanst", name="Socialtjänst"),
    )
    actions = [
        action_from_item({"vad": "a", "ansvarig": skola.model_dump(), "senast": "2027-01-01",
                                "omrade": "trygg", "status": "klar"}),
        action_from_item({"vad": "b", "ansvarig": skola.model_dump(), "senast": "2027-01-01",
                                "omrade": "trygg", "status": "pagaende"}),
        action_from_item({"vad": "c", "ansvarig": soc.model_dump(), "senast": "2027-01-01",
                                "omrade": "trygg", "status": "planerad"}),
        action_from_item({"vad": "d", "ansvarig": soc.model_dump(), "senast": "2027-01-01",
                                "omrade": "trygg", "status": "pagaende"}),
    ]  # fmt: skip
    assert rules.suggest_coordinator(actions) == [soc]


def test_defect5_a_meeting_weeks_ahead_cannot_be_recorded_as_held(
    workflow: Workflow, store: CaseStore, screen: Any
) -> None:
    case = first_meeting(workflow)
    data = case.model_dump()
    data["meetings"] = []
    data["answers"] = case.answers
    fresh = Case.model_validate(data)
    store.save(fresh)
    walk = Walk(workflow, store, fresh, clock=fixed_clock)
    for step_id, value in [("omraden", ["trygg"]), ("mote-datum", "2027-01-22"),
                           ("mote-tid", "10:00"), ("mote-form", "fysiskt"), ("mote-plats", "R"),
                           ("inbjudna", [{"verksamhet": "skola", "satt": "link",
                                          "skickad": "2026-11-23"}]),
                           ("kontakt-fore-mote", False)]:  # fmt: skip
        walk.answer(step_id, value)
    with typed(ENTER):  # "Spara och fortsätt vid mötet" is offered first
        position = Prompter(screen).walk(walk)
    assert position.section.number == 5 and not walk.case.meetings[0].answers.get("samverkansmotet")
    assert "Mötet är planerat till 22 januari 2027." in screen.file.getvalue()


def test_defect6_the_same_documentation_line_is_given_once() -> None:
    skola = OrganisationRef(id="skola", name="Skola")
    same = [
        Consent(
            giver="vardnadshavare-1", form="muntlig", given_on=NOW.date(), organisations=[skola]
        ),
        Consent(giver="ungdom", form="muntlig", given_on=NOW.date(), organisations=[skola]),
    ]
    assert rules.consent_lines(same) == [
        "Samtycke har lämnats muntligen den 23 november 2026 för kontakt med Skola."
    ]
    other = [same[0], same[1].model_copy(update={"given_on": NOW.date() - timedelta(days=1)})]
    assert [line.split(":")[0] for line in rules.consent_lines(other)] == [
        "Vårdnadshavare 1",
        "Ungdomen",
    ]


def test_defect7_follow_up_answers_files_replay_a_meeting_from_the_command_line(
    isolated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now().date()
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["svar"]["mote-datum"] = str(today + timedelta(days=1))
    data["svar"]["nasta-mote"] = str(today + timedelta(days=30))
    data["svar"]["inbjudna"][0]["skickad"] = str(today)
    first = tmp_path / "svar.yaml"
    first.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["new-case", "--answers", str(first)])
    case_id = json.loads(next(isolated.glob("arenden/*.json")).read_text("utf-8"))["id"]
    follow = yaml.safe_load(FOLLOW_UP.read_text(encoding="utf-8"))
    follow["svar"]["mote-datum"] = str(today + timedelta(days=30))
    follow["svar"]["nasta-mote"] = str(today + timedelta(days=60))
    follow["svar"]["inbjudna"][0]["skickad"] = str(today)
    follow["svar"]["atgarder"][1]["senast"] = str(today + timedelta(days=50))
    second = tmp_path / "uppfoljning.yaml"
    second.write_text(yaml.safe_dump(follow, allow_unicode=True), encoding="utf-8")
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main(["follow-up", case_id, "--answers", str(second)])
    assert ended.value.code == 0, capsys.readouterr().err
    case = CaseStore(isolated).load(case_id)
    assert len(case.meetings) == 2 and case.meetings[1].finished
    assert [(a.what, a.status) for a in case.meetings[1].actions] == [
        ("Anpassat schema", "klar"),
        ("Stödsamtal med familjen", "pagaende"),
        ("Läxhjälp", "planerad"),
    ]


def test_a_follow_up_file_must_name_every_open_action(workflow: Workflow) -> None:
    case = first_meeting(workflow)
    answers = follow_up_answers(atgarder=[{"tidigare": 1, "status": "klar"}])
    with pytest.raises(ReplayError, match="öppna insats 2 \\(Stödsamtal med familjen\\) saknas"):
        replay_follow_up(workflow, case, answers, "f.yaml", clock=at("2027-04-14"))
    answers = follow_up_answers(atgarder=[{"tidigare": 7, "status": "klar"}])
    with pytest.raises(ReplayError, match="'tidigare: 7' finns inte"):
        replay_follow_up(workflow, case, answers, "f.yaml", clock=at("2027-04-14"))


def test_three_meetings_keep_every_history_and_earlier_meetings_untouched(
    workflow: Workflow,
) -> None:
    case = first_meeting(workflow)
    second = replay_follow_up(workflow, case, follow_up_answers(), "2.yaml", clock=at("2027-04-14"))
    case = second.case
    third_answers = follow_up_answers(
        mote_datum=None,
        **{
            "mote-datum": "2027-06-01",
            "nasta-mote": "2027-09-01",
            "inbjudna": [{"tidigare": 1, "skickad": "2027-05-10"}],
            "atgarder": [
                {"tidigare": "Stödsamtal med familjen", "status": "klar"},
                {"tidigare": "Läxhjälp", "status": "pagaende", "senast": "2027-08-30"},
            ],
        },
    )
    third_answers.pop("mote_datum")
    before = [m.model_dump_json() for m in case.meetings]
    third = replay_follow_up(workflow, case, third_answers, "3.yaml", clock=at("2027-05-31"))
    meetings = third.case.meetings
    assert [m.model_dump_json() for m in meetings[:2]] == before  # byte for byte
    history = {
        what: [next((a.status for a in m.actions if a.what == what), None) for m in meetings]
        for what in ("Anpassat schema", "Stödsamtal med familjen", "Läxhjälp")
    }
    assert history == {
        "Anpassat schema": ["planerad", "klar", None],
        "Stödsamtal med familjen": ["pagaende", "pagaende", "klar"],
        "Läxhjälp": [None, "planerad", "pagaende"],
    }
    assert [str(m.held_on) for m in meetings] == ["2027-02-10", "2027-04-15", "2027-06-01"]
    assert [str(m.next_meeting) for m in meetings] == ["2027-04-15", "2027-06-01", "2027-09-01"]


def test_rule2_an_invitation_outside_the_consent_is_not_carried_into_the_follow_up(
    workflow: Workflow, store: CaseStore, screen: Any
) -> None:
    """Socialtjänst's consent withdrawn: its invitation from the last meeting is shown flagged,
    never asked about, and the group can be left with ← Tillbaka."""
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.withdraw_consent("vardnadshavare-1", ["socialtjanst"], date(2027, 4, 1))
    walk.start_follow_up()
    answers = follow_up_answers()
    for step_id in ("omraden", "mote-datum", "mote-tid", "mote-form", "mote-plats"):
        walk.answer(step_id, answers[step_id])
    step = workflow.step("inbjudna")
    assert walk.carried_items(step) == []
    [flag] = walk.carried_outside_consent(step)
    assert flag.startswith("Socialtjänst bjuds inte in igen: Samtycket för Socialtjänst")
    prompter = Prompter(screen)
    with typed("\x1b[A" + ENTER):  # up from the first choice: ← Tillbaka, the last one
        assert prompter.ask_repeat(step, walk) is BACK
    shown = " ".join(screen.file.getvalue().split())
    assert "Från förra mötet: Socialtjänst bjuds inte in igen" in shown


def test_rule2_a_withdrawn_partys_action_is_flagged_and_cancelled_without_a_new_owner(
    workflow: Workflow, store: CaseStore
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.withdraw_consent("vardnadshavare-1", ["socialtjanst"], date(2027, 4, 1))
    walk.start_follow_up()
    answers = follow_up_answers(
        inbjudna=[{"verksamhet": "skola", "satt": "link", "skickad": "2027-03-20"}],
        deltagare=["skola"],
    )
    for step_id in ("omraden", "mote-datum", "mote-tid", "mote-form", "mote-plats",
                    "inbjudna", "kontakt-fore-mote", "familjen-forst", "deltagare",
                    "information-nrp", "omraden-motet", "barnets-delaktighet", "barnets-asikter",
                    "vardnadshavares-asikter", "samverkanslosningar"):  # fmt: skip
        walk.answer(step_id, answers.get(step_id, True))
    step = workflow.step("atgarder")
    [theirs] = [i for i in walk.carried_items(step) if i["ansvarig"]["id"] == "socialtjanst"]
    flag = walk.consent_flag(step, theirs)
    assert flag is not None and "återkallats" in flag
    cancelled = walk.validate_item(step, {**theirs, "status": "avbruten", "senast": "2027-03-15"})
    assert cancelled["ansvarig"]["id"] == "socialtjanst"  # its history and owner are kept
    with pytest.raises(OutsideScopeError):
        walk.validate_item(step, {**theirs, "status": "pagaende", "senast": "2027-06-15"})


def test_rule5_a_follow_up_is_not_dated_before_the_meeting_it_follows(
    workflow: Workflow, store: CaseStore
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.start_follow_up()
    walk.answer("omraden", ["trygg"])
    first = case.meetings[0].held_on
    assert first is not None
    with pytest.raises(AnswerError, match="före förra mötet"):
        walk.answer("mote-datum", str(first - timedelta(days=1)))
    walk.answer("mote-datum", str(first + timedelta(days=1)))


def test_rule2_consent_is_checked_as_of_the_meetings_day_too(
    workflow: Workflow, store: CaseStore
) -> None:
    """A meeting registered afterwards: a party whose consent came only after that day could
    not take part in it, though today's consent covers it."""
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.extend_consent({"roll": "vardnadshavare-1", "form": "muntlig", "datum": "2027-04-10",
                         "verksamheter": ["vardcentral"]})  # fmt: skip
    walk.start_follow_up()
    answers = follow_up_answers(
        inbjudna=[{"verksamhet": "vardcentral", "satt": "link", "skickad": "2027-04-10"}],
    )
    walk.answer("omraden", ["trygg"])
    walk.answer("mote-datum", "2027-04-05")
    for step_id in ("mote-tid", "mote-form", "mote-plats", "inbjudna", "kontakt-fore-mote",
                    "familjen-forst"):  # fmt: skip
        walk.answer(step_id, answers.get(step_id, True))
    with pytest.raises(AnswerError, match="omfattade inte Vårdcentral den 5 april 2027"):
        walk.answer("deltagare", ["skola", "vardcentral"])
    walk.answer("deltagare", ["skola", "socialtjanst"])


@pytest.mark.parametrize("ended", ["withdrawn", "expired"])
def test_rule2_one_rule_refuses_a_follow_up_and_a_new_action_without_consent(
    workflow: Workflow, store: CaseStore, ended: str
) -> None:
    """A consent withdrawn as a whole and one run out act alike: neither a follow-up nor a new
    action of the own organisation (which needs no consent to be named) goes on without it."""
    case = first_meeting(workflow)
    if ended == "expired":
        data = case.model_dump()
        data["consents"][0]["valid_until"] = date(2027, 3, 31)
        case = Case.model_validate(data)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    if ended == "withdrawn":
        walk.withdraw_consent("vardnadshavare-1", [], date(2027, 4, 1))
    case = store.load(case.id)
    with pytest.raises(KronobarnError, match="samtycke"):
        Walk(workflow, store, case, clock=at("2027-04-14")).start_follow_up()
    with pytest.raises(KronobarnError, match="samtycke"):
        session.add_action(store, workflow, case, "Ny insats", "skola", "2027-05-01", "trygg",
                           now=at("2027-04-14")())  # fmt: skip
    assert store.load(case.id).meetings[0].actions == case.meetings[0].actions


def test_rule2_the_calendar_flags_a_participant_the_consent_no_longer_covers(
    workflow: Workflow, store: CaseStore
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.withdraw_consent("vardnadshavare-1", ["socialtjanst"], date(2027, 4, 1))
    data = export.calendar(walk.case, with_details=True, today=date(2027, 4, 14))
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    description = str(event["description"])
    assert "Socialtjänst (utanför samtycket)" in description
    assert "Obs: samtycket omfattar inte Socialtjänst i dag" in description
    assert "Skola (utanför" not in description


@pytest.mark.parametrize("ended", ["withdrawn", "expired"])
def test_rule2_a_consent_run_out_makes_the_case_wait_for_consent_as_a_withdrawal_does(
    workflow: Workflow, store: CaseStore, ended: str
) -> None:
    """`list` (table and JSON), `show` and `remind` say the same of a case whose only required
    consent ran out as of one whose consent was withdrawn: it waits for consent. `plan add`
    is refused alike, and nothing is saved."""
    case = first_meeting(workflow)  # the consent of 20 November 2026 was recorded on the 23rd
    if ended == "expired":
        data = case.model_dump()
        data["consents"][0]["valid_until"] = date(2026, 11, 25)  # before the day the test runs
        case = Case.model_validate(data)
    store.save(case)
    assert store.indexed(date(2026, 11, 24)) is not None  # the index, written before the end
    if ended == "withdrawn":
        done = in_process("consent", case.id, "withdraw", "--giver", "vardnadshavare-1")
        assert done.returncode == 0, done.stderr
    before = store.load(case.id)
    listed = in_process("list", columns=200)
    assert "väntar på samtycke" in listed.stdout, listed.stdout
    assert "aktiverad" not in listed.stdout
    [row] = json.loads(in_process("list", "--json").stdout)
    assert (row["status"], row["status_text"]) == ("vantar-pa-samtycke", "väntar på samtycke")
    shown = in_process("show", case.id, columns=200).stdout
    assert "väntar på samtycke" in shown
    reminders = json.loads(in_process("remind", "--json", "--within", "365d").stdout)
    assert ("consent", "Väntar på samtycke från vårdnadshavaren.") in [
        (r["kind"], r["text"]) for r in reminders
    ]
    assert not [r for r in reminders if r["kind"] in ("action", "copy")]
    refused = in_process("plan", case.id, "add", "--what", "Ny insats", "--organisation",
                         "skola", "--due", "2027-05-01", "--area", "trygg")  # fmt: skip
    assert refused.returncode != 0
    assert refused.stderr.startswith("Fel: ") and "samtycke" in refused.stderr, refused.stderr
    assert store.load(case.id) == before


def test_rule2_a_case_whose_consent_ran_out_is_open_to_resume_as_one_withdrawn(
    workflow: Workflow, store: CaseStore
) -> None:
    """`resume` without an id offers the cases waiting for consent: from the day after its
    end, a case whose consent ran out is one of them."""
    data = first_meeting(workflow).model_dump()
    data["consents"][0]["valid_until"] = date(2027, 3, 31)
    case = Case.model_validate(data)
    assert not session.walk_open(case, date(2027, 3, 31))  # the meeting is finished
    assert session.walk_open(case, date(2027, 4, 1))
