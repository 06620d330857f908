"""The workflow's rules of consent and referral, as plain functions over recorded data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kronobarn_cli.case import Consent, Decision, OrganisationRef, Referral
from kronobarn_cli.engine import FlatAnswers, RuleFunction
from kronobarn_cli.text import join_swedish, swedish_date

GUARDIAN = "vardnadshavare"
YOUTH = "ungdom"


def consents_from_answers(answers: FlatAnswers) -> list[Consent]:
    """The consents recorded in section 2 (`samtycken`), as domain objects."""
    return consents_from_items(answers.get("samtycken") or [])


def consents_from_items(items: list[dict[str, Any]]) -> list[Consent]:
    return [
        Consent(
            giver=item["roll"],
            form=item["form"],
            given_on=date.fromisoformat(item["datum"]),
            organisations=[OrganisationRef(**o) for o in item["verksamheter"]],
        )
        for item in items
    ]


def consent_complete(consents: list[Consent], youth_mature: bool | None) -> bool:
    """Activation needs a guardian's consent, and the young person's own when mature enough."""
    givers = {c.giver for c in consents}
    if GUARDIAN not in givers:
        return False
    return not youth_mature or YOUTH in givers


def missing_consents(consents: list[Consent], youth_mature: bool | None) -> list[str]:
    """Who still has to consent, in words for the user."""
    givers = {c.giver for c in consents}
    missing = []
    if GUARDIAN not in givers:
        missing.append("vårdnadshavare")
    if youth_mature and YOUTH not in givers:
        missing.append("ungdomen själv")
    return missing


def _consent_complete_rule(answers: FlatAnswers) -> bool:
    youth = answers.get("ungdom-mogen")
    return consent_complete(consents_from_answers(answers), youth is True)


RULES: Mapping[str, RuleFunction] = {"samtycke-komplett": _consent_complete_rule}


def oral_consent_line(given_on: date, organisations: list[OrganisationRef]) -> str:
    """The documentation line the workflow prescribes for oral consent."""
    names = join_swedish(o.name for o in organisations)
    return f"Samtycke har lämnats muntligen den {swedish_date(given_on)} för kontakt med {names}."


def consent_lines(consents: list[Consent]) -> list[str]:
    return [oral_consent_line(c.given_on, c.organisations) for c in consents if c.form == "muntlig"]


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
