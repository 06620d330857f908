"""Readable renderings of a case (rich renderables; printing is left to the caller): the whole
case in `show`, its consent and wheel, and the tables and JSON shapes of `log`, `plan` and `purge`;
one meeting is `meeting_view`'s."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, TypeAdapter
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.checklists.vocabulary import CaseStatus
from kronobarn_cli.domain import rules
from kronobarn_cli.domain.case import (
    STATUS_LABELS,
    Case,
    Consent,
    ConsentWithdrawal,
    JournalEntry,
)
from kronobarn_cli.domain.consent import ConsentScope, giver_word, scope_flags, status_on
from kronobarn_cli.domain.meeting import Meeting, PlanAction
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.render.meeting_view import meeting_view
from kronobarn_cli.render.view_parts import facts, org_names, safe_text
from kronobarn_cli.render.wording import child_text
from kronobarn_cli.support.text import join_swedish, swedish_date, terminal_safe


def consent_view(case: Case, workflow: Workflow, today: date) -> RenderableType:
    """Every consent and withdrawal, whose consent is required, and what it all allows today."""
    scope = ConsentScope.of(case, today)
    parts: list[RenderableType] = []
    if case.consents:
        table = Table("Vem", "Form", "Lämnat", "Giltigt till", "Verksamheter",
                      title="Samtycken", title_justify="left")  # fmt: skip
        for c in case.consents:
            table.add_row(
                safe_text(giver_word(c.giver, [c])),
                workflow.label("samtycken", "form", c.form).split(",")[0],
                swedish_date(c.given_on),
                swedish_date(c.valid_until) if c.valid_until else "tills vidare",
                org_names(c.organisations),
            )
        parts.append(table)
    if case.withdrawals:
        table = Table("Vem", "Från", "Gäller", title="Återkallat", title_justify="left")
        for w in case.withdrawals:
            table.add_row(
                safe_text(giver_word(w.giver, case.consents)),
                swedish_date(w.on),
                org_names(w.organisations) if w.organisations else Text("hela samtycket"),
            )
        parts.append(table)
    needed = join_swedish(" eller ".join(scope.word(g) for g in group) for group in scope.required)
    own = case.own_here
    rows: list[tuple[str, Text | str]] = [("Egen verksamhet", safe_text(own.name if own else None))]
    opener = case.own_organisation
    if opener is not None and own is not None and opener.key() != own.key():
        rows.append(("Ärendet öppnades av", safe_text(opener.name)))
    rows += [
        ("Samtycke krävs från", safe_text(needed)),
        (
            "Omfattar i dag" if today == date.today() else f"Omfattar {swedish_date(today)}",
            org_names(scope.organisations()),
        ),
    ]
    if not scope.complete():
        rows.append(("Saknas", Text(terminal_safe(scope.missing_words()), style="red")))
    if scope.maturity_to_judge:
        judge = f"ungdomens ålder och mognad (kronobarn resume {case.id})"
        rows.append(("Att bedöma", Text(judge, style="red")))
    parts.append(facts(rows))
    for line in rules.consent_lines(case.consents):
        parts.append(Text("Dokumentation: ", style="bold") + safe_text(line))
    for flag in scope_flags(case, today):
        parts.append(Text("Att se över: ", style="bold red") + safe_text(flag.text))
    return Group(*parts)


def case_view(case: Case, workflow: Workflow, today: date | None = None) -> RenderableType:
    day = today or date.today()
    parts: list[RenderableType] = []
    child = child_text(case)
    header: list[tuple[str, Text | str]] = [
        ("Barn", safe_text(child)),
        ("Status", STATUS_LABELS[status_on(case, day)]),
        ("Skapat", case.created.strftime("%Y-%m-%d %H:%M")),
        ("Senast ändrat", case.updated.strftime("%Y-%m-%d %H:%M")),
    ]
    if case.closed is not None:
        header.append(("Avslutat", swedish_date(case.closed.on)))
        header.append(("Anledning", safe_text(case.closed.reason)))
    for earlier in case.earlier_closures:
        when = f"{swedish_date(earlier.on)}, öppnat igen {swedish_date(earlier.reopened_on)}: "
        header.append(("Avslutat tidigare", Text(when) + safe_text(earlier.reason)))
    for record in case.handovers:
        when = f"{swedish_date(record.on.date())} kl. {record.on.strftime('%H:%M')}"
        header.append(("Överlämnat", safe_text(f"{when} {record.words()}")))
    if case.handed_over is not None:
        header.append(
            ("Samordnas nu av", safe_text(f"{case.handed_over.to.name} (din kopia kan bara läsas)"))
        )
    parts.append(Panel(facts(header), title=f"Ärende {case.id}", title_align="left"))

    if case.decision is not None:
        outcome = next(
            (
                o.title
                for s in workflow.sections
                for o in s.outcomes
                if o.id == case.decision.outcome
            ),
            case.decision.outcome or "–",
        )
        rows: list[tuple[str, Text | str]] = [
            ("Uppmärksammat", safe_text(case.decision.noticed)),
            ("Beslut", outcome),
        ]
        if case.decision.reason:
            rows.append(("Motivering", safe_text(case.decision.reason)))
        if case.decision.referral is not None:
            rows.append(("Hänvisning", safe_text(rules.referral_line(case.decision.referral))))
        parts.append(Panel(facts(rows), title="Finns behov av samverkan?", title_align="left"))

    if case.consents or case.own_organisation is not None:
        parts.append(consent_view(case, workflow, day))

    if case.meetings:
        parts.append(wheel_view(case, workflow))
    for meeting in case.meetings:
        parts.append(meeting_view(meeting, workflow, case))

    history = rules.coordinator_history(case.meetings)
    if len(history) > 1:
        lines = [f"Efter möte {n}: {terminal_safe(o.name)}" for n, o in history]
        parts.append(Panel(Text("\n".join(lines)), title="Samordnare över tid", title_align="left"))
    return Group(*parts)


def wheel_view(case: Case, workflow: Workflow) -> RenderableType:
    """Barnets bästa-hjulet at a glance: the seven areas, those in focus (●), and whether
    something works (+) or is hard (!), as noted last. Plain characters, any width."""
    meeting = case.current_meeting
    focus = set(meeting.areas + meeting.areas_discussed) if meeting else set()
    notes: dict[str, tuple[bool, bool]] = {}
    for m in case.meetings:
        for note in m.wheel_notes:
            works, hard = notes.get(note.area, (False, False))
            notes[note.area] = (bool(note.works) or works, bool(note.challenges) or hard)
    lines = Text()
    if workflow.areas_note:
        lines.append("Preliminära namn på områdena.\n", style="italic")
    for area in workflow.areas:
        works, hard = notes.get(area.id, (False, False))
        mark = "●" if area.id in focus else "○"
        flags = ("+" if works else " ") + ("!" if hard else " ")
        lines.append(f" {mark} {flags} {area.name}\n")
    lines.append("● i fokus  ○ inte i fokus  + fungerar  ! utmanande", style="dim")
    return Panel(lines, title="Barnets bästa-hjulet", title_align="left")


def consent_flags(case: Case, today: date) -> list[str]:
    return [flag.text for flag in scope_flags(case, today)]


class ConsentSummary(BaseModel):
    """The documented JSON shape of `consent ID --json`."""

    case_id: str
    own_organisation: OrganisationRef | None
    required: list[list[str]]
    """Who must consent: each inner list is satisfied by any one of its givers."""
    consents: list[Consent]
    withdrawals: list[ConsentWithdrawal]
    complete: bool
    maturity_to_judge: bool = False
    """The young person's age and maturity are still to be judged (e.g. after the birth year
    was raised): their own consent is required until then."""
    scope: list[OrganisationRef]
    """The organisations the consent covers on the day (the own organisation first)."""
    flags: list[str]
    """What is recorded outside the scope and must be seen to."""

    @classmethod
    def of(cls, case: Case, today: date) -> ConsentSummary:
        scope = ConsentScope.of(case, today)
        return cls(
            case_id=case.id,
            own_organisation=case.own_organisation,
            required=[list(group) for group in scope.required],
            consents=case.consents,
            withdrawals=case.withdrawals,
            complete=scope.complete(),
            maturity_to_judge=scope.maturity_to_judge,
            scope=scope.organisations(),
            flags=consent_flags(case, today),
        )


class PurgedCase(BaseModel):
    """One row of `purge`; the documented JSON shape of `purge --json`. No child's name: the
    output may be kept as a record of the gallring, and must not keep what it deleted."""

    id: str
    status: CaseStatus
    status_text: str
    closed_on: date | None
    updated: datetime

    @classmethod
    def of(cls, case: Case) -> PurgedCase:
        return cls(
            id=case.id,
            status=case.status,
            status_text=STATUS_LABELS[case.status],
            closed_on=case.closed.on if case.closed else None,
            updated=case.updated,
        )


PURGED_CASES = TypeAdapter(list[PurgedCase])


def purge_table(rows: list[PurgedCase], title: str) -> Table:
    table = Table("Id", "Status", "Avslutat", "Senast ändrad", title=title)
    for row in rows:
        table.add_row(
            row.id, row.status_text, row.closed_on.isoformat() if row.closed_on else "–",
            row.updated.strftime("%Y-%m-%d %H:%M"),
        )  # fmt: skip
    return table


PLAN_ACTIONS = TypeAdapter(list[PlanAction])


def plan_table(meeting: Meeting, workflow: Workflow) -> Table:
    table = Table("Nr", "Vad", "Ansvarig", "Person", "Senast", "Status",
                  title=f"Barnets plan, möte {meeting.number}", title_justify="left")  # fmt: skip
    for number, a in enumerate(meeting.actions, 1):
        table.add_row(
            str(number), safe_text(a.what), safe_text(a.organisation.name), safe_text(a.person),
            swedish_date(a.due), workflow.label("atgarder", "status", a.status),
        )  # fmt: skip
    return table


JOURNAL_ENTRIES = TypeAdapter(list[JournalEntry])
"""The documented JSON shape of `log ID --json`: the case file's own journal entries."""


def journal_table(case: Case) -> RenderableType:
    """Who did what to a case, when, through which command, and which fields or steps."""
    if not case.journal:
        return Text(f"Ärendet {case.id} har ingen journal.")
    table = Table("Tid", "Användare", "Kommando", "Händelse", "Fält",
                  title=f"Journal för ärende {case.id}", title_justify="left")  # fmt: skip
    for entry in case.journal:
        table.add_row(
            entry.at.strftime("%Y-%m-%d %H:%M"), safe_text(entry.user), safe_text(entry.command),
            safe_text(entry.text), safe_text(", ".join(entry.fields) or None),
        )  # fmt: skip
    return table
