"""Rule 2, consent as the workflow means it: every required giver, each with their own scope.

One test per rule (DESIGN.md, rule 2): the intersection, two guardians, the own organisation,
each of the seven places an organisation is named, withdrawal whole and in part, expiry and the
migration of version-1 case files; each through the engine and the answers-file replay, plus the
`consent` commands and a walk through the real prompts.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kronobarn_cli.checklists.loader import load_workflow
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.cli import main
from kronobarn_cli.domain import answer_checks
from kronobarn_cli.domain import reminders as remind
from kronobarn_cli.domain.case import SCHEMA_VERSION, Case, Child
from kronobarn_cli.domain.consent import ConsentScope, scope_flags
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.domain.rules import Scopes
from kronobarn_cli.errors import AnswerError, KronobarnError, OutsideScopeError, SpecialistError
from kronobarn_cli.interactive import replay as answers_file
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import (
    ReplayError,
    Walk,
    add_action,
    edit_child,
    replay,
    set_action_status,
    withdraw_consent,
)
from kronobarn_cli.render import export, views
from kronobarn_cli.store.case_files import CaseStore

from ..cases import first_meeting
from ..conftest import NOW, REPO, fixed_clock
from ..keys import ENTER, down, line, typed
from ..scenario import (
    BEFORE_INVITEES,
    COORDINATION,
    INVITATION,
    MEETING,
    PLAN,
    activate_need,
    answer_all,
    invitee,
)

TODAY = NOW.date()
POLIS = OrganisationRef(id="polis", name="Polis")
SOC = OrganisationRef(id="socialtjanst", name="Socialtjänst")
SKOLA = OrganisationRef(id="skola", name="Skola")
FIXTURE_V1 = REPO / "tests" / "fixtures" / "case-v1.json"


def consent(giver: str, *orgs: str, on: str = "2026-11-20", **extra: Any) -> dict[str, Any]:
    return {"roll": giver, "form": "skriftlig", "datum": on, "verksamheter": list(orgs), **extra}


def youth_case(workflow: Workflow, store: CaseStore, own: str | None = "skola") -> Walk:
    """A 14-year-old judged mature: the guardian covers more than the young person."""
    own_ref = OrganisationRef(**answer_checks.organisation_answer(own, workflow)) if own else None
    case = Case(id="k3m9qc", created=NOW, updated=NOW, own_organisation=own_ref,
                child=Child(name="U. V.", birth_year=2012))  # fmt: skip
    store.save(case)
    walk = Walk(workflow, store, case, clock=fixed_clock)
    activate_need(walk)
    answer_all(
        walk,
        [
            ("ungdom-mogen", True),
            ("vardnadshavare-antal", "1"),
            (
                "samtycken",
                [
                    consent("vardnadshavare-1", "skola", "socialtjanst", "polis"),
                    consent("ungdom", "skola", "socialtjanst"),
                ],
            ),
        ],
    )
    assert walk.case.status == "aktiverad"
    return walk


@pytest.fixture
def youth(workflow: Workflow, store: CaseStore) -> Walk:
    return youth_case(workflow, store)


# -- The rule itself -------------------------------------------------------------------------------


def test_rule2_scope_is_the_intersection_of_every_required_givers_consent(youth: Walk) -> None:
    scope = youth.consent_scope()
    assert [o.id for o in scope.organisations()] == ["skola", "socialtjanst"]
    assert not scope.covers(POLIS)
    assert scope.missing_givers(POLIS) == ["ungdom"]
    answer_all(youth, BEFORE_INVITEES)
    with pytest.raises(OutsideScopeError, match="samtycke saknas från ungdomen") as refused:
        youth.answer("inbjudna", [invitee("polis")])
    assert refused.value.givers == ["ungdom"]


def test_rule2_two_guardians_with_custody_must_both_consent(walk: Walk) -> None:
    activate_need(walk)
    answer_all(walk, [("vardnadshavare-antal", "2")])
    walk.answer("samtycken", [consent("vardnadshavare-1", "skola", "socialtjanst")])
    assert walk.case.status == "vantar-pa-samtycke"
    assert walk.consent_scope().missing_words() == "vårdnadshavare 2"
    walk.reopen()
    walk.answer(
        "samtycken",
        [
            consent("vardnadshavare-1", "skola", "socialtjanst"),
            consent("vardnadshavare-2", "skola", namn="B. K."),
        ],
    )
    assert walk.case.status == "aktiverad"
    assert walk.case.guardians == 2
    scope = walk.consent_scope()
    assert [o.id for o in scope.organisations()] == ["skola"]
    assert scope.missing_words(SOC) == "vårdnadshavare 2 (B. K.)"


def test_rule2_a_second_guardian_is_refused_when_one_has_custody(walk: Walk) -> None:
    activate_need(walk)
    walk.answer("vardnadshavare-antal", "1")
    with pytest.raises(AnswerError, match="en vårdnadshavare med vårdnad"):
        walk.answer("samtycken", [consent("vardnadshavare-2", "skola")])


def test_rule2_a_county_may_let_either_guardian_consent(
    tmp_path: Path, store: CaseStore, walk: Walk
) -> None:
    county = tmp_path / "checklists"
    shutil.copytree(REPO / "checklists", county)
    path = county / "02-samtycke.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("consent_from_each_guardian: true", "consent_from_each_guardian: false"),
        encoding="utf-8",
    )
    either = Walk(load_workflow(county), store, walk.case, clock=fixed_clock)
    activate_need(either)
    answer_all(either, [("vardnadshavare-antal", "2")])
    either.answer("samtycken", [consent("vardnadshavare-2", "skola")])
    assert either.case.status == "aktiverad"
    assert either.case.consent_from_each_guardian is False


def test_rule2_the_own_organisation_is_always_within_scope(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = youth_case(workflow, store, own="barn-och-elevhalsa")
    assert walk.consent_scope().organisations()[0].id == "barn-och-elevhalsa"
    answer_all(walk, BEFORE_INVITEES)
    walk.answer("inbjudna", [invitee("barn-och-elevhalsa"), invitee("skola")])
    # First after the family, and a participant by default.
    assert walk.presentation_order()[:2] == [
        "Familjen: barnet/ungdomen och vårdnadshavarna",
        "Barn- och elevhälsa",
    ]
    deltagare = walk.default_for(walk.workflow.step("deltagare"))
    assert [o["id"] for o in deltagare] == ["barn-och-elevhalsa", "skola"]


def test_rule2_the_own_organisation_defaults_the_inviter(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = youth_case(workflow, store, own="socialtjanst")
    answer_all(walk, INVITATION[:1])
    assert walk.default_for(walk.workflow.step("inbjudare-verksamhet")) == SOC.model_dump()


# -- Seven places an organisation is named: one check ----------------------------------------------

PLACES = [
    ("inbjudna", "verksamhet"),
    ("kontakter", "verksamhet"),
    ("deltagare", None),
    ("atgarder", "ansvarig"),
    ("kopior", "verksamhet"),
    ("nasta-deltagare", None),
    ("ytterligare-parter", None),
]


@pytest.mark.parametrize(("step_id", "field_id"), PLACES, ids=[p[0] for p in PLACES])
def test_rule2_every_place_an_organisation_is_named_checks_the_consent(
    youth: Walk, step_id: str, field_id: str | None
) -> None:
    step = youth.workflow.step(step_id)
    spec = step.field(field_id) if field_id else step
    assert spec is not None
    # Polis took part (say), but only the guardian consented to it: still refused.
    scopes = Scopes(youth.consent_scope(), participants=[SKOLA, SOC, POLIS])
    value: Any = "polis" if spec.kind == "organisation" else ["polis"]
    with pytest.raises(OutsideScopeError, match="saknas från ungdomen"):
        answer_checks.validate_answer(spec, value, youth.workflow, TODAY, scopes)
    allowed: Any = "skola" if spec.kind == "organisation" else ["skola"]
    answer_checks.validate_answer(spec, allowed, youth.workflow, TODAY, scopes)


def replay_file(**changes: Any) -> dict[str, Any]:
    """The shipped example for a mature young person whose consent covers less."""
    data: dict[str, Any] = yaml.safe_load((REPO / "examples" / "svar.yaml").read_text("utf-8"))
    data["barn"]["fodelsear"] = 2012
    answers = data["svar"]
    answers["ungdom-mogen"] = True
    answers["samtycken"] = [
        consent("vardnadshavare-1", "skola", "socialtjanst", "polis"),
        consent("ungdom", "skola", "socialtjanst"),
    ]
    answers["mote-datum"] = "2026-12-20"
    answers["nasta-mote"] = "2027-02-01"
    answers["inbjudna"][0]["skickad"] = "2026-11-23"
    for key, value in changes.items():
        answers[key] = value
    return data


def replayed(workflow: Workflow, data: dict[str, Any]) -> Case:
    child = Child(name=data["barn"]["namn"], birth_year=data["barn"]["fodelsear"])
    answers = dict(data["svar"])
    # The order of a file is the walk's order; the young person's maturity comes first.
    answers = {"ungdom-mogen": answers.pop("ungdom-mogen"), **answers}
    return replay(workflow, child, answers, "svar.yaml", clock=fixed_clock, own=SKOLA).case


REPLAY_PLACES = {
    "inbjudna": [{"verksamhet": "polis", "satt": "link", "skickad": "2026-11-23"}],
    "kontakter": [{"verksamhet": "polis", "syfte": "medverkan", "datum": "2026-11-22"}],
    "deltagare": ["skola", "socialtjanst", "polis"],
    "atgarder": [
        {
            "vad": "Samtal",
            "ansvarig": "polis",
            "senast": "2027-01-10",
            "omrade": "trygg",
            "status": "planerad",
        }
    ],
    "kopior": [{"verksamhet": "polis", "satt": "post", "har-fatt": False}],
    "nasta-deltagare": ["skola", "polis"],
    "ytterligare-parter": ["polis"],
}


def test_the_replay_example_for_a_mature_youth_is_accepted(workflow: Workflow) -> None:
    case = replayed(workflow, replay_file())
    assert case.status == "aktiverad"
    assert case.meetings[0].finished


@pytest.mark.parametrize("step_id", list(REPLAY_PLACES))
def test_rule2_a_replay_naming_an_organisation_outside_the_scope_is_refused(
    workflow: Workflow, step_id: str
) -> None:
    changes: dict[str, Any] = {step_id: REPLAY_PLACES[step_id]}
    if step_id == "kontakter":
        changes = {"kontakt-fore-mote": True, **changes, "inget-formote": True}
    with pytest.raises(ReplayError, match=f"steget '{step_id}'") as refused:
        replayed(workflow, replay_file(**changes))
    reason = "deltog inte i mötet" if step_id in ("atgarder", "kopior") else "ungdomen"
    assert reason in refused.value.message


def test_a_replay_outside_the_scope_writes_nothing(
    isolated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = replay_file(inbjudna=REPLAY_PLACES["inbjudna"])
    today = date.today()
    data["svar"]["mote-datum"] = (today + timedelta(days=40)).isoformat()
    data["svar"]["nasta-mote"] = (today + timedelta(days=80)).isoformat()
    path = tmp_path / "svar.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit) as ended:
        main(["new-case", "--answers", str(path)])
    assert ended.value.code == 1
    [message] = capsys.readouterr().err.strip().splitlines()
    assert "Samtycket omfattar inte Polis" in message
    assert not list(isolated.glob("arenden/*.json"))


def test_rule7_specialist_care_for_the_next_meeting_needs_an_established_contact(
    youth: Walk,
) -> None:
    youth.extend_consent(consent("vardnadshavare-1", "bup", on="2026-11-22"))
    youth.extend_consent(consent("ungdom", "bup", on="2026-11-22"))
    answer_all(youth, INVITATION + MEETING + PLAN + COORDINATION[:2])
    with pytest.raises(SpecialistError, match="etablerad vårdkontakt"):
        youth.answer("nasta-deltagare", ["skola", "bup"])
    youth.answer("nasta-deltagare", ["skola"])
    with pytest.raises(SpecialistError):
        youth.answer("ytterligare-parter", ["bup"])


# -- Withdrawal and expiry -------------------------------------------------------------------------


@pytest.fixture
def met(youth: Walk) -> Walk:
    """The young person's case after a whole first meeting."""
    answer_all(youth, INVITATION + MEETING + PLAN + COORDINATION)
    assert youth.case.meetings[0].finished
    return youth


def test_rule2_withdrawal_in_part_takes_the_organisation_out_of_scope(
    met: Walk, store: CaseStore
) -> None:
    case, lost = withdraw_consent(
        store, met.workflow, met.case, "ungdom", ["socialtjanst"], TODAY, clock=fixed_clock
    )
    assert lost == [SOC]
    assert case.status == "aktiverad"
    assert [o.id for o in ConsentScope.of(case, TODAY).organisations()] == ["skola"]
    assert store.load(case.id).consents == met.case.consents  # history kept, nothing deleted
    [flag] = scope_flags(case, TODAY)
    assert flag.reason == "withdrawn"
    assert "ansvarig för insatsen 'Stödsamtal'" in flag.text
    assert "deltar i nästa möte" in flag.text
    # Barnets plan and remind say so too.
    plan = export.plan(case, met.workflow, "markdown", today=TODAY)
    assert "Samtycket har återkallats för Socialtjänst" in plan
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=14))
    texts = [r.text for r in remind.case_reminders(case, query) if r.kind == "consent"]
    assert any("återkallats för Socialtjänst" in t for t in texts)


def test_rule2_after_withdrawal_the_organisation_cannot_be_responsible(
    met: Walk, store: CaseStore
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", ["socialtjanst"], TODAY, clock=fixed_clock
    )
    with pytest.raises(OutsideScopeError, match="har återkallats"):
        add_action(store, met.workflow, case, "Nytt", "socialtjanst", "2027-01-31", "trygg",
                   now=NOW)  # fmt: skip
    # The open action can be closed, not kept going.
    with pytest.raises(OutsideScopeError):
        set_action_status(store, met.workflow, case, 2, "pagaende", now=NOW)
    case, _ = set_action_status(store, met.workflow, case, 2, "avbruten", now=NOW)
    assert case.meetings[0].actions[1].status == "avbruten"


def test_rule2_whole_withdrawal_by_a_required_giver_puts_the_case_back_to_waiting(
    met: Walk, store: CaseStore
) -> None:
    before = met.case.meetings
    case, lost = withdraw_consent(
        store, met.workflow, met.case, "ungdom", [], TODAY, clock=fixed_clock
    )
    assert case.status == "vantar-pa-samtycke"
    assert {o.id for o in lost} == {"socialtjanst"}  # the own organisation stays
    assert case.meetings == before  # the meetings are records
    with pytest.raises(KronobarnError, match="inte aktiverat"):
        Walk(met.workflow, store, case, clock=fixed_clock).start_follow_up()
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=14))
    assert any(
        r.text == "Väntar på samtycke från ungdomen." for r in remind.case_reminders(case, query)
    )
    # A new consent the next day activates the case again, meetings untouched.
    later = lambda: NOW + timedelta(days=1)  # noqa: E731
    walk = Walk(met.workflow, store, case, clock=later)
    walk.extend_consent(consent("ungdom", "skola", "socialtjanst", on="2026-11-24"))
    assert walk.case.status == "aktiverad"
    assert walk.case.meetings == before


def test_rule2_a_consent_given_the_day_of_a_withdrawal_counts_when_recorded_after_it(
    met: Walk, store: CaseStore
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", ["socialtjanst"], TODAY, clock=fixed_clock
    )
    walk = Walk(met.workflow, store, case, clock=fixed_clock)
    walk.extend_consent(consent("ungdom", "socialtjanst", on=TODAY.isoformat()))
    assert walk.consent_scope().covers(SOC)


def test_rule2_withdrawal_is_checked(met: Walk, store: CaseStore) -> None:
    def withdraw(giver: str, orgs: list[str], on: date) -> None:
        withdraw_consent(store, met.workflow, met.case, giver, orgs, on, clock=fixed_clock)

    with pytest.raises(AnswerError, match="inget samtycke från vårdnadshavare 2"):
        withdraw("vardnadshavare-2", [], TODAY)
    with pytest.raises(AnswerError, match="omfattar inte Vårdcentral"):
        withdraw("ungdom", ["vardcentral"], TODAY)
    with pytest.raises(AnswerError, match="framtiden"):
        withdraw("ungdom", [], TODAY + timedelta(days=1))
    with pytest.raises(AnswerError, match="före samtycket"):
        withdraw("ungdom", [], date(2026, 1, 1))


def test_rule2_a_consent_expires_and_remind_warns_before(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = youth_case(workflow, store)
    walk.extend_consent(
        consent("ungdom", "polis", on="2026-11-22", **{"giltigt-till": "2026-12-01"})
    )
    assert walk.consent_scope().covers(POLIS)
    [limited] = [c for c in walk.case.consents if c.valid_until is not None]
    assert limited.valid_until == date(2026, 12, 1)
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=14))
    texts = [r.text for r in remind.case_reminders(walk.case, query) if r.kind == "consent"]
    assert "Samtycket från ungdomen gäller till och med 1 december 2026: Polis." in texts
    after = ConsentScope.of(walk.case, date(2026, 12, 2))
    assert not after.covers(POLIS)
    assert after.reason(POLIS)[0] == "expired"
    with pytest.raises(AnswerError, match="före det lämnades"):
        walk.extend_consent(consent("ungdom", "polis", **{"giltigt-till": "2026-11-01"}))


def test_rule2_a_county_default_validity_applies_when_no_end_date_is_given(
    tmp_path: Path, store: CaseStore, walk: Walk
) -> None:
    county = tmp_path / "checklists"
    shutil.copytree(REPO / "checklists", county)
    path = county / "02-samtycke.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("# consent_valid_days: 365", "consent_valid_days: 365"), "utf-8")
    valid = Walk(load_workflow(county), store, walk.case, clock=fixed_clock)
    activate_need(valid)
    answer_all(
        valid,
        [("vardnadshavare-antal", "1"), ("samtycken", [consent("vardnadshavare-1", "skola")])],
    )
    [given] = valid.case.consents
    assert given.valid_until == date(2027, 11, 20)


# -- Duty to report --------------------------------------------------------------------------------


def test_duty_to_report_never_depends_on_consent_is_shown_in_sections_1_and_2(
    workflow: Workflow, screen: Any
) -> None:
    for section in workflow.sections[:2]:
        assert any("Anmälningsplikten" in g and "samtycke" in g for g in section.guidance)
        Prompter(screen).show_section(section)
    assert screen.file.getvalue().count("Anmälningsplikten") == 2


# -- Version-1 case files --------------------------------------------------------------------------


def test_a_version_1_case_file_is_migrated_on_load_and_flagged_not_rewritten(
    store: CaseStore,
) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    target = store.directory / "k3m9qb.json"
    shutil.copy(FIXTURE_V1, target)
    original = json.loads(target.read_text(encoding="utf-8"))
    assert original["schema_version"] == 1
    case = store.load("k3m9qb")
    assert case.schema_version == SCHEMA_VERSION == 4
    assert [c.giver for c in case.consents] == ["vardnadshavare-1", "ungdom"]
    assert case.guardians == 1
    assert case.own_organisation == SKOLA  # from the recorded inviter
    assert case.status == "aktiverad"
    # Version 1 took the union; Socialtjänst was only the guardian's. It is flagged, not dropped.
    assert [i.organisation.id for i in case.meetings[0].invitees] == ["skola", "socialtjanst"]
    [flag] = scope_flags(case, TODAY)
    assert flag.organisation == SOC and flag.reason == "missing"
    assert "inbjuden" in flag.text and "deltagare" in flag.text
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=14))
    assert any(r.kind == "consent" and "Socialtjänst omfattas inte" in r.text
               for r in remind.case_reminders(case, query))  # fmt: skip
    assert json.loads(target.read_text(encoding="utf-8")) == original  # loading writes nothing
    store.save(case)
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION


def test_a_case_file_from_a_newer_release_is_refused(store: CaseStore) -> None:
    store.directory.mkdir(parents=True, exist_ok=True)
    data = json.loads(FIXTURE_V1.read_text(encoding="utf-8"))
    data["schema_version"] = 99
    (store.directory / "k3m9qb.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KronobarnError, match="schema_version 99 stöds inte"):
        store.load("k3m9qb")


# -- The consent commands --------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(list(argv))
    captured = capsys.readouterr()
    return int(ended.value.code or 0), captured.out, captured.err


def test_consent_show_lists_every_consent_and_the_scope(
    met: Walk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "consent", met.case.id)
    assert code == 0
    assert "Samtycken" in out and "ungdomen" in out
    code, out, _ = run_cli(capsys, "consent", met.case.id, "show", "--json")
    summary = json.loads(out)
    assert summary["required"] == [["vardnadshavare-1"], ["ungdom"]]
    assert [o["id"] for o in summary["scope"]] == ["skola", "socialtjanst"]
    assert summary["complete"] is True and summary["flags"] == []


def test_consent_add_records_an_extended_consent_with_options(
    met: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "consent", met.case.id, "add", "--giver", "ungdom", "--form", "muntlig",
        "--organisation", "polis", "--name", "U. V.",
    )  # fmt: skip
    assert code == 0, err
    case = store.load(met.case.id)
    assert ConsentScope.of(case, date.today()).covers(POLIS)
    assert case.consents[-1].giver_name == "U. V."
    code, _, err = run_cli(capsys, "consent", met.case.id, "add", "--giver", "granne",
                           "--organisation", "polis")  # fmt: skip
    assert code == 1 and err.startswith("Fel: ") and len(err.strip().splitlines()) == 1


def test_consent_withdraw_records_and_flags(
    met: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "consent", met.case.id, "withdraw", "--giver", "ungdom",
        "--organisation", "socialtjanst",
    )  # fmt: skip
    assert code == 0, err
    assert "Lämnar samtyckets omfattning: Socialtjänst" in out
    assert "Att se över: Samtycket har återkallats för Socialtjänst" in " ".join(out.split())
    case = store.load(met.case.id)
    assert [w.giver for w in case.withdrawals] == ["ungdom"]
    code, out, _ = run_cli(capsys, "show", met.case.id)
    assert "Återkallat" in out and "återkallats för" in " ".join(out.split())
    code, _, err = run_cli(capsys, "consent", met.case.id, "withdraw", "--giver", "ungdom",
                           "--organisation", "socialtjanst")  # fmt: skip
    assert code == 1 and "omfattar inte Socialtjänst" in err


def test_consent_add_without_options_needs_a_terminal(
    met: Walk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "consent", met.case.id, "add")
    assert code == 2 and "terminal" in err


# -- Through the real prompts ----------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_prompt_refusal_names_the_missing_giver_and_offers_their_consent(
    youth: Walk, screen: Any
) -> None:
    prompter = Prompter(screen)
    answer_all(youth, BEFORE_INVITEES)
    step = youth.workflow.step("inbjudna")
    polis = 7  # position of Polis in the directory
    keys = [
        down(polis) + ENTER,  # Vilken verksamhet bjuder du in? Polis
        ENTER,  # Vill du registrera samtycke … från ungdomen nu? Ja
        ENTER,  # form: skriftlig
        line("2026-11-23"),  # date; the role (ungdom) and Polis are filled in already
    ]
    with pytest.raises(EOFError), typed(*keys):
        prompter.ask_repeat(step, youth)
    shown = " ".join(screen.file.getvalue().split())
    assert "Samtycket omfattar inte Polis: samtycke saknas från ungdomen." in shown
    assert "Samtycket omfattar nu Polis." in shown
    assert youth.consent_scope().covers(POLIS)
    assert youth.case.consents[-1].giver == "ungdom"


def test_views_consent_summary_matches_the_schema(met: Walk) -> None:
    summary = views.ConsentSummary.of(met.case, TODAY)
    assert summary.model_validate_json(summary.model_dump_json()) == summary


def test_every_stored_consent_field_is_in_the_case_schema() -> None:
    props = Case.model_json_schema()["$defs"]["Consent"]["properties"]
    assert {"giver", "giver_name", "valid_until"} <= set(props)
    assert "ConsentWithdrawal" in Case.model_json_schema()["$defs"]


# -- Found under attack: the history is added to, never changed ------------------------------------


def test_rule2_after_a_withdrawal_the_recorded_consents_cannot_be_edited_by_going_back(
    met: Walk, store: CaseStore
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", [], TODAY, clock=fixed_clock
    )
    walk = Walk(met.workflow, store, case, clock=fixed_clock)
    assert walk.first_section == 3  # the walk cannot go back into section 2
    assert walk.back() is None or walk.case.consents == case.consents


@pytest.mark.timeout(30)
def test_rule2_resuming_a_case_waiting_for_consent_only_adds_to_it(
    met: Walk, store: CaseStore, screen: Any
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", [], TODAY, clock=fixed_clock
    )
    before = list(case.consents)
    walk = Walk(met.workflow, store, case, clock=fixed_clock)
    # Interrupted while the new consent is being asked for: nothing recorded is lost.
    with pytest.raises(EOFError), typed(ENTER):
        Prompter(screen).walk(walk)
    assert store.load(case.id).consents == before
    walk = Walk(met.workflow, store, store.load(case.id), clock=fixed_clock)
    # Add now; written, today; the young person's own organisations, ticked afresh.
    with typed(ENTER, ENTER, down(5) + " " + down(3) + " " + ENTER):
        Prompter(screen).walk(walk)
    after = store.load(case.id)
    assert after.consents[: len(before)] == before
    assert after.consents[-1].giver == "ungdom" and after.status == "aktiverad"


def test_rule2_a_new_consent_cannot_be_dated_before_the_withdrawal(
    met: Walk, store: CaseStore
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", [], TODAY, clock=fixed_clock
    )
    walk = Walk(met.workflow, store, case, clock=fixed_clock)
    with pytest.raises(AnswerError, match="återkallades den 23 november 2026"):
        walk.extend_consent(consent("ungdom", "skola", on="2026-11-22"))
    with pytest.raises(AnswerError, match="födelseår"):
        walk.extend_consent(consent("vardnadshavare-1", "skola", on="2001-01-01"))


def test_rule2_no_invitation_letter_goes_to_an_organisation_outside_the_scope(
    met: Walk, store: CaseStore
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", ["socialtjanst"], TODAY, clock=fixed_clock
    )
    with pytest.raises(KronobarnError, match="Samtycket omfattar inte Socialtjänst"):
        export.invitations(case, met.workflow, "markdown", "socialtjanst", today=TODAY)
    letters = export.invitations(met.case, met.workflow, "markdown", today=TODAY)
    assert "har lämnats av vårdnadshavaren och ungdomen själv" in letters
    others = export.invitations(case, met.workflow, "markdown", today=TODAY)
    assert "Till:** Socialtjänst" not in others


def test_rule2_remind_addresses_nothing_to_an_organisation_outside_the_scope(
    met: Walk, store: CaseStore
) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", ["socialtjanst"], TODAY, clock=fixed_clock
    )
    query = remind.Query(today=TODAY, until=TODAY + timedelta(days=90))
    found = list(remind.case_reminders(case, query))
    assert not [r for r in found if r.organisation_id == "socialtjanst"]
    assert any(r.kind == "consent" and "Socialtjänst" in r.text for r in found)


def test_rule2_barnets_plan_does_not_say_who_withdrew(met: Walk, store: CaseStore) -> None:
    case, _ = withdraw_consent(
        store, met.workflow, met.case, "ungdom", ["socialtjanst"], TODAY, clock=fixed_clock
    )
    plan = export.plan(case, met.workflow, "text", today=TODAY)
    assert "Samtycket har återkallats för Socialtjänst från 23 november 2026" in plan
    assert "återkallats för Socialtjänst (" not in plan  # not whose consent it was


def test_rule2_an_answers_file_cannot_open_the_case_for_another_organisation_than_it_invites(
    workflow: Workflow, tmp_path: Path
) -> None:
    data = replay_file()
    data["verksamhet"] = "polis"
    data["svar"]["inbjudare-verksamhet"] = "skola"
    path = tmp_path / "svar.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KronobarnError, match="ska vara samma verksamhet"):
        answers_file.read(path, TODAY, workflow)


def test_rule2_a_replay_missing_a_required_consent_says_whose(workflow: Workflow) -> None:
    data = replay_file()
    data["svar"]["samtycken"] = [consent("vardnadshavare-1", "skola", "socialtjanst")]
    with pytest.raises(ReplayError, match="samtycke saknas från ungdomen"):
        replayed(workflow, data)


def test_an_other_organisation_is_named_in_options_as_annan_colon_name(workflow: Workflow) -> None:
    assert answer_checks.organisation_answer("annan:BRIS", workflow) == {
        "id": "annan",
        "name": "BRIS",
    }
    composed = OrganisationRef(id="annan", name="Föreningen Ö")
    decomposed = OrganisationRef(id="annan", name="Föreningen  O\u0308")
    assert composed.key() == decomposed.key()


@pytest.mark.parametrize("typed", ["Socialtjänst", "socialtjänst", "SOCIALTJANST", "Socialtjanst"])
def test_consent_withdraw_takes_an_organisation_by_name_in_any_case_or_diacritics(
    typed: str, met: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "consent", met.case.id, "withdraw", "--giver", "ungdom", "--organisation", typed
    )
    assert code == 0, err
    assert "Lämnar samtyckets omfattning: Socialtjänst" in out
    assert [o.id for o in store.load(met.case.id).withdrawals[-1].organisations] == ["socialtjanst"]


@pytest.mark.parametrize("typed", ["Vårdcentral", "vårdcentral", "VARDCENTRAL", "Vardcentral"])
def test_consent_add_takes_an_organisation_by_name_in_any_case_or_diacritics(
    typed: str, met: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "consent", met.case.id, "add", "--giver", "ungdom", "--form", "muntlig",
        "--organisation", typed,
    )  # fmt: skip
    assert code == 0, err
    assert [o.id for o in store.load(met.case.id).consents[-1].organisations] == ["vardcentral"]


def test_an_unknown_organisation_is_still_refused_in_one_swedish_line(
    met: Walk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "consent", met.case.id, "add", "--giver", "ungdom", "--form", "muntlig",
        "--organisation", "Vårdcentralen i Växjö",
    )  # fmt: skip
    assert code == 1
    assert err.startswith("Fel: ") and "Okänd verksamhet 'Vårdcentralen i Växjö'" in err, err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("typed", ["Socialtjänst", "socialtjänst", "SOCIALTJANST", "Socialtjanst"])
def test_plan_add_takes_the_responsible_organisation_by_name_in_any_case_or_diacritics(
    typed: str, met: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    due = (date.today() + timedelta(days=20)).isoformat()
    code, _, err = run_cli(
        capsys, "plan", met.case.id, "add", "--what", "Läxhjälp", "--organisation", typed,
        "--due", due, "--area", "trygg",
    )  # fmt: skip
    assert code == 0, err
    action = store.load(met.case.id).meetings[-1].actions[-1]
    assert (action.what, action.organisation.id) == ("Läxhjälp", "socialtjanst")


# -- A change of age -------------------------------------------------------------------------------


def test_rule2_raising_the_birth_year_to_a_teenager_brings_in_the_young_persons_consent_at_once(
    workflow: Workflow, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """The young person's consent is asked for from the age the walk asks it: after `edit`,
    the case shows it as missing and shares nothing until the maturity is judged."""
    case = first_meeting(workflow)  # born 2016, one guardian's consent, Socialtjänst invited
    store.save(case)
    code, out, err = run_cli(capsys, "edit", case.id, "--birth-year", "2011")
    assert code == 0, err
    assert "ålder och mognad" in out and f"kronobarn resume {case.id}" in out
    edited = store.load(case.id)
    assert edited.status == "vantar-pa-samtycke"
    assert edited.meetings == case.meetings  # the meeting is a record
    code, out, _ = run_cli(capsys, "consent", case.id, "show", "--json")
    summary = json.loads(out)
    assert summary["required"] == [["vardnadshavare-1"], ["ungdom"]]
    assert summary["complete"] is False and summary["maturity_to_judge"] is True
    assert [o["id"] for o in summary["scope"]] == ["skola"]
    code, out, _ = run_cli(capsys, "consent", case.id)
    assert "Saknas" in out and "ungdomen" in out and "ålder och mognad" in out
    code, out, _ = run_cli(capsys, "list", "--json")
    assert json.loads(out)[0]["status"] == "vantar-pa-samtycke"
    for argv in (
        ("handover", case.id, "--to", "socialtjanst"),
        ("export", case.id, "--kind", "invitation"),
        ("plan", case.id, "add", "--what", "Ny", "--organisation", "skola", "--due",
         "2027-05-01", "--area", "trygg"),
    ):  # fmt: skip
        code, _, err = run_cli(capsys, *argv)
        assert code == 1, argv
        assert err.startswith("Fel: ") and len(err.strip().splitlines()) == 1, err
    assert store.load(case.id) == edited


@pytest.mark.parametrize("mature", [True, False])
def test_rule2_after_a_raised_birth_year_the_walk_asks_for_the_maturity_and_goes_on(
    workflow: Workflow, store: CaseStore, mature: bool
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    case, _ = edit_child(store, case, None, "2011", NOW, workflow)
    walk = Walk(workflow, store, case, clock=fixed_clock)
    assert walk.position().step is not None
    assert walk.position().step.id == "ungdom-mogen"
    walk.answer("ungdom-mogen", mature)
    if mature:
        assert walk.case.status == "vantar-pa-samtycke"
        assert ConsentScope.of(walk.case, TODAY).missing_words() == "ungdomen"
        walk.extend_consent(consent("ungdom", "skola", "socialtjanst"))
    assert walk.case.status == "aktiverad"
    scope = ConsentScope.of(walk.case, TODAY)
    assert not scope.maturity_to_judge and scope.covers(SOC)
    assert walk.case.meetings == case.meetings


def test_rule2_lowering_the_birth_year_keeps_a_young_persons_consent_that_counts(
    youth: Walk, store: CaseStore
) -> None:
    """A young person judged to consent themselves stays so when the birth year is corrected
    to a younger child: their consent, and a withdrawal of it, keep counting."""
    case, _ = edit_child(store, youth.case, None, "2018", NOW, youth.workflow)
    assert case.youth_mature is True and case.status == "aktiverad"
    assert ConsentScope.of(case, TODAY).required == (("vardnadshavare-1",), ("ungdom",))
    assert not ConsentScope.of(case, TODAY).covers(POLIS)  # the young person never covered it
    case, _ = withdraw_consent(store, youth.workflow, case, "ungdom", [], TODAY, clock=fixed_clock)
    assert case.status == "vantar-pa-samtycke"
    assert [o.id for o in ConsentScope.of(case, TODAY).organisations()] == ["skola"]


def test_rule2_a_birth_year_raised_by_mistake_and_corrected_needs_no_judgement(
    workflow: Workflow, store: CaseStore
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    raised, _ = edit_child(store, case, None, "2011", NOW, workflow)
    assert ConsentScope.of(raised, TODAY).maturity_to_judge
    corrected, _ = edit_child(store, raised, None, "2016", NOW, workflow)
    assert corrected.status == "aktiverad"
    assert not ConsentScope.of(corrected, TODAY).maturity_to_judge
    assert ConsentScope.of(corrected, TODAY).covers(SOC)
