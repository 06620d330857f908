"""Barnets plan as an export: what it says, as plain data for its templates (Markdown, text) and
the PDF, and the plan rendered as Markdown or text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import meeting_record, rules
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import scope_flags
from kronobarn_cli.domain.meeting import Meeting, PlanAction, View
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render.templating import Format, render
from kronobarn_cli.render.wording import (
    child_text,
    evaluation_text,
    family_text,
    interpreter_text,
    meeting_time_text,
    participation_text,
    with_person,
)
from kronobarn_cli.support.text import swedish_date


def _view(view: View | None) -> str:
    if view is None:
        return "Inte tillfrågad"
    if not view.expressed:
        return "Har inte uttryckt några åsikter."
    return view.text or ""


def _place(meeting: Meeting, workflow: Workflow) -> str:
    form = workflow.label("mote-form", None, meeting.form) if meeting.form else ""
    form = form.split(" (")[0]
    return ", ".join(p for p in (form, meeting.place or "") if p) or "–"


def plan_meeting(case: Case, number: int | None) -> Meeting:
    """The meeting whose plan to export: the given one, else the latest that has a plan."""
    if number is not None:
        found = next((m for m in case.meetings if m.number == number), None)
        if found is None:
            raise KronobarnError(f"Ärendet {case.id} har inget möte {number}.")
        if not found.actions:
            raise KronobarnError(f"Möte {number} i ärendet {case.id} har ingen Barnets plan ännu.")
        return found
    with_plan = [m for m in case.meetings if m.actions]
    if not with_plan:
        raise KronobarnError(f"Ärendet {case.id} har ingen Barnets plan ännu.")
    return with_plan[-1]


def plan_context(
    case: Case,
    workflow: Workflow,
    meeting_number: int | None = None,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """What Barnets plan says, as plain data: the same for Markdown, text and PDF."""
    meeting = plan_meeting(case, meeting_number)
    people = {i.organisation.key(): i.person for i in meeting.invitees if i.person}
    latest = case.current_meeting
    # What lies outside the consent today concerns the plan being carried forward.
    flags = (
        scope_flags(case, today or date.today())
        if latest is not None
        and meeting.number >= max(m.number for m in case.meetings if m.actions)
        else []
    )
    wheel = _wheel(case, meeting, workflow)
    return {
        "case_id": case.id,
        "child": child_text(case),
        "meeting": meeting.number,
        "when": meeting_time_text(meeting),
        "place": _place(meeting, workflow),
        "family": family_text(meeting, case),
        "participants": [with_person(o.name, people.get(o.key())) for o in meeting.attendees],
        "areas": workflow.area_names(meeting.areas_discussed or meeting.areas),
        "child_view": _view(meeting.child_view),
        "child_participation": participation_text(meeting, workflow),
        "guardian_view": _view(meeting.guardian_view),
        "interpreter": interpreter_text(meeting),
        "wheel": wheel,
        "focus_areas": [w["area"] for w in wheel if w["focus"] == "ja"],
        # Only what this meeting worked with: the areas in focus and any area with notes.
        "wheel_shown": [w for w in wheel if w["focus"] == "ja" or w["noted"]],
        "noted_areas": [w for w in wheel if w["noted"]],
        "actions": [
            {
                "what": a.what,
                "goal": a.goal or "",
                "organisation": a.organisation.name,
                "person": a.person or "",
                "responsible": with_person(a.organisation.name, a.person),
                "due": swedish_date(a.due),
                "area": workflow.area_names([a.area])[0],
                "status": workflow.label("atgarder", "status", a.status),
                "history": _history(case, meeting, a, workflow),
            }
            for a in meeting.actions
        ],
        "coordinator": meeting.coordinator.name if meeting.coordinator else "–",
        "contact": coordinator_contact(case, meeting, workflow),
        "next_meeting": meeting.next_meeting_text or "–",
        # Apart, for a layout that prints them on lines of their own (the PDF).
        "next_date": swedish_date(meeting.next_meeting) if meeting.next_meeting else "–",
        "next_time": meeting.next_starts_at or "",
        "next_place": meeting.next_place or "",
        "next_participants": [o.name for o in meeting.next_participants],
        "copies": [
            {
                "organisation": c.organisation.name,
                "method": workflow.label("kopior", "satt", c.method),
                "received": meeting_record.copy_received_words(c),
            }
            for c in meeting.copies
        ],
        "note": rules.PLAN_NOTE,
        "consent_notes": [f.public for f in flags],
    }


def plan(
    case: Case,
    workflow: Workflow,
    fmt: Format,
    meeting_number: int | None = None,
    templates: Path | None = None,
    *,
    today: date | None = None,
) -> str:
    return render(
        "plan", fmt, templates, **plan_context(case, workflow, meeting_number, today=today)
    )


def coordinator_contact(case: Case, meeting: Meeting, workflow: Workflow) -> dict[str, str]:
    """Whom the family calls: the coordinator's organisation, the person and how to reach them.

    The person and their contact come from whoever invited for that organisation (section 3 of
    this meeting or of the follow-up after it); else the organisation's contact routes in the
    directory. Empty strings where nothing is recorded."""
    coordinator = meeting.coordinator
    if coordinator is None:
        return {"organisation": "", "name": "", "contact": ""}
    inviters = [
        m.inviter
        for m in reversed(case.meetings)
        if m.number >= meeting.number and m.inviter is not None
    ]
    inviters += [m.inviter for m in reversed(case.meetings) if m.inviter is not None]
    for inviter in inviters:
        if inviter is not None and inviter.organisation.key() == coordinator.key():
            return {
                "organisation": coordinator.name,
                "name": inviter.name,
                "contact": inviter.contact,
            }
    listed = workflow.organisation(coordinator.id)
    routes = listed.contact if listed is not None else None
    contact = ", ".join(p for p in (routes.phone, routes.email) if p) if routes else ""
    return {"organisation": coordinator.name, "name": "", "contact": contact}


def _wheel(case: Case, meeting: Meeting, workflow: Workflow) -> list[dict[str, Any]]:
    """The wheel as a table: every area, whether in focus, and what this meeting noted
    (before it and at it, each said so)."""
    focus = set(meeting.areas + meeting.areas_discussed)
    notes: dict[str, tuple[str, str]] = {}
    for note in meeting.wheel_notes:
        when = "inför mötet" if note.stage == "infor" else "vid mötet"
        works, hard = notes.get(note.area, ("", ""))
        notes[note.area] = (
            "; ".join(p for p in (works, f"{when}: {note.works}" if note.works else "") if p),
            "; ".join(
                p for p in (hard, f"{when}: {note.challenges}" if note.challenges else "") if p
            ),
        )
    return [
        {
            "area": area.name,
            "focus": "ja" if area.id in focus else "–",
            "works": notes.get(area.id, ("", ""))[0] or "–",
            "challenges": notes.get(area.id, ("", ""))[1] or "–",
            "noted": area.id in notes,
        }
        for area in workflow.areas
    ]


def _history(case: Case, meeting: Meeting, action: PlanAction, workflow: Workflow) -> str:
    """The action across meetings: `möte 1: planerad; möte 2: pågående, har hjälpt delvis`."""
    steps = []
    for m in case.meetings:
        if m.number > meeting.number:
            break
        same = next(
            (a for a in m.actions if a.what == action.what
             and a.organisation.key() == action.organisation.key()),
            None,
        )  # fmt: skip
        if same is not None:
            label = workflow.label("atgarder", "status", same.status).lower()
            evaluation = evaluation_text(same, workflow, inline=True)
            steps.append(f"möte {m.number}: {label}" + (f", {evaluation}" if evaluation else ""))
    return "; ".join(steps) if len(steps) > 1 else ""
