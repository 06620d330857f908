"""Changes to a case outside its walk: the child's data typed in, closing and reopening, and
the guards every change passes (handed over, closed, without consent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from pydantic import ValidationError

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import engine, rules
from kronobarn_cli.domain.case import (
    OLDEST_CHILD,
    STATUS_LABELS,
    Case,
    Child,
    Closure,
    EarlierClosure,
    JournalEntry,
)
from kronobarn_cli.domain.consent import ConsentScope, status_on
from kronobarn_cli.domain.meeting import PlanAction
from kronobarn_cli.errors import AnswerError, KronobarnError
from kronobarn_cli.store import Store
from kronobarn_cli.support.text import has_identity_number, swedish_date
from kronobarn_cli.support.validation import swedish_message

Clock = Callable[[], datetime]


def local_now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


def parse_child(name: str, birth_year: str, today: date) -> Child:
    """The child's minimum data from typed text, with Swedish errors."""
    year: int | None = None
    text = birth_year.strip()
    if text:
        if not text.isdigit() or len(text) != 4:
            raise AnswerError("Skriv födelseåret med fyra siffror, t.ex. 2014, eller lämna tomt.")
        year = int(text)
        if not today.year - OLDEST_CHILD <= year <= today.year:
            raise AnswerError(
                f"Födelseåret ska ligga mellan {today.year - OLDEST_CHILD} och {today.year}."
            )
    if has_identity_number(name):
        raise AnswerError(
            "Skriv bara namn eller initialer – personnummer behövs inte och sparas inte."
        )
    try:
        return Child(name=name, birth_year=year)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None


def refuse_if_handed_over(case: Case) -> None:
    """The sender's copy of a handed-over case is read-only: the new coordinator goes on."""
    handover = case.handed_over
    if handover is None:
        return
    to = handover.to.name + (f" ({handover.person})" if handover.person else "")
    raise KronobarnError(
        f"Ärendet {case.id} överlämnades till {to} den {swedish_date(handover.on.date())} och "
        f"kan inte ändras här. {handover.to.name} samordnar ärendet nu."
    )


def refuse_if_not_open(case: Case) -> None:
    """A walk goes on only in a case that is neither handed over nor closed."""
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är avslutat och kan inte ändras.")


def entries_since(read: Case, now: Case) -> list[JournalEntry]:
    """The journal entries `now` holds that were recorded after `read` was read: the other
    sessions' changes (the journal only grows, so they follow the entries both hold)."""
    common = 0
    for mine, theirs in zip(read.journal, now.journal, strict=False):
        if mine != theirs:
            break
        common += 1
    return now.journal[common:]


def check_closable(case: Case, reason: str) -> str:
    """What refuses a close before anything is asked; returns the reason as it is kept."""
    text = reason.strip()
    if not text:
        raise AnswerError("Skriv en anledning till att ärendet avslutas (--reason).")
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är redan avslutat.")
    return text


def open_actions(case: Case) -> list[tuple[int, PlanAction]]:
    """The actions of the current Barnets plan still planned or going on, with their numbers."""
    found = next((m for m in reversed(case.meetings) if m.actions), None)
    actions = found.actions if found is not None else []
    return [(n, a) for n, a in enumerate(actions, 1) if a.is_open]


def close_case(store: Store, case: Case, reason: str, now: datetime) -> Case:
    """Close a case: it leaves the walk and the reminders; nothing recorded is removed (a group
    being filled in stays too, for `reopen`)."""
    text = check_closable(case, reason)
    data = case.model_dump()
    data.update(status="avslutad", closed=Closure(on=now.date(), reason=text))
    try:
        closed = Case.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None
    # The reason stays in the case (`closed.reason`), never in the journal.
    closed.log("Ärendet avslutades.", now, store.actor, ["status", "closed"])
    store.save(closed)
    return closed


REOPEN_DAYS = 30
"""How long after it was closed a case can be opened again (`reopen`); later, a new case."""


def reopen_case(store: Store, workflow: Workflow, case: Case, now: datetime) -> Case:
    """Open a closed case again within `REOPEN_DAYS`: its status is what its answers give
    today (consent as it stands now), and the closure with its reason is kept."""
    refuse_if_handed_over(case)
    closure = case.closed
    if closure is None:
        raise KronobarnError(f"Ärendet {case.id} är inte avslutat.")
    today = now.date()
    if (today - closure.on).days > REOPEN_DAYS:
        raise KronobarnError(
            f"Ärendet {case.id} avslutades den {swedish_date(closure.on)}, för mer än "
            f"{REOPEN_DAYS} dagar sedan, och kan inte öppnas igen. Öppna ett nytt ärende med "
            "kronobarn new-case."
        )
    answers = {k: dict(v) for k, v in case.answers.items()}
    if case.meetings:
        answers.update({k: dict(v) for k, v in case.meetings[-1].answers.items()})
    facts = engine.Facts(
        child_age=case.child.max_age(today),
        rules=rules.consent_context(workflow, case, today).rules(),
    )
    status = engine.status(workflow, engine.prune(workflow, answers, facts), facts)
    earlier = EarlierClosure(on=closure.on, reason=closure.reason, reopened_on=today)
    data = case.model_dump()
    data.update(
        status=status,
        closed=None,
        earlier_closures=[*data["earlier_closures"], earlier.model_dump()],
    )
    try:
        reopened = Case.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None
    reopened.log(
        f"Ärendet öppnades igen (avslutat {closure.on.isoformat()}). Status: "
        f"{STATUS_LABELS[status]}.",
        now,
        store.actor,
        ["status", "closed", "earlier_closures"],
    )
    store.save(reopened)
    return reopened


def walk_open(case: Case, today: date) -> bool:
    """Has the case a walk to go on with (`resume`): being assessed, waiting for consent (a
    consent run out too), or a meeting not finished? A finished meeting goes on with
    `follow-up` instead."""
    status = status_on(case, today)
    if status in ("bedomning-pagar", "vantar-pa-samtycke"):
        return True
    return status == "aktiverad" and not (case.meetings and case.meetings[-1].finished)


def refuse_without_consent(case: Case, today: date) -> None:
    """One rule for going on with a case (a follow-up, an action added or kept open): it is
    activated, and every required giver's consent holds today. A consent withdrawn and one
    run out act alike."""
    if case.status != "aktiverad":
        raise KronobarnError(
            f"Ärendet {case.id} är inte aktiverat (status: {STATUS_LABELS[case.status]})."
        )
    scope = ConsentScope.of(case, today)
    if not scope.complete():
        raise KronobarnError(
            f"Ärendet {case.id} saknar ett samtycke som gäller i dag (från "
            f"{scope.missing_words()}): samtycket har återkallats eller gått ut. Registrera ett "
            f"nytt med: kronobarn consent {case.id} add"
        )
