"""Samtyckesblanketten: the consent form to print and sign, pre-filled from the case (as data)."""

from __future__ import annotations

from datetime import date
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.checklists.vocabulary import FAMILY_PARTIES, OTHER_ORGANISATION
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import GUARDIAN_1, GUARDIAN_2, YOUTH, ConsentScope
from kronobarn_cli.domain.parts import GiverRole, OrganisationRef
from kronobarn_cli.support.text import swedish_date

YOUTH_MAY_BE_MATURE = 12
"""From this age the professional asks whether the young person consents too (as the walk)."""


def _organisations(case: Case, workflow: Workflow) -> list[OrganisationRef]:
    """The organisations the form asks about: those the case names, the holder first; with
    none named yet, the county's directory."""
    found: dict[tuple[str, str], OrganisationRef] = {}
    named: list[OrganisationRef] = [case.holder] if case.holder is not None else []
    for consent in case.consents:
        named += consent.organisations
    for meeting in case.meetings:
        named += [i.organisation for i in meeting.invitees]
        named += meeting.attendees + meeting.next_participants + meeting.further_parties
    for org in named:
        if org.id not in FAMILY_PARTIES:
            found.setdefault(org.key(), org)
    if len(found) <= 1:
        for listed in workflow.organisations:
            if listed.kind != "familj" and listed.id != OTHER_ORGANISATION:
                ref = OrganisationRef(id=listed.id, name=listed.name)
                found.setdefault(ref.key(), ref)
    return list(found.values())


def _givers(case: Case, today: date) -> list[tuple[GiverRole, str, str]]:
    """(role id, heading, when it applies) for each block to sign."""
    givers: list[tuple[GiverRole, str, str]] = [(GUARDIAN_1, "Vårdnadshavare", "")]
    if case.guardians == 2:
        givers = [(GUARDIAN_1, "Vårdnadshavare 1", ""), (GUARDIAN_2, "Vårdnadshavare 2", "")]
    elif case.guardians is None:
        givers = [
            (GUARDIAN_1, "Vårdnadshavare 1", ""),
            (GUARDIAN_2, "Vårdnadshavare 2", "Fylls i vid gemensam vårdnad."),
        ]
    age = case.child.max_age(today)
    if case.youth_mature:
        givers.append((YOUTH, "Ungdomen själv", ""))
    elif case.youth_mature is None and (age is None or age >= YOUTH_MAY_BE_MATURE):
        givers.append(
            (
                YOUTH,
                "Ungdomen själv",
                "Fylls i när ungdomen har uppnått tillräcklig ålder och mognad.",
            )
        )
    return givers


def consent_valid_days(workflow: Workflow) -> int | None:
    return next((s.consent_valid_days for s in workflow.sections if s.consent_valid_days), None)


def context(case: Case, workflow: Workflow, today: date) -> dict[str, Any]:
    """What the form says about this case: child, asker, givers with their tick boxes."""
    scope = ConsentScope.of(case, today)
    organisations = _organisations(case, workflow)
    holder = case.holder
    inviters = [m.inviter for m in reversed(case.meetings) if m.inviter is not None]
    asker = next(
        (i for i in inviters if holder is None or i.organisation.key() == holder.key()), None
    )
    asking = holder or (asker.organisation if asker is not None else None)
    blocks = []
    for role, heading, applies in _givers(case, today):
        covered = scope.coverage(role)
        own = [c for c in case.consents if c.giver == role]
        oral = next((c for c in reversed(own) if c.form == "muntlig"), None)
        name = next((c.giver_name for c in reversed(own) if c.giver_name), "") or ""
        blocks.append(
            {
                "role": role,
                "heading": f"{heading} ({name})" if name else heading,
                "applies": applies,
                "name": name,
                "organisations": [
                    {"name": o.name, "ticked": o.key() in covered} for o in organisations
                ],
                "oral_on": swedish_date(oral.given_on) if oral is not None else "",
            }
        )
    return {
        "case_id": case.id,
        "child": case.child.name,
        "birth_year": str(case.child.birth_year) if case.child.birth_year else "",
        "organisation": asking.name if asking is not None else "",
        "person": asker.name if asker is not None else "",
        "contact": asker.contact if asker is not None else "",
        "givers": blocks,
        "valid_days": consent_valid_days(workflow) or 0,
        "printed": swedish_date(today),
        "register": f"kronobarn consent {case.id} add --form skriftlig",
    }
