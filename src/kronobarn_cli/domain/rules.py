"""The workflow's rules (consent, referral, invitations, plan, coordination) as plain functions.

A meeting built from its answers (its fields, the plan's actions and copies) is
`domain.meeting_record`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from kronobarn_cli.checklists.directory import Organisation
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.checklists.vocabulary import FAMILY_PARTIES
from kronobarn_cli.domain.case import (
    Case,
    Consent,
    ConsentWithdrawal,
    Decision,
    Referral,
)
from kronobarn_cli.domain.consent import ConsentScope, giver_word, required_groups
from kronobarn_cli.domain.meeting import (
    Meeting,
    PlanAction,
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


def coordinator_history(meetings: list[Meeting]) -> list[tuple[int, OrganisationRef]]:
    """Who was given the coordination after each meeting, in order."""
    return [(m.number, m.coordinator) for m in meetings if m.coordinator is not None]
