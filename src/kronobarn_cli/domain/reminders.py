"""Reminders: what is due in each case, for people and for scheduled scripts.

Pure functions over one case at a time, so a store of any size is scanned as a stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from kronobarn_cli.checklists.vocabulary import CaseStatus
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope, expiring, giver_word, scope_flags, status_on
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.domain.query import (  # noqa: F401 - also reached as remind.*
    CONFIG_FILE,
    KINDS,
    Query,
    ReminderKind,
    Settings,
    load_settings,
    parse_within,
    read_settings,
)
from kronobarn_cli.support.text import public_place, swedish_date, swedish_when


class Reminder(BaseModel):
    """One thing that needs attention. This is the documented JSON shape of `remind --json`."""

    model_config = ConfigDict(extra="forbid")

    case_id: str
    kind: ReminderKind
    due_date: date | None = Field(description="När det ska vara gjort; null när inget datum finns.")
    days_left: int | None = Field(description="Dagar kvar till due_date; negativt = försenat.")
    overdue: bool
    organisation_id: str | None = Field(description="Ansvarig verksamhet (id i katalogen).")
    organisation: str | None = Field(description="Ansvarig verksamhet (namn).")
    coordinator: str | None = Field(description="Verksamheten som samordnar ärendet.")
    text: str
    child: str | None = Field(default=None, description="Barnets namn, bara med --with-names.")


def _plan_meeting(case: Case) -> Meeting | None:
    return next((m for m in reversed(case.meetings) if m.actions), None)


@dataclass(frozen=True)
class Candidate:
    """A reminder as a case holds it, before the day it is read on: what `remind` shows is a
    candidate placed on that day (`days_left`, `overdue`) and passed through the query.

    `due` is a date, None (no date), `ON_THE_DAY` (due the day `remind` runs) or, for a case
    still waiting for its first consent, the day it was created: it is shown only once it has
    waited longer than `consent_days` (`after_waiting`)."""

    kind: ReminderKind
    due: date | None
    organisation: OrganisationRef | None
    text: str
    on_the_day: bool = False
    after_waiting: bool = False


def validity(case: Case, day: date) -> tuple[date, date]:
    """The days around `day` on which `candidates(case, ·)` gives the same answer: consents
    begin, end and are withdrawn on dates, and between those dates nothing else depends on
    the day."""
    changes = [c.given_on for c in case.consents]
    changes += [c.valid_until + timedelta(days=1) for c in case.consents if c.valid_until]
    changes += [w.on for w in case.withdrawals]
    first, following = date.min, None
    for change in changes:
        if change <= day:
            first = max(first, change)
        elif following is None or change < following:
            following = change
    return first, (following - timedelta(days=1)) if following is not None else date.max


@dataclass(frozen=True)
class CaseDay:
    """A case as `list` and `remind` read it on one day (`case_day`)."""

    status: CaseStatus
    """`consent.status_on` that day."""
    coordinator: OrganisationRef | None
    """`coordinator_of` the case."""
    candidates: list[Candidate]
    first: date
    last: date
    """`validity`: the same on every day from `first` to `last`."""


def case_day(case: Case, day: date) -> CaseDay:
    """All that `list` and `remind` need of `case` on `day`, what the parts share (the consent
    scope, the coordinator) worked out once."""
    scope = ConsentScope.of(case, day)
    coordinator = coordinator_of(case)
    status = status_on(case, day, scope)
    found = list(_candidates(case, day, scope=scope, coordinator=coordinator, status=status))
    return CaseDay(status, coordinator, found, *validity(case, day))


def candidates(case: Case, day: date) -> Iterator[Candidate]:
    """Everything in one case that may be due, as the case stands on `day` (the same for every
    day of `validity(case, day)`). Cases handed over from here are included; `case_reminders`
    leaves them out unless asked."""
    scope = ConsentScope.of(case, day)
    status = status_on(case, day, scope)  # a consent run out acts as one withdrawn
    return _candidates(case, day, scope=scope, coordinator=coordinator_of(case), status=status)


def _candidates(
    case: Case,
    day: date,
    *,
    scope: ConsentScope,
    coordinator: OrganisationRef | None,
    status: CaseStatus,
) -> Iterator[Candidate]:
    latest = case.current_meeting
    if status == "vantar-pa-samtycke":
        who = scope.missing_words() or "de som ska lämna samtycke"
        if case.meetings:
            # Activated once: a consent was withdrawn or ran out, which matters at once.
            text = f"Väntar på samtycke från {who}."
            yield Candidate("consent", None, coordinator, text, on_the_day=True)
            for flag in scope_flags(case, day, scope):
                yield _on(flag.since, "consent", coordinator, flag.text)
            return
        # Only once the case has waited longer than the settings allow.
        text = f"Väntar på samtycke från {who}."
        yield Candidate("consent", case.created.date(), None, text, after_waiting=True)
        return
    if status not in ("aktiverad", "overlamnad"):
        return
    if not scope.complete():  # the sender's copy of a case handed over
        text = (
            f"Samtycke gäller inte längre från {scope.missing_words()}; registrera ett nytt "
            "samtycke innan samverkan fortsätter."
        )
        yield Candidate("consent", None, coordinator, text, on_the_day=True)
    for consent, lost in expiring(case):
        assert consent.valid_until is not None
        if consent.valid_until >= day:
            who = giver_word(consent.giver, case.consents)
            names = ", ".join(o.name for o in lost)
            text = f"Samtycket från {who} gäller till och med {swedish_date(consent.valid_until)}"
            yield Candidate("consent", consent.valid_until, coordinator, f"{text}: {names}.")
    for flag in scope_flags(case, day, scope):
        # To be settled before the organisation takes part again: at the latest next meeting.
        settle = flag.since or (latest.next_meeting if latest is not None else None)
        yield _on(settle, "consent", coordinator, flag.text)

    plan = _plan_meeting(case)
    if plan is not None:
        # Nothing is addressed to an organisation the consent no longer covers: a scheduled
        # job would pass it on. The coordinator hears of it as a consent reminder.
        for action in plan.actions:
            if action.is_open and scope.covers(action.organisation):
                yield Candidate("action", action.due, action.organisation, f"Insats: {action.what}")
        for copy in plan.copies:
            # Sent after the meeting (`plan ID copy … --sent`) is done as far as the
            # coordinator goes; received is done too.
            if not copy.handled and scope.covers(copy.organisation):
                text = f"{copy.organisation.name} har inte fått sin kopia av Barnets plan."
                yield Candidate("copy", plan.held_on, copy.organisation, text)

    if latest is None:
        yield Candidate("meeting", None, None, "Samverkan är aktiverad men inget möte är planerat.")
    elif not latest.finished:
        if latest.held_on is None:
            yield Candidate("meeting", None, coordinator, "Mötet är påbörjat men saknar datum.")
        else:
            text = f"Samverkansmöte {latest.number} den {swedish_date(latest.held_on)}."
            yield Candidate("meeting", latest.held_on, coordinator, text)
    elif latest.next_meeting is None:
        yield Candidate("meeting", None, coordinator, "Inget datum för nästa möte.")
    else:
        place = latest.next_place if latest.next_place and public_place(latest.next_place) else None
        when = swedish_when(latest.next_meeting, latest.next_starts_at, place)
        text = f"Nästa samverkansmöte den {when}."  # a home address only in the plan
        yield Candidate("meeting", latest.next_meeting, coordinator, text)


def _on(due: date | None, kind: ReminderKind, org: OrganisationRef | None, text: str) -> Candidate:
    """Due on `due`, or on the day `remind` runs when there is no date."""
    return Candidate(kind, due, org, text, on_the_day=due is None)


def due_on(candidate: Candidate, query: Query) -> tuple[bool, date | None]:
    """Whether a candidate is shown on the query's day at all, and when it is due."""
    if candidate.on_the_day:
        return True, query.today
    if candidate.after_waiting:
        assert candidate.due is not None
        try:
            due = candidate.due + timedelta(days=query.consent_days)
        except OverflowError:  # created at the end of the calendar: it has not waited yet
            return False, None
        return query.today > due, due
    return True, candidate.due


def case_reminders(case: Case, query: Query) -> Iterator[Reminder]:
    """Everything in one case that is due within the window, overdue, or missing."""
    if case.status == "overlamnad" and not query.include_handed_over:
        return
    coordinator = coordinator_of(case)
    child = case.child.name if query.with_names else None
    for candidate in candidates(case, query.today):
        shown, due = due_on(candidate, query)
        if not shown:
            continue
        days = (due - query.today).days if due is not None else None
        org = candidate.organisation
        yield Reminder(
            case_id=case.id,
            kind=candidate.kind,
            due_date=due,
            days_left=days,
            overdue=days is not None and days < 0,
            organisation_id=org.id if org else None,
            organisation=org.name if org else None,
            coordinator=coordinator.name if coordinator else None,
            text=candidate.text,
            child=child,
        )


def coordinator_of(case: Case) -> OrganisationRef | None:
    """Who coordinates: the last meeting's choice, the organisation it was handed over to since,
    or, before any meeting has chosen, the organisation that holds the case."""
    decided = [m for m in case.meetings if m.coordinator is not None]
    latest = decided[-1] if decided else None
    if case.handovers and (latest is None or case.handovers[-1].after_meeting >= latest.number):
        return case.handovers[-1].to  # the coordination moved after the meeting that chose
    return latest.coordinator if latest is not None else case.holder


def _matches(org_id: str | None, name: str | None, wanted: str) -> bool:
    wanted = wanted.casefold()
    return wanted in ((org_id or "").casefold(), (name or "").casefold())


def selected(reminder: Reminder, query: Query) -> bool:
    if reminder.kind not in query.kinds:
        return False
    if query.overdue_only and not reminder.overdue:
        return False
    if reminder.due_date is not None and reminder.due_date > query.until:
        return False
    if query.organisation is not None:
        as_coordinator = _matches(None, reminder.coordinator, query.organisation)
        responsible = _matches(reminder.organisation_id, reminder.organisation, query.organisation)
        if query.organisation_id is not None:
            responsible = responsible or reminder.organisation_id == query.organisation_id
        if not (as_coordinator if query.by_coordinator else as_coordinator or responsible):
            return False
    return True


def reminders(cases: Iterable[Case], query: Query) -> list[Reminder]:
    """Scan cases one at a time; only the reminders are kept."""
    found: list[Reminder] = []
    for case in cases:
        if query.case_id is not None and case.id != query.case_id:
            continue
        found.extend(r for r in case_reminders(case, query) if selected(r, query))
    found.sort(key=lambda r: (group_of(r, query), r.due_date or date.max, r.case_id, r.kind))
    return found


def group_of(reminder: Reminder, query: Query) -> str:
    name = reminder.coordinator if query.by_coordinator else reminder.organisation
    return name or reminder.coordinator or "Utan ansvarig verksamhet"


REMINDERS = TypeAdapter(list[Reminder])
