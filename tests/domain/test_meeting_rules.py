"""One test per rule of sections 3–7 (DESIGN.md, "The workflow as rules"), and follow-up."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import rules
from kronobarn_cli.domain.meeting import PlanAction
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, KronobarnError, OutsideScopeError, SpecialistError
from kronobarn_cli.interactive.walk import Walk, close_case
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW, new_walk
from ..scenario import (
    BEFORE_INVITEES,
    COORDINATION,
    GUARDIAN_ORAL,
    GUARDIANS,
    INVITATION,
    MEETING,
    PLAN,
    SKOLA,
    SOC,
    action,
    activate_need,
    answer_all,
    copy,
    invitee,
)


@pytest.fixture
def active(walk: Walk) -> Walk:
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    assert walk.case.status == "aktiverad"
    return walk


def to_meeting(walk: Walk) -> None:
    answer_all(walk, INVITATION)


def whole_meeting(walk: Walk) -> None:
    answer_all(walk, INVITATION + MEETING + PLAN + COORDINATION)


# -- 3. Initiera och bjuda in ----------------------------------------------------------------------


def test_rule3_at_least_one_wheel_area(active: Walk) -> None:
    with pytest.raises(AnswerError, match="minst ett område"):
        active.answer("omraden", [])
    with pytest.raises(AnswerError, match="Okänt område"):
        active.answer("omraden", ["lycklig"])


def test_rule3_only_organisations_covered_by_consent_can_be_invited(active: Walk) -> None:
    answer_all(active, BEFORE_INVITEES)
    with pytest.raises(OutsideScopeError, match="Samtycket måste utökas") as refused:
        active.answer("inbjudna", [invitee("polis")])
    assert refused.value.organisation == {"id": "polis", "name": "Polis"}
    assert active.case.meetings[0].invitees == []
    # Extending the consent first, as the prompt offers, makes the invitation possible.
    active.extend_consent(
        {"roll": "vardnadshavare-1", "form": "skriftlig", "datum": "2026-11-23",
         "verksamheter": ["polis"]}
    )  # fmt: skip
    active.answer("inbjudna", [invitee("polis")])
    assert [i.organisation.id for i in active.case.meetings[0].invitees] == ["polis"]


def test_rule3_specialist_care_needs_an_established_relevant_care_contact(active: Walk) -> None:
    active.extend_consent(
        {"roll": "vardnadshavare-1", "form": "skriftlig", "datum": "2026-11-23",
         "verksamheter": ["bup"]}
    )  # fmt: skip
    answer_all(active, BEFORE_INVITEES)
    with pytest.raises(SpecialistError) as refused:
        active.answer("inbjudna", [invitee("bup")])
    assert refused.value.counterparts == ["vardcentral", "familjehalsan"]
    assert "Bjud in Vårdcentral eller Familjehälsan i stället" in refused.value.message
    with pytest.raises(SpecialistError):
        active.answer(
            "inbjudna", [invitee("bup", **{"etablerad-kontakt": True, "kontakt-relevant": False})]
        )
    active.answer(
        "inbjudna", [invitee("bup", **{"etablerad-kontakt": True, "kontakt-relevant": True})]
    )
    [bup] = active.case.meetings[0].invitees
    assert bup.established_contact is True


def test_rule3_specialist_questions_are_not_recorded_for_other_organisations(
    active: Walk,
) -> None:
    answer_all(active, BEFORE_INVITEES)
    active.answer("inbjudna", [invitee("skola", **{"etablerad-kontakt": False})])
    assert active.case.meetings[0].answers["initiera-och-bjuda-in"]["inbjudna"] == [
        {"verksamhet": SKOLA, "satt": "link", "skickad": "2026-11-23"}
    ]


def test_rule3_invitation_not_in_good_time_warns_but_is_accepted(active: Walk) -> None:
    answer_all(active, BEFORE_INVITEES)  # meeting 2026-12-20, 14 days' notice wanted
    late = active.validate_item(active.workflow.step("inbjudna"), invitee(skickad="2026-12-10"))
    warning = active.invitation_warning(late)
    assert warning is not None and "10 dagar före mötet" in warning
    assert active.invitation_warning(invitee(skickad="2026-11-23")) is None
    same_day = active.invitation_warning(invitee(skickad="2026-12-20"))
    assert same_day is not None and "samma dag som mötet" in same_day
    after = active.invitation_warning(invitee(skickad="2026-12-21"))
    assert after is not None and "efter mötet 20 december 2026" in after, after
    assert "-1" not in after
    active.answer("inbjudna", [late])
    assert active.case.meetings[0].invitees[0].sent_on == date(2026, 12, 10)


def test_rule3_the_meeting_time_can_be_given_with_its_date(active: Walk) -> None:
    answer_all(active, INVITATION[:1])
    active.answer("mote-datum", "20 dec 9.30")
    meeting = active.case.meetings[0]
    assert (meeting.held_on, meeting.starts_at) == (date(2026, 12, 20), "09:30")
    step = active.position().step
    assert step is not None and step.id == "mote-form"  # the time is not asked again


def test_rule3_meeting_date_time_and_place_are_checked(active: Walk) -> None:
    answer_all(active, INVITATION[:1])
    for bad in ("2026-11-31", "31/11", "2026-12-20 25:00"):
        with pytest.raises(AnswerError):
            active.answer("mote-datum", bad)
    active.answer("mote-datum", "2026-12-20")
    for bad in ("25:00", "9", "kl nio"):
        with pytest.raises(AnswerError, match="Ogiltig tid"):
            active.answer("mote-tid", bad)
    active.answer("mote-tid", "930")
    active.answer("mote-form", "digitalt")
    with pytest.raises(AnswerError, match="tomt"):
        active.answer("mote-plats", "  ")
    active.answer("mote-plats", "https://möte.example/abc")
    meeting = active.case.meetings[0]
    assert (meeting.starts_at, meeting.form) == ("09:30", "digitalt")


# -- 4. Kontakt innan mötet ------------------------------------------------------------------------


def test_rule4_pre_meeting_contact_needs_the_no_formote_confirmation(active: Walk) -> None:
    answer_all(active, INVITATION[:-1])
    answer_all(
        active,
        [
            ("kontakt-fore-mote", True),
            (
                "kontakter",
                [{"verksamhet": "socialtjanst", "syfte": "medverkan", "datum": "2026-11-22"}],
            ),
        ],
    )
    step = active.position().step
    assert step is not None and step.id == "inget-formote"
    active.answer("inget-formote", True)
    meeting = active.case.meetings[0]
    assert meeting.no_support_agreed_beforehand is True
    assert meeting.pre_contacts[0].purpose == "medverkan"


def test_rule4_a_formote_must_be_taken_back_to_the_family(active: Walk) -> None:
    answer_all(active, INVITATION[:-1])
    answer_all(
        active,
        [
            ("kontakt-fore-mote", True),
            (
                "kontakter",
                [{"verksamhet": "skola", "syfte": "information", "datum": "2026-11-22"}],
            ),
            ("inget-formote", False),
        ],
    )
    step = active.position().step
    assert step is not None and step.id == "formote-atgard"
    with pytest.raises(AnswerError):
        active.answer("formote-atgard", "")


# -- 5. Samverkansmötet ----------------------------------------------------------------------------


def test_rule5_family_is_presented_first(active: Walk) -> None:
    to_meeting(active)
    assert active.physical_meeting()
    assert active.presentation_order() == [
        "Familjen: barnet/ungdomen och vårdnadshavarna",
        "Skola",
        "Socialtjänst",
    ]


def test_rule5_views_are_asked_explicitly_and_not_expressed_is_deliberate(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING[:4])
    active.answer("barnets-delaktighet", "narvarande")
    active.answer("barnets-asikter", "Vill vara med.")
    active.answer("vardnadshavares-asikter", "  ")  # left empty on purpose: none expressed
    step = active.position().step
    assert step is not None and step.id == "samverkanslosningar"
    meeting = active.case.meetings[0]
    assert meeting.child_view is not None and meeting.child_view.text == "Vill vara med."
    assert meeting.guardian_view is not None and meeting.guardian_view.expressed is False


def test_rule5_attendees_default_to_the_invitees(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING[:1])
    assert active.default_for(active.workflow.step("deltagare")) == [SKOLA, SOC]


# -- 6. Barnets plan -------------------------------------------------------------------------------


def test_rule6_responsible_organisation_must_have_taken_part(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING)
    with pytest.raises(OutsideScopeError, match="deltog inte i mötet"):
        active.answer("atgarder", [action("Trygghetssamtal", "polis")])
    with pytest.raises(ValidationError, match="inte deltog"):
        data = active.case.current_meeting.model_dump()  # type: ignore[union-attr]
        data["actions"] = [
            PlanAction(what="x", organisation=OrganisationRef(id="polis", name="Polis"),
                       due=date(2027, 1, 1), area="trygg", status="planerad").model_dump()
        ]  # fmt: skip
        type(active.case.current_meeting).model_validate(data)


def test_rule6_every_party_gets_a_copy(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, [*MEETING, PLAN[0]])
    active.answer("kopior-utskrivna", False)
    with pytest.raises(AnswerError, match="saknas: Socialtjänst"):
        active.answer("kopior", [copy("skola")])
    active.answer("kopior", [copy("skola"), {**copy("socialtjanst"), "satt": "post",
                                             "har-fatt": False}])  # fmt: skip
    copies = active.case.meetings[0].copies
    assert [(c.organisation.id, c.received) for c in copies] == [
        ("skola", True),
        ("socialtjanst", False),
    ]


def test_rule6_plan_action_fields_are_checked(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING)
    with pytest.raises(AnswerError, match="Ogiltigt datum"):
        active.answer("atgarder", [action("x", "skola", due="2027-02-30")])
    with pytest.raises(AnswerError, match="Ogiltigt val"):
        active.answer("atgarder", [action("x", "skola", status="kanske")])
    with pytest.raises(AnswerError, match="tomt"):
        active.answer("atgarder", [action("", "skola")])


# -- 7. Fortsatt samordning ------------------------------------------------------------------------


def test_rule7_coordinator_suggested_from_most_open_actions(active: Walk) -> None:
    to_meeting(active)
    plan = [
        (
            "atgarder",
            [
                action("Anpassat schema", "skola"),
                action("Läxhjälp", "skola", "pagaende"),
                action("Stödsamtal", "socialtjanst", "pagaende"),
            ],
        ),
        PLAN[1],
    ]
    answer_all(active, MEETING + plan)
    step = active.workflow.step("samordnare")
    assert active.default_for(step) == SKOLA  # two open actions against one
    note = active.suggestion_note(step)
    assert note is not None and note.startswith("Förslag: Skola")


def test_rule7_finished_actions_do_not_count_for_the_coordinator(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING + PLAN)  # Skola: one planned, one done; Socialtjänst: one ongoing
    suggested = active.coordinator_suggestion()
    assert [o.id for o in suggested] == ["skola", "socialtjanst"]  # a tie, not Skola


def test_rule7_coordinator_tie_is_left_to_the_user() -> None:
    skola = OrganisationRef(**SKOLA)
    soc = OrganisationRef(**SOC)
    actions = [
        PlanAction(what="a", organisation=skola, due=date(2027, 1, 1), area="trygg",
                   status="planerad"),
        PlanAction(what="b", organisation=soc, due=date(2027, 1, 1), area="trygg",
                   status="pagaende"),
        PlanAction(what="c", organisation=soc, due=date(2027, 1, 1), area="trygg",
                   status="avbruten"),
    ]  # fmt: skip
    assert rules.suggest_coordinator(actions) == [skola, soc]
    assert rules.suggest_coordinator([]) == []


def test_rule7_next_meeting_is_required_and_in_the_future(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING + PLAN + COORDINATION[:1])
    for bad in ("", "2026-11-23", "2026-01-01"):
        with pytest.raises(AnswerError):
            active.answer("nasta-mote", bad)
    with pytest.raises(AnswerError, match="efter 20 december 2026"):
        active.answer("nasta-mote", "2026-12-10")  # in the future, but before this meeting
    active.answer("nasta-mote", "2027-02-01")
    assert active.case.meetings[0].next_meeting == date(2027, 2, 1)


def test_rule7_further_parties_outside_consent_are_refused(active: Walk) -> None:
    to_meeting(active)
    answer_all(active, MEETING + PLAN + COORDINATION[:3])
    with pytest.raises(OutsideScopeError, match="Samtycket omfattar inte Polis"):
        active.answer("ytterligare-parter", ["polis", {"id": "annan", "name": "Fotbollsklubben"}])
    assert not active.case.meetings[0].finished


def test_follow_up_carries_open_actions_invitees_and_coordinator(
    active: Walk, store: CaseStore
) -> None:
    whole_meeting(active)
    walk = Walk(active.workflow, store, store.load(active.case.id), clock=active.clock)
    meeting = walk.start_follow_up()
    assert meeting.number == 2
    # The areas the last meeting took up (issue 22), not those of the first invitation.
    assert walk.default_for(walk.workflow.step("omraden")) == ["trygg"]
    assert walk.default_for(walk.workflow.step("mote-plats")) == "Rum 3"
    invited = walk.carried_items(walk.workflow.step("inbjudna"))
    assert invited == [
        {"verksamhet": SKOLA, "satt": "link"},
        {"verksamhet": SOC, "satt": "blankett", "brev": "mejl"},
    ]
    carried = walk.carried_items(walk.workflow.step("atgarder"))
    assert [a["vad"] for a in carried] == ["Anpassat schema", "Stödsamtal"]  # not the done one
    assert all("status" not in a for a in carried)  # asked again at the new meeting
    # Second meeting: statuses updated, a new coordinator.
    answer_all(walk, INVITATION + MEETING)
    answer_all(
        walk,
        [
            ("atgarder", [{**carried[0], "status": "klar"}, {**carried[1], "status": "pagaende"}]),
            ("kopior-utskrivna", False),
            ("kopior", [copy("skola"), copy("socialtjanst")]),
            ("samordnare", "socialtjanst"),
            ("nasta-mote", "2027-04-01"),
            ("nasta-deltagare", ["socialtjanst"]),
            ("ytterligare-parter", []),
        ],
    )
    case = store.load(active.case.id)
    assert [m.finished for m in case.meetings] == [True, True]
    assert [a.status for a in case.meetings[1].actions] == ["klar", "pagaende"]
    assert [a.status for a in case.meetings[0].actions] == ["planerad", "pagaende", "klar"]
    assert [(n, o.id) for n, o in rules.coordinator_history(case.meetings)] == [
        (1, "skola"),
        (2, "socialtjanst"),
    ]


def test_follow_up_defaults_to_the_last_coordinator_when_the_plan_is_tied(
    active: Walk, store: CaseStore
) -> None:
    whole_meeting(active)
    walk = Walk(active.workflow, store, store.load(active.case.id), clock=active.clock)
    walk.start_follow_up()
    carried = walk.carried_items(walk.workflow.step("atgarder"))
    answer_all(walk, INVITATION + MEETING)
    walk.answer("atgarder", [{**a, "status": "pagaende"} for a in carried])  # one each
    step = walk.workflow.step("samordnare")
    assert len(walk.coordinator_suggestion()) == 2
    assert walk.default_for(step) == SKOLA  # the coordinator the last meeting chose
    note = walk.suggestion_note(step)
    assert note is not None and "lika många insatser" in note


def test_follow_up_needs_an_activated_case_with_a_finished_meeting(
    workflow: Workflow, store: CaseStore, active: Walk
) -> None:
    with pytest.raises(KronobarnError, match="kronobarn resume"):
        active.start_follow_up()
    to_meeting(active)
    with pytest.raises(KronobarnError, match="kronobarn resume"):
        active.start_follow_up()
    waiting = new_walk(workflow, store)
    activate_need(waiting)
    with pytest.raises(KronobarnError, match="inte aktiverat"):
        waiting.start_follow_up()


def test_a_finished_meeting_is_not_changed_by_going_back(active: Walk, store: CaseStore) -> None:
    whole_meeting(active)
    before = store.load(active.case.id)
    assert active.back() is None
    active.extend_consent(
        {"roll": "vardnadshavare-1", "form": "skriftlig", "datum": "2026-11-23",
         "verksamheter": ["polis"]}
    )  # fmt: skip
    after = store.load(active.case.id)
    assert after.meetings == before.meetings
    assert len(after.consents) == len(before.consents) + 1


def test_going_back_cannot_leave_a_follow_up_meeting(active: Walk, store: CaseStore) -> None:
    whole_meeting(active)
    walk = Walk(active.workflow, store, store.load(active.case.id), clock=active.clock)
    walk.start_follow_up()
    assert walk.back() is None
    assert walk.case.consents == active.case.consents
    walk.answer("omraden", ["trygg"])
    assert walk.back() is not None
    assert walk.case.meetings[1].answers == {}


def test_closing_a_case_ends_the_walk_and_keeps_the_record(active: Walk, store: CaseStore) -> None:
    whole_meeting(active)
    with pytest.raises(AnswerError, match="anledning"):
        close_case(store, active.case, "  ", NOW)
    closed = close_case(store, active.case, "Stödet är på plats.", NOW)
    assert closed.status == "avslutad"
    assert closed.closed is not None and closed.closed.reason == "Stödet är på plats."
    assert store.load(closed.id).meetings == active.case.meetings
    with pytest.raises(KronobarnError, match="avslutat"):
        Walk(active.workflow, store, store.load(closed.id))
    with pytest.raises(KronobarnError, match="redan avslutat"):
        close_case(store, closed, "igen", NOW)
