"""Reminders: what is due in each case, for people and for scheduled scripts.

Pure functions over one case at a time, so a store of any size is scanned as a stream.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from kronobarn_cli import safe_yaml
from kronobarn_cli.case import Case, Meeting, OrganisationRef
from kronobarn_cli.consent import ConsentScope, expiring, giver_word, scope_flags
from kronobarn_cli.errors import InputFileError, KronobarnError
from kronobarn_cli.text import drop_control_characters, swedish_date
from kronobarn_cli.validation import describe

ReminderKind = Literal["action", "meeting", "copy", "consent"]
KINDS: tuple[str, ...] = ("action", "meeting", "copy", "consent")
CONFIG_FILE = "config.yaml"


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


class Settings(BaseModel):
    """`config.yaml` in the kronobarn home directory (all keys optional)."""

    model_config = ConfigDict(extra="forbid")

    remind_within: str = "14d"
    consent_days: int = Field(default=14, ge=0, le=365)


def load_settings(home: Path) -> Settings:
    path = home / CONFIG_FILE
    if not path.exists():
        return Settings()
    document = safe_yaml.read(path)
    try:
        settings = Settings.model_validate(document.data or {})
    except ValidationError as exc:
        error = exc.errors()[0]
        line = safe_yaml.line_of(document.root, *error["loc"])
        raise InputFileError(str(path), line, describe(error)) from None
    try:
        parse_within(settings.remind_within, date.today())
    except KronobarnError as exc:
        line = safe_yaml.line_of(document.root, "remind_within")
        raise InputFileError(str(path), line, f"remind_within: {exc.message}") from None
    return settings


_WINDOW = re.compile(r"^(\d{1,4})([dwm])$")


def parse_within(text: str, today: date) -> date:
    """`14d`, `2w`, `1m` or an ISO date → the last day the window covers."""
    value = text.strip().casefold()
    match = _WINDOW.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if unit == "d":
            return today + timedelta(days=amount)
        if unit == "w":
            return today + timedelta(weeks=amount)
        return today + relativedelta(months=amount)
    try:
        until = date.fromisoformat(value)
    except ValueError:
        raise KronobarnError(
            f"Ogiltigt tidsfönster '{text}'. Skriv t.ex. 14d, 2w, 1m eller ett datum ÅÅÅÅ-MM-DD."
        ) from None
    if until < today:
        raise KronobarnError(f"Tidsfönstret {until.isoformat()} ligger före dagens datum.")
    return until


@dataclass(frozen=True)
class Query:
    today: date
    until: date
    consent_days: int = 14
    overdue_only: bool = False
    organisation: str | None = None
    by_coordinator: bool = False
    case_id: str | None = None
    kinds: tuple[str, ...] = KINDS
    with_names: bool = False
    include_handed_over: bool = False
    """Cases this store handed over: what was due when they left (the receiver has it now)."""


def _plan_meeting(case: Case) -> Meeting | None:
    return next((m for m in reversed(case.meetings) if m.actions), None)


def case_reminders(case: Case, query: Query) -> Iterator[Reminder]:
    """Everything in one case that is due within the window, overdue, or missing."""
    latest = case.current_meeting
    coordinator = _coordinator(case)

    def make(
        kind: ReminderKind, due: date | None, org: OrganisationRef | None, text: str
    ) -> Reminder:
        days = (due - query.today).days if due is not None else None
        return Reminder(
            case_id=case.id,
            kind=kind,
            due_date=due,
            days_left=days,
            overdue=days is not None and days < 0,
            organisation_id=org.id if org else None,
            organisation=org.name if org else None,
            coordinator=coordinator.name if coordinator else None,
            text=text,
            child=case.child.name if query.with_names else None,
        )

    scope = ConsentScope.of(case, query.today)
    if case.status == "vantar-pa-samtycke":
        who = scope.missing_words() or "de som ska lämna samtycke"
        if case.meetings:
            # Activated once: a consent was withdrawn or ran out, which matters at once.
            yield make("consent", query.today, coordinator, f"Väntar på samtycke från {who}.")
            for flag in scope_flags(case, query.today):
                yield make("consent", flag.since or query.today, coordinator, flag.text)
            return
        # Only once the case has waited longer than the settings allow.
        due = case.created.date() + timedelta(days=query.consent_days)
        if query.today > due:
            yield make("consent", due, None, f"Väntar på samtycke från {who}.")
        return
    handed_over = case.status == "overlamnad" and query.include_handed_over
    if case.status != "aktiverad" and not handed_over:
        return
    if not scope.complete():
        yield make(
            "consent",
            query.today,
            coordinator,
            f"Samtycke gäller inte längre från {scope.missing_words()}; registrera ett nytt "
            "samtycke innan samverkan fortsätter.",
        )
    for consent, lost in expiring(case):
        assert consent.valid_until is not None
        if consent.valid_until >= query.today:
            who = giver_word(consent.giver, case.consents)
            names = ", ".join(o.name for o in lost)
            text = f"Samtycket från {who} gäller till och med {swedish_date(consent.valid_until)}"
            yield make("consent", consent.valid_until, coordinator, f"{text}: {names}.")
    for flag in scope_flags(case, query.today):
        # To be settled before the organisation takes part again: at the latest next meeting.
        settle = flag.since or (latest.next_meeting if latest is not None else None)
        yield make("consent", settle or query.today, coordinator, flag.text)

    plan = _plan_meeting(case)
    if plan is not None:
        # Nothing is addressed to an organisation the consent no longer covers: a scheduled
        # job would pass it on. The coordinator hears of it as a consent reminder.
        for action in plan.actions:
            if action.is_open and scope.covers(action.organisation):
                yield make("action", action.due, action.organisation, f"Insats: {action.what}")
        for copy in plan.copies:
            if not copy.received and scope.covers(copy.organisation):
                yield make(
                    "copy",
                    plan.held_on,
                    copy.organisation,
                    f"{copy.organisation.name} har inte fått sin kopia av Barnets plan.",
                )

    if latest is None:
        yield make("meeting", None, None, "Samverkan är aktiverad men inget möte är planerat.")
    elif not latest.finished:
        if latest.held_on is None:
            yield make("meeting", None, coordinator, "Mötet är påbörjat men saknar datum.")
        else:
            text = f"Samverkansmöte {latest.number} den {swedish_date(latest.held_on)}."
            yield make("meeting", latest.held_on, coordinator, text)
    elif latest.next_meeting is None:
        yield make("meeting", None, coordinator, "Inget datum för nästa möte.")
    else:
        text = f"Nästa samverkansmöte den {swedish_date(latest.next_meeting)}."
        yield make("meeting", latest.next_meeting, coordinator, text)


def _coordinator(case: Case) -> OrganisationRef | None:
    decided = [m for m in case.meetings if m.coordinator is not None]
    latest = decided[-1] if decided else None
    if case.handovers and (latest is None or case.handovers[-1].after_meeting >= latest.number):
        return case.handovers[-1].to  # the coordination moved after the meeting that chose
    return latest.coordinator if latest is not None else None


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
CSV_COLUMNS = tuple(Reminder.model_fields)


def to_csv(found: list[Reminder]) -> str:
    """The same fields as the JSON, one row per reminder, for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for reminder in found:
        row = reminder.model_dump(mode="json")
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return buffer.getvalue()


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return csv_text(value)
    return value


# What makes Excel, LibreOffice and Google Sheets read a cell as a formula (or DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text as a spreadsheet cell that shows it and never evaluates it: control characters
    removed, and a leading `=`, `+`, `-`, `@`, tab or carriage return neutralised with `'`."""
    cleaned = drop_control_characters(value)
    if value.startswith(_FORMULA_START) or cleaned.lstrip().startswith(_FORMULA_START):
        return "'" + cleaned
    return cleaned
