"""One meeting in `show`: when and where, the invitations, the meeting itself, the plan and its
copies, and what comes next (rich renderables)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import meeting_record, rules
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.render.view_parts import (
    area_names,
    facts,
    org_names,
    safe_text,
    view_text,
    yes_no,
)
from kronobarn_cli.render.wording import (
    evaluation_text,
    family_text,
    interpreter_text,
    participation_text,
)
from kronobarn_cli.support.text import swedish_date


def meeting_view(meeting: Meeting, workflow: Workflow, case: Case | None = None) -> RenderableType:
    """One meeting in `show`: when and where, the invitations, the meeting, the plan, what
    comes next."""
    parts: list[RenderableType] = [facts(_meeting_facts(meeting, workflow, case))]
    parts += _before_the_meeting(meeting, workflow)
    parts += _at_the_meeting(meeting, workflow)
    parts += _plan_and_copies(meeting, workflow)
    follow: list[tuple[str, Text | str]] = [
        ("Samordnare", safe_text(meeting.coordinator.name if meeting.coordinator else None)),
        ("Nästa möte", safe_text(meeting.next_meeting_text)),
        ("Deltar i nästa möte", org_names(meeting.next_participants)),
        ("Ytterligare parter", org_names(meeting.further_parties)),
    ]
    parts.append(facts(follow))
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
        ("Lokal/länk", safe_text(meeting.place)),
        ("Områden", area_names(workflow, meeting.areas)),
    ]
    if meeting.guardians_present is not None and case is not None:
        rows.append(("Familjen deltog", safe_text(family_text(meeting, case))))
    if meeting.interpreter is not None:
        rows.append(("Tolk", safe_text(interpreter_text(meeting))))
    for note in meeting.wheel_notes:
        area = workflow.area(note.area)
        said = "; ".join(
            f"{label} – {text}"
            for label, text in (("fungerar", note.works), ("utmanande", note.challenges))
            if text
        )
        when = "inför mötet" if note.stage == "infor" else "vid mötet"
        rows.append((f"{area.name if area else note.area} ({when})", safe_text(said)))
    return rows


def _before_the_meeting(meeting: Meeting, workflow: Workflow) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if meeting.invitees:
        table = Table(
            "Inbjuden", "Person", "Hur", "Skickad", title="Inbjudna", title_justify="left"
        )
        for i in meeting.invitees:
            table.add_row(
                safe_text(i.organisation.name),
                safe_text(i.person),
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
                safe_text(c.organisation.name),
                workflow.label("kontakter", "syfte", c.purpose),
                swedish_date(c.on),
            )
        parts.append(table)
        parts.append(
            facts(
                [
                    (
                        "Inget stöd bestämt utan familjen",
                        yes_no(meeting.no_support_agreed_beforehand),
                    )
                ]
            )
        )
    return parts


def _at_the_meeting(meeting: Meeting, workflow: Workflow) -> list[RenderableType]:
    parts: list[RenderableType] = []
    parts.append(
        facts(
            [
                ("Deltog", org_names(meeting.attendees)),
                (
                    "Överens om att delad information ska vara nödvändig, relevant och "
                    "proportionerlig",
                    yes_no(meeting.information_agreed),
                ),
                *(
                    [("Överens om i stället", safe_text(meeting.information_instead))]
                    if meeting.information_instead
                    else []
                ),
                ("Områden som togs upp", area_names(workflow, meeting.areas_discussed)),
                ("Barnets delaktighet", safe_text(participation_text(meeting, workflow))),
                ("Barnets/ungdomens egna ord", view_text(meeting.child_view)),
                ("Vårdnadshavarnas åsikter", view_text(meeting.guardian_view)),
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
                safe_text(what),
                safe_text(a.organisation.name),
                safe_text(a.person),
                swedish_date(a.due),
                area.name if area else a.area,
                safe_text(
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
                safe_text(copy.organisation.name),
                workflow.label("kopior", "satt", copy.method),
                meeting_record.copy_received_words(copy),
            )
        parts.append(table)
    return parts
