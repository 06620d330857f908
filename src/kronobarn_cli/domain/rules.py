"""The workflow's rules (consent, referral, invitations, plan, coordination) as plain functions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from kronobarn_cli.checklists.directory import Organisation
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.checklists.vocabulary import FAMILY, FAMILY_PARTIES
from kronobarn_cli.domain.case import (
    Case,
    Consent,
    ConsentWithdrawal,
    Decision,
    Referral,
)
from kronobarn_cli.domain.consent import ConsentScope, giver_word, required_groups
from kronobarn_cli.domain.meeting import (
    CopyRecord,
    Interpreter,
    Invitee,
    Inviter,
    Meeting,
    PlanAction,
    PlanCopy,
    PreMeetingContact,
    View,
    WheelNote,
)
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.support.text import join_swedish, swedish_date

FlatAnswers = Mapping[str, Any]
RuleFunction = Callable[[FlatAnswers], bool]

PLAN_NOTE = (
    "Barnets plan ersätter inte respektive professions dokumentation utan fungerar som en "
    "samverkanskarta."
)
"""Travels with every rendering of the plan (the workflow, section 6)."""

SPECIALIST = "specialistvard"


def refs(raw: Iterable[Mapping[str, str]] | None) -> list[OrganisationRef]:
    return [OrganisationRef(id=o["id"], name=o["name"]) for o in raw or []]


# -- 2. Samtycke -----------------------------------------------------------------------------------


def consents_from_answers(answers: FlatAnswers) -> list[Consent]:
    """The consents recorded in section 2 (`samtycken`), as domain objects."""
    return consents_from_items(answers.get("samtycken") or [])


def consents_from_items(items: list[dict[str, Any]]) -> list[Consent]:
    return [
        Consent(
            giver=item["roll"],
            giver_name=item.get("namn") or None,
            form=item["form"],
            given_on=date.fromisoformat(item["datum"]),
            valid_until=date.fromisoformat(item["giltigt-till"])
            if item.get("giltigt-till")
            else None,
            organisations=refs(item["verksamheter"]),
        )
        for item in items
    ]


def guardians_from_answers(answers: FlatAnswers) -> Literal[1, 2] | None:
    count = answers.get("vardnadshavare-antal")
    if count == "2":
        return 2
    return 1 if count == "1" else None


@dataclass(frozen=True)
class ConsentContext:
    """What the consent rule needs besides the answers: the case's withdrawals and own
    organisation, the day, and the county's routine for two guardians."""

    day: date
    withdrawals: tuple[ConsentWithdrawal, ...] = ()
    own: OrganisationRef | None = None
    each_guardian: bool = True

    def scope(self, answers: FlatAnswers) -> ConsentScope:
        groups = required_groups(
            guardians_from_answers(answers),
            answers.get("ungdom-mogen") is True,
            each_guardian=self.each_guardian,
        )
        consents = tuple(consents_from_answers(answers))
        return ConsentScope(groups, consents, self.withdrawals, self.own, self.day)

    def rules(self) -> Mapping[str, RuleFunction]:
        """The rules conditions may name, for this case on this day."""
        return {"samtycke-komplett": lambda answers: self.scope(answers).complete()}


def consent_context(workflow: Workflow, case: Case, day: date) -> ConsentContext:
    """The consent rule's view of a case on a day, with the county's routine for guardians."""
    each = workflow.section_of("samtycken").consent_from_each_guardian
    return ConsentContext(
        day=day,
        withdrawals=tuple(case.withdrawals),
        own=case.own_organisation,
        each_guardian=each is not False,
    )


def oral_consent_line(given_on: date, organisations: list[OrganisationRef]) -> str:
    """The documentation line the workflow prescribes for oral consent."""
    names = join_swedish(o.name for o in organisations)
    return f"Samtycke har lämnats muntligen den {swedish_date(given_on)} för kontakt med {names}."


def consent_lines(consents: list[Consent]) -> list[str]:
    """One line per oral consent; several givers consenting alike give the line once. A line
    says whose consent it records unless it is every giver's (one written consent beside it
    is enough for it to say so)."""
    lines: dict[str, list[str]] = {}
    for c in consents:
        if c.form == "muntlig":
            givers = lines.setdefault(oral_consent_line(c.given_on, c.organisations), [])
            if c.giver not in givers:
                givers.append(c.giver)
    everyone = {c.giver for c in consents}
    if len(lines) == 1 and set(next(iter(lines.values()))) == everyone:
        return list(lines)
    return [
        f"{join_swedish(giver_word(g) for g in givers).capitalize()}: {line}"
        for line, givers in lines.items()
    ]


# -- 1. Behov av samverkan -----------------------------------------------------------------------


def referral_line(referral: Referral) -> str:
    """What to write in one's own records about a referral (section 1)."""
    if referral.route == "vi-kontaktar":
        assert referral.consent_date is not None
        return oral_consent_line(referral.consent_date, [referral.organisation])
    return (
        f"Familjen har uppmanats att själv kontakta {referral.organisation.name} "
        "för att få stöd därifrån."
    )


def decision_from_answers(answers: FlatAnswers, outcome_id: str | None) -> Decision | None:
    """Section 1 as a decision, once something was noticed."""
    noticed = answers.get("uppmarksammat")
    if noticed is None:
        return None
    referral = None
    if "hanvisning-verksamhet" in answers and "hanvisning-vag" in answers:
        consent_date = answers.get("hanvisning-samtycke-datum")
        if answers["hanvisning-vag"] == "familjen-kontaktar" or consent_date:
            referral = Referral(
                organisation=OrganisationRef(**answers["hanvisning-verksamhet"]),
                route=answers["hanvisning-vag"],
                consent_date=date.fromisoformat(consent_date) if consent_date else None,
            )
    return Decision(
        outcome=outcome_id or "",
        noticed=noticed,
        referral=referral,
        reason=answers.get("ej-aktiverad-orsak"),
    )


def documentation_lines(decision: Decision | None, consents: list[Consent]) -> list[str]:
    """Every line the user should copy into their own records for this case."""
    lines: list[str] = []
    if decision is not None and decision.referral is not None:
        lines.append(referral_line(decision.referral))
    lines.extend(consent_lines(consents))
    return lines


def withdrawal_line(withdrawal: ConsentWithdrawal, consents: list[Consent]) -> str:
    """The documentation sentence for a withdrawal: whose, for what, from which day."""
    who = giver_word(withdrawal.giver, consents)
    day = swedish_date(withdrawal.on)
    if not withdrawal.organisations:
        return f"Samtycket från {who} återkallades i sin helhet den {day}."
    names = join_swedish(o.name for o in withdrawal.organisations)
    return f"Samtycket från {who} för kontakt med {names} återkallades den {day}."


# -- Scopes: who may be named where ------------------------------------------------------------


@dataclass(frozen=True)
class Scopes:
    """The organisations an answer may name: within the consent, or present at the meeting
    (and within the consent); specialist care where the child has an established contact."""

    consent: ConsentScope | None = None
    participants: list[OrganisationRef] | None = None
    established: frozenset[str] = frozenset()
    """Directory ids of specialist care with an established, relevant care contact."""

    def allows(self, scope: str, org: OrganisationRef) -> bool:
        if scope == "participants" and org.key() not in {o.key() for o in self.participants or []}:
            return False
        return self.consent is None or self.consent.covers(org)


# -- 3. Initiera och bjuda in --------------------------------------------------------------------


def specialist_refusal(org: Organisation, workflow: Workflow) -> str:
    """Why specialist care cannot be invited, and whom to invite instead."""
    counterparts = [workflow.organisation(c) for c in org.counterparts]
    names = join_swedish((c.name for c in counterparts if c is not None), last="eller")
    return (
        f"{org.name} är specialistvård och kan bara bjudas in när barnet/ungdomen har en "
        f"etablerad vårdkontakt där som är relevant för mötet. Bjud in {names} i stället."
    )


def invitation_too_late(sent_on: date, meeting_on: date, days: int | None) -> str | None:
    """A warning (not a block) when an invitation does not go out in good time."""
    if days is None:
        return None
    left = (meeting_on - sent_on).days
    if left >= days:
        return None
    if left < 0:  # e.g. a meeting recorded afterwards with the day it was entered
        return (
            f"Inbjudan är skickad {swedish_date(sent_on)}, efter mötet "
            f"{swedish_date(meeting_on)}. Kontrollera datumen."
        )
    when = (
        "samma dag som mötet"
        if left == 0
        else f"{left} {'dag' if left == 1 else 'dagar'} före mötet"
    )
    return (
        f"Inbjudan skickas {when}; arbetsgången säger i god tid (här minst {days} dagar). "
        "Överväg ett senare mötesdatum."
    )


# -- 5. Samverkansmötet --------------------------------------------------------------------------


def presentation_order(
    organisations: list[OrganisationRef], own: OrganisationRef | None = None
) -> list[str]:
    """Family first, then the organisation that opened the case, then the others: the child
    is in focus from the start."""
    ordered = {o.key(): o for o in ([own] if own is not None else []) + organisations}
    return ["Familjen: barnet/ungdomen och vårdnadshavarna", *(o.name for o in ordered.values())]


def established_specialists(meetings: list[Meeting]) -> frozenset[str]:
    """Specialist care invited with an established care contact relevant to the meetings."""
    return frozenset(
        i.organisation.id for m in meetings for i in m.invitees if i.established_contact
    )


# -- 7. Fortsatt samordning ----------------------------------------------------------------------


def suggest_coordinator(actions: list[PlanAction]) -> list[OrganisationRef]:
    """The organisation(s) responsible for most open actions (planned or ongoing) in the plan;
    several mean a tie. Finished and cancelled actions call for no coordination."""
    # The family may own actions, but it does not coordinate.
    counted = Counter(
        a.organisation.key()
        for a in actions
        if a.is_open and a.organisation.id not in FAMILY_PARTIES
    )
    if not counted:
        return []
    top = max(counted.values())
    by_key = {a.organisation.key(): a.organisation for a in actions}
    return [by_key[k] for k, n in counted.items() if n == top]


# -- Building a meeting from its answers --------------------------------------------------------


def _view(answers: FlatAnswers, given: str, text: str) -> View | None:
    """A view asked for explicitly: an empty answer records that none was expressed."""
    if given in answers:  # recorded before the question became one text (kept as it was)
        return View(expressed=answers[given], text=answers.get(text) if answers[given] else None)
    if text not in answers:
        return None
    words = answers[text] or None
    return View(expressed=words is not None, text=words)


def meeting_fields(
    answers: FlatAnswers, copy_records: Iterable[Mapping[str, Any] | CopyRecord] = ()
) -> dict[str, Any]:
    """The derived fields of a `Meeting` from the answers to sections 3–7, with the copies
    recorded after the meeting applied (those records are not derived, and stay)."""
    held_on = answers.get("mote-datum")
    next_meeting = answers.get("nasta-mote")
    coordinator = answers.get("samordnare")
    inviter = None
    if all(k in answers for k in ("inbjudare", "inbjudare-verksamhet", "inbjudare-kontakt")):
        inviter = Inviter(
            name=answers["inbjudare"],
            organisation=OrganisationRef(**answers["inbjudare-verksamhet"]),
            contact=answers["inbjudare-kontakt"],
        )
    return {
        "inviter": inviter,
        "areas": answers.get("omraden", []),
        "held_on": date.fromisoformat(held_on) if held_on else None,
        "starts_at": answers.get("mote-tid"),
        "form": str(answers["mote-form"]).split("-")[0] if answers.get("mote-form") else None,
        "interpreter": Interpreter(
            language=answers["tolk-sprak"],
            booked_by=OrganisationRef(**answers["tolk-bokar"]) if "tolk-bokar" in answers else None,
        )
        if answers.get("tolk-sprak")
        else None,
        "wheel_notes": _wheel_notes(answers),
        "place": answers.get("mote-plats"),
        "invitees": [
            Invitee(
                organisation=OrganisationRef(**item["verksamhet"]),
                person=item.get("person") or None,
                method=item["satt"],
                letter_by=item.get("brev"),
                sent_on=date.fromisoformat(item["skickad"]),
                established_contact=item.get("etablerad-kontakt"),
            )
            for item in answers.get("inbjudna", [])
        ],
        "pre_contacts": [
            PreMeetingContact(
                organisation=OrganisationRef(**item["verksamhet"]),
                purpose=item["syfte"],
                on=date.fromisoformat(item["datum"]),
            )
            for item in answers.get("kontakter", [])
        ],
        "no_support_agreed_beforehand": answers.get("inget-formote"),
        "attendees": refs(answers.get("deltagare")),
        "guardians_present": answers.get("vardnadshavare-deltog"),
        "information_agreed": answers.get("information-nrp"),
        "information_instead": answers.get("information-overenskommelse"),
        "areas_discussed": answers.get("omraden-motet", []),
        "child_participation": answers.get("barnets-delaktighet"),
        "child_participation_note": answers.get("barnets-delaktighet-hur"),
        "child_view": _view(answers, "barnets-asikter-lamnade", "barnets-asikter"),
        "guardian_view": _view(
            answers, "vardnadshavares-asikter-lamnade", "vardnadshavares-asikter"
        ),
        "actions": [action_from_item(item) for item in answers.get("atgarder", [])],
        "copies": apply_copy_records(
            _copies(answers), [CopyRecord.model_validate(r) for r in copy_records]
        ),
        "coordinator": OrganisationRef(**coordinator) if coordinator else None,
        "next_meeting": date.fromisoformat(next_meeting) if next_meeting else None,
        "next_starts_at": answers.get("nasta-tid") or None,
        "next_place": answers.get("nasta-plats") or None,
        "next_participants": refs(answers.get("nasta-deltagare")),
        "further_parties": refs(answers.get("ytterligare-parter")),
    }


WHEEL_NOTE_STEPS = (("omraden-anteckningar", "infor"), ("omraden-motet-anteckningar", "motet"))


def _wheel_notes(answers: FlatAnswers) -> list[WheelNote]:
    """What works and what is hard, per area, as noted before and at the meeting."""
    return [
        WheelNote(
            area=item["omrade"],
            works=item.get("fungerar") or None,
            challenges=item.get("utmanande") or None,
            stage=stage,
        )
        for step_id, stage in WHEEL_NOTE_STEPS
        for item in answers.get(step_id, [])
        if item.get("fungerar") or item.get("utmanande")
    ]


def _copies(answers: FlatAnswers) -> list[PlanCopy]:
    """How each party gets Barnets plan; "all printed at the meeting" covers the family and
    every participant at once."""
    if answers.get("kopior-utskrivna") is True:
        parties = [FAMILY_COPY, *refs(answers.get("deltagare"))]
        return [PlanCopy(organisation=o, method="utskriven", received=True) for o in parties]
    return [
        PlanCopy(
            organisation=OrganisationRef(**item["verksamhet"]),
            method=item["satt"],
            received=item["har-fatt"],
        )
        for item in answers.get("kopior", [])
    ]


FAMILY_COPY = OrganisationRef(id=FAMILY, name="Familjen")


def guardian_copy_name(guardian: str) -> str:
    """`Familjen (vårdnadshavare 1)`: the family's copy for one guardian."""
    return f"{FAMILY_COPY.name} ({giver_word(guardian)})"


def copy_received_words(copy: PlanCopy) -> str:
    """ "ja", "ja, 5 december 2026", "nej, skickad 5 december 2026" or "nej"."""
    if copy.received:
        return f"ja, {swedish_date(copy.received_on)}" if copy.received_on else "ja"
    return f"nej, skickad {swedish_date(copy.sent_on)}" if copy.sent_on else "nej"


def apply_copy_records(copies: list[PlanCopy], records: Iterable[CopyRecord]) -> list[PlanCopy]:
    """The copies as agreed at the meeting, then each record made afterwards, in order (a later
    record about the same copy corrects an earlier one). A record for one guardian splits the
    family's copy into one per guardian, each starting from what was agreed for the family."""
    result = list(copies)
    for record in records:
        key = record.organisation.key()
        if record.guardian is not None:
            family = next(
                (c for c in result if c.organisation.key() == key and c.guardian is None), None
            )
            if family is not None:
                at = result.index(family)
                result[at : at + 1] = [
                    family.model_copy(
                        update={
                            "guardian": g,
                            "organisation": OrganisationRef(id=FAMILY, name=guardian_copy_name(g)),
                        }
                    )
                    for g in ("vardnadshavare-1", "vardnadshavare-2")
                ]
        for index, copy in enumerate(result):
            if copy.organisation.key() != key or copy.guardian != record.guardian:
                continue
            if record.event == "mottagen":
                update: dict[str, Any] = {"received": True, "received_on": record.on}
            else:
                update = {"sent_on": record.on}
            result[index] = copy.model_copy(update=update)
    return result


def action_from_item(item: Mapping[str, Any]) -> PlanAction:
    return PlanAction(
        what=item["vad"],
        goal=item.get("mal") or None,
        organisation=OrganisationRef(**item["ansvarig"]),
        person=item.get("person") or None,
        due=date.fromisoformat(item["senast"]),
        area=item["omrade"],
        status=item["status"],
        evaluation=item.get("utfall"),
        evaluation_comment=item.get("utfall-kommentar") or None,
    )


def carried_items(step_records: str | None, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items of a group that a follow-up meeting starts from: for the plan, open actions only."""
    if step_records == "action":
        return [i for i in items if action_from_item(i).is_open]
    return list(items)


def coordinator_history(meetings: list[Meeting]) -> list[tuple[int, OrganisationRef]]:
    """Who was given the coordination after each meeting, in order."""
    return [(m.number, m.coordinator) for m in meetings if m.coordinator is not None]
