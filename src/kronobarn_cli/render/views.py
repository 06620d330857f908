"""Readable renderings of a case (rich renderables; printing is left to the caller)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel, TypeAdapter
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.checklists.vocabulary import CaseStatus
from kronobarn_cli.domain import meeting_record, rules
from kronobarn_cli.domain.case import (
    STATUS_LABELS,
    Case,
    Consent,
    ConsentWithdrawal,
    JournalEntry,
)
from kronobarn_cli.domain.consent import ConsentScope, giver_word, scope_flags, status_on
from kronobarn_cli.domain.meeting import Meeting, PlanAction, View
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.support.text import join_swedish, swedish_date, terminal_safe


def _t(value: str | None) -> Text:
    return Text(terminal_safe(value or "–"))


def _names(orgs: Iterable[OrganisationRef]) -> Text:
    return _t(", ".join(o.name for o in orgs) or None)


def _facts(rows: list[tuple[str, Text | str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else _t(value))
    return table


def _area_names(workflow: Workflow, ids: list[str]) -> Text:
    return _t(", ".join(workflow.area_names(ids)) or None)


def _view_text(view: View | None) -> Text:
    if view is None:
        return _t(None)
    if not view.expressed:
        return Text("Inga åsikter uttrycktes.", style="italic")
    return _t(view.text)


def _yes_no(value: bool | None) -> str:
    return "–" if value is None else ("ja" if value else "nej")


def consent_view(case: Case, workflow: Workflow, today: date) -> RenderableType:
    """Every consent and withdrawal, whose consent is required, and what it all allows today."""
    scope = ConsentScope.of(case, today)
    parts: list[RenderableType] = []
    if case.consents:
        table = Table("Vem", "Form", "Lämnat", "Giltigt till", "Verksamheter",
                      title="Samtycken", title_justify="left")  # fmt: skip
        for c in case.consents:
            table.add_row(
                _t(giver_word(c.giver, [c])),
                workflow.label("samtycken", "form", c.form).split(",")[0],
                swedish_date(c.given_on),
                swedish_date(c.valid_until) if c.valid_until else "tills vidare",
                _names(c.organisations),
            )
        parts.append(table)
    if case.withdrawals:
        table = Table("Vem", "Från", "Gäller", title="Återkallat", title_justify="left")
        for w in case.withdrawals:
            table.add_row(
                _t(giver_word(w.giver, case.consents)),
                swedish_date(w.on),
                _names(w.organisations) if w.organisations else Text("hela samtycket"),
            )
        parts.append(table)
    needed = join_swedish(" eller ".join(scope.word(g) for g in group) for group in scope.required)
    own = case.own_here
    rows: list[tuple[str, Text | str]] = [("Egen verksamhet", _t(own.name if own else None))]
    opener = case.own_organisation
    if opener is not None and own is not None and opener.key() != own.key():
        rows.append(("Ärendet öppnades av", _t(opener.name)))
    rows += [
        ("Samtycke krävs från", _t(needed)),
        (
            "Omfattar i dag" if today == date.today() else f"Omfattar {swedish_date(today)}",
            _names(scope.organisations()),
        ),
    ]
    if not scope.complete():
        rows.append(("Saknas", Text(terminal_safe(scope.missing_words()), style="red")))
    if scope.maturity_to_judge:
        judge = f"ungdomens ålder och mognad (kronobarn resume {case.id})"
        rows.append(("Att bedöma", Text(judge, style="red")))
    parts.append(_facts(rows))
    for line in rules.consent_lines(case.consents):
        parts.append(Text("Dokumentation: ", style="bold") + _t(line))
    for flag in scope_flags(case, today):
        parts.append(Text("Att se över: ", style="bold red") + _t(flag.text))
    return Group(*parts)


def case_view(case: Case, workflow: Workflow, today: date | None = None) -> RenderableType:
    day = today or date.today()
    parts: list[RenderableType] = []
    child = case.child.name + (f" (född {case.child.birth_year})" if case.child.birth_year else "")
    header: list[tuple[str, Text | str]] = [
        ("Barn", _t(child)),
        ("Status", STATUS_LABELS[status_on(case, day)]),
        ("Skapat", case.created.strftime("%Y-%m-%d %H:%M")),
        ("Senast ändrat", case.updated.strftime("%Y-%m-%d %H:%M")),
    ]
    if case.closed is not None:
        header.append(("Avslutat", swedish_date(case.closed.on)))
        header.append(("Anledning", _t(case.closed.reason)))
    for earlier in case.earlier_closures:
        when = f"{swedish_date(earlier.on)}, öppnat igen {swedish_date(earlier.reopened_on)}: "
        header.append(("Avslutat tidigare", Text(when) + _t(earlier.reason)))
    for record in case.handovers:
        when = f"{swedish_date(record.on.date())} kl. {record.on.strftime('%H:%M')}"
        header.append(("Överlämnat", _t(f"{when} {record.words()}")))
    if case.handed_over is not None:
        header.append(
            ("Samordnas nu av", _t(f"{case.handed_over.to.name} (din kopia kan bara läsas)"))
        )
    parts.append(Panel(_facts(header), title=f"Ärende {case.id}", title_align="left"))

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
            ("Uppmärksammat", _t(case.decision.noticed)),
            ("Beslut", outcome),
        ]
        if case.decision.reason:
            rows.append(("Motivering", _t(case.decision.reason)))
        if case.decision.referral is not None:
            rows.append(("Hänvisning", _t(rules.referral_line(case.decision.referral))))
        parts.append(Panel(_facts(rows), title="Finns behov av samverkan?", title_align="left"))

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


def interpreter_text(meeting: Meeting) -> str:
    interpreter = meeting.interpreter
    if interpreter is None:
        return ""
    booked = f", bokas av {interpreter.booked_by.name}" if interpreter.booked_by else ""
    return f"{interpreter.language}{booked}"


def family_text(meeting: Meeting, case: Case) -> str:
    """Who of the family took part, as recorded: `barnet/ungdomen och vårdnadshavare 1
    (mamma)`. The child where it took part in the meeting (or nothing says otherwise); the
    guardians one by one where two have custody and it was asked."""
    scope = ConsentScope.of(case, date.today())
    present = meeting.guardians_present
    if present is None:
        guardians = "vårdnadshavaren" if case.guardians == 1 else "vårdnadshavarna"
        if case.guardians == 1:
            guardians = scope.word("vardnadshavare-1")
    elif not present:
        guardians = "ingen av vårdnadshavarna"
    else:
        guardians = join_swedish(giver_word(g, case.consents) for g in present)
    if meeting.child_participation in (None, "narvarande"):
        return f"barnet/ungdomen och {guardians}"
    return guardians


def participation_text(meeting: Meeting, workflow: Workflow) -> str:
    """How the child took part: `Hördes före mötet (av skolkuratorn)`."""
    if meeting.child_participation is None:
        return ""
    label = workflow.label("barnets-delaktighet", None, meeting.child_participation)
    note = meeting.child_participation_note
    return f"{label} ({note})" if note else label


def evaluation_text(action: PlanAction, workflow: Workflow, *, inline: bool = False) -> str:
    """How the action has gone, and the comment as typed; `inline` lowercases the label alone
    (it follows other words), never the comment."""
    if action.evaluation is None:
        return ""
    label = workflow.label("atgarder", "utfall", action.evaluation)
    if inline:
        label = label.lower()
    return f"{label}: {action.evaluation_comment}" if action.evaluation_comment else label


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


def meeting_view(meeting: Meeting, workflow: Workflow, case: Case | None = None) -> RenderableType:
    """One meeting in `show`: when and where, the invitations, the meeting, the plan, what
    comes next."""
    parts: list[RenderableType] = [_facts(_meeting_facts(meeting, workflow, case))]
    parts += _before_the_meeting(meeting, workflow)
    parts += _at_the_meeting(meeting, workflow)
    parts += _plan_and_copies(meeting, workflow)
    follow: list[tuple[str, Text | str]] = [
        ("Samordnare", _t(meeting.coordinator.name if meeting.coordinator else None)),
        ("Nästa möte", _t(meeting.next_meeting_text)),
        ("Deltar i nästa möte", _names(meeting.next_participants)),
        ("Ytterligare parter", _names(meeting.further_parties)),
    ]
    parts.append(_facts(follow))
    status = "" if meeting.finished else " (pågår)"
    return Panel(Group(*parts), title=f"Möte {meeting.number}{status}", title_align="left")


def _meeting_facts(
    meeting: Meeting, workflow: Workflow, case: Case | None
) -> list[tuple[str, Text | str]]:
    when = swedish_date(meeting.held_on) if meeting.held_on else "–"
    if meeting.starts_at:
        when += f" kl. {meeting.starts_at}"
    form = workflow.label("mote-form", None, meeting.form) if meeting.form else "–"
    rows: list[tuple[str, Text | str]] = [
        ("Datum", when),
        ("Form", form),
        ("Lokal/länk", _t(meeting.place)),
        ("Områden", _area_names(workflow, meeting.areas)),
    ]
    if meeting.guardians_present is not None and case is not None:
        rows.append(("Familjen deltog", _t(family_text(meeting, case))))
    if meeting.interpreter is not None:
        rows.append(("Tolk", _t(interpreter_text(meeting))))
    for note in meeting.wheel_notes:
        area = workflow.area(note.area)
        said = "; ".join(
            f"{label} – {text}"
            for label, text in (("fungerar", note.works), ("utmanande", note.challenges))
            if text
        )
        when = "inför mötet" if note.stage == "infor" else "vid mötet"
        rows.append((f"{area.name if area else note.area} ({when})", _t(said)))
    return rows


def _before_the_meeting(meeting: Meeting, workflow: Workflow) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if meeting.invitees:
        table = Table(
            "Inbjuden", "Person", "Hur", "Skickad", title="Inbjudna", title_justify="left"
        )
        for i in meeting.invitees:
            table.add_row(
                _t(i.organisation.name),
                _t(i.person),
                workflow.label("inbjudna", "satt", i.method)
                + (
                    f", {workflow.label('inbjudna', 'brev', i.letter_by).lower()}"
                    if i.letter_by
                    else ""
                ),
                swedish_date(i.sent_on),
            )
        parts.append(table)
    if meeting.pre_contacts:
        table = Table(
            "Verksamhet", "Syfte", "Datum", title="Kontakt före mötet", title_justify="left"
        )
        for c in meeting.pre_contacts:
            table.add_row(
                _t(c.organisation.name),
                workflow.label("kontakter", "syfte", c.purpose),
                swedish_date(c.on),
            )
        parts.append(table)
        parts.append(
            _facts(
                [
                    (
                        "Inget stöd bestämt utan familjen",
                        _yes_no(meeting.no_support_agreed_beforehand),
                    )
                ]
            )
        )
    return parts


def _at_the_meeting(meeting: Meeting, workflow: Workflow) -> list[RenderableType]:
    parts: list[RenderableType] = []
    parts.append(
        _facts(
            [
                ("Deltog", _names(meeting.attendees)),
                (
                    "Överens om att delad information ska vara nödvändig, relevant och "
                    "proportionerlig",
                    _yes_no(meeting.information_agreed),
                ),
                *(
                    [("Överens om i stället", _t(meeting.information_instead))]
                    if meeting.information_instead
                    else []
                ),
                ("Områden som togs upp", _area_names(workflow, meeting.areas_discussed)),
                ("Barnets delaktighet", _t(participation_text(meeting, workflow))),
                ("Barnets/ungdomens egna ord", _view_text(meeting.child_view)),
                ("Vårdnadshavarnas åsikter", _view_text(meeting.guardian_view)),
            ]
        )
    )
    return parts


def _plan_and_copies(meeting: Meeting, workflow: Workflow) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if meeting.actions:
        table = Table("Vad", "Ansvarig", "Person", "Senast", "Område", "Status",
                      title="Barnets plan", title_justify="left")  # fmt: skip
        for a in meeting.actions:
            area = workflow.area(a.area)
            what = a.what + (f" (mål: {a.goal})" if a.goal else "")
            table.add_row(
                _t(what),
                _t(a.organisation.name),
                _t(a.person),
                swedish_date(a.due),
                area.name if area else a.area,
                _t(
                    workflow.label("atgarder", "status", a.status)
                    + (f" ({evaluation_text(a, workflow, inline=True)})" if a.evaluation else "")
                ),
            )
        parts.append(table)
        parts.append(Text(rules.PLAN_NOTE, style="italic"))
    if meeting.copies:
        table = Table("Part", "Får kopian", "Har fått den", title="Kopior av Barnets plan",
                      title_justify="left")  # fmt: skip
        for copy in meeting.copies:
            table.add_row(
                _t(copy.organisation.name),
                workflow.label("kopior", "satt", copy.method),
                meeting_record.copy_received_words(copy),
            )
        parts.append(table)
    return parts


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
            str(number), _t(a.what), _t(a.organisation.name), _t(a.person),
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
            entry.at.strftime("%Y-%m-%d %H:%M"), _t(entry.user), _t(entry.command),
            _t(entry.text), _t(", ".join(entry.fields) or None),
        )  # fmt: skip
    return table
