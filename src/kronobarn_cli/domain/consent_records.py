"""What recording a consent does to a case's answers: a giver named, a consent added, a
withdrawal made, each checked, with the words the journal gets (pure; `Walk` saves them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import answer_checks, engine
from kronobarn_cli.domain.case import Case, ConsentWithdrawal
from kronobarn_cli.domain.consent import ConsentScope
from kronobarn_cli.domain.consent import giver_word as consent_giver_word
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError
from kronobarn_cli.support.text import swedish_date


def name_giver(
    workflow: Workflow,
    answers: dict[str, dict[str, Any]],
    giver: str,
    name: str | None,
    today: date,
) -> str:
    """Give a consent giver a name or a role in `answers` (or take it away); returns the
    journal's words, which say that a name was given, not the name (minimum data)."""
    step = workflow.step("samtycken")
    field = next(f for f in step.fields if f.id == "namn")
    value = answer_checks.validate_answer(field, name or "", workflow, today) or None
    if value is not None and "\n" in value:
        raise AnswerError("Namnet ska stå på en rad.")
    section = workflow.section_of("samtycken").id
    items = answers.get(section, {}).get("samtycken", [])
    given = [i for i in items if isinstance(i, dict) and i.get("roll") == giver]
    if not given:
        raise AnswerError(f"Det finns inget samtycke från {consent_giver_word(giver)}.")
    for item in given:
        if value is None:
            item.pop("namn", None)
        else:
            item["namn"] = value
    what = "fick ett namn" if value else "har inte längre något namn"
    return f"Samtycke: {consent_giver_word(giver)} {what}."


def extend_consent(
    workflow: Workflow,
    case: Case,
    answers: dict[str, dict[str, Any]],
    item: dict[str, Any],
    today: date,
) -> str:
    """Add one more consent (a new giver, or more organisations) to section 2 of `answers`;
    returns the journal's words."""
    step = workflow.step("samtycken")
    flat = engine.flatten(answers)
    value = answer_checks.validate_item(step, item, workflow, today, answers=flat)
    given = date.fromisoformat(value["datum"])
    born = case.child.birth_year
    if born is not None and given.year < born:
        raise AnswerError(f"Samtycket kan inte ha lämnats före barnets födelseår ({born}).")
    for withdrawal in case.withdrawals:
        if withdrawal.giver == value["roll"] and given < withdrawal.on:
            raise AnswerError(
                f"Samtycket återkallades den {swedish_date(withdrawal.on)}; ett nytt "
                "samtycke har lämnats efter det. Ange dagen det lämnades."
            )
    section = workflow.section_of("samtycken").id
    consents = answers.setdefault(section, {})
    consents["samtycken"] = [*consents.get("samtycken", []), value]
    # The organisations are in the consent itself; the journal names none (an "annan
    # verksamhet" is typed text).
    count = len(value["verksamheter"])
    what = f"{count} verksamhet{'' if count == 1 else 'er'}"
    return f"Samtycke registrerades ({consent_giver_word(value['roll'])}): {what}."


def withdrawal(  # noqa: PLR0917 - what a withdrawal says
    workflow: Workflow,
    case: Case,
    scope: ConsentScope,
    giver: str,
    organisations: list[Any],
    on: date,
    today: date,
    recorded: datetime,
) -> tuple[ConsentWithdrawal, str]:
    """A withdrawal, whole (no organisations) or in part, checked against the consent's
    `scope` before it; returns it with the journal's words."""
    given = [c for c in case.consents if c.giver == giver]
    if not given:
        raise AnswerError(f"Det finns inget samtycke från {consent_giver_word(giver)}.")
    if on > today:
        raise AnswerError("Datumet för återkallelsen får inte ligga i framtiden.")
    if on < min(c.given_on for c in given):
        raise AnswerError("Återkallelsen kan inte ligga före samtycket lämnades.")
    named = [
        OrganisationRef(**answer_checks.organisation_answer(o, workflow)) for o in organisations
    ]
    covered = scope.coverage(giver)
    for org in named:
        if org.key() not in covered:
            raise AnswerError(
                f"Samtycket från {consent_giver_word(giver)} omfattar inte {org.name}."
            )
    if not covered:
        raise AnswerError(
            f"Samtycket från {consent_giver_word(giver)} är redan återkallat eller har gått ut."
        )
    made = ConsentWithdrawal(
        giver=given[0].giver,
        on=on,
        organisations=named,
        consents_before=len(case.consents),
        recorded=recorded,
    )
    count = len(named)
    what = f"{count} verksamhet{'' if count == 1 else 'er'}" if named else "hela samtycket"
    return made, (f"Samtycke återkallades ({consent_giver_word(giver)}, {on.isoformat()}): {what}.")
