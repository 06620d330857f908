"""The invitation letters as an export: one per invitee the consent covers, as plain data for
their templates (Markdown, text) and the PDF, and rendered as Markdown or text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope, consent_givers
from kronobarn_cli.domain.meeting import Inviter
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render.templating import Format, render
from kronobarn_cli.render.wording import (
    child_text,
    interpreter_text,
    meeting_time_text,
    with_person,
)
from kronobarn_cli.support.text import folded, join_swedish


def _matches(org: OrganisationRef, wanted: str) -> bool:
    return folded(wanted) in (folded(org.id), folded(org.name))


def invitations(
    case: Case,
    workflow: Workflow,
    fmt: Format,
    organisation: str | None = None,
    templates: Path | None = None,
    *,
    today: date | None = None,
) -> str:
    """The letter Samverkansmöte enligt Kronobarnsmodellen, one per invitee within the consent."""
    context = invitation_context(case, workflow, organisation, today=today)
    return render("invitation", fmt, templates, **context)


def invitation_context(
    case: Case,
    workflow: Workflow,
    organisation: str | None = None,
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """What the invitation letters say, as plain data: the same for Markdown, text and PDF."""
    meeting = next((m for m in reversed(case.meetings) if m.invitees), None)
    if meeting is None:
        raise KronobarnError(f"Ärendet {case.id} har inga inbjudna ännu.")
    invitees = [
        i
        for i in meeting.invitees
        if organisation is None or _matches(i.organisation, organisation)
    ]
    if not invitees:
        raise KronobarnError(
            f"Ingen inbjuden verksamhet i ärendet {case.id} heter '{organisation}'."
        )
    # A letter shares the child's name: only with those the consent covers today.
    scope = ConsentScope.of(case, today or date.today())
    outside = [i.organisation.name for i in invitees if not scope.covers(i.organisation)]
    invitees = [i for i in invitees if scope.covers(i.organisation)]
    if not invitees:
        raise KronobarnError(
            f"Samtycket omfattar inte {join_swedish(outside)}; ingen inbjudan skrivs."
        )
    inviter = meeting.inviter
    letters = [{"to": with_person(i.organisation.name, i.person)} for i in invitees]
    return {
        "case_id": case.id,
        "meeting": meeting.number,
        "child": child_text(case),
        "letters": letters,
        "when": meeting_time_text(meeting),
        "digital": meeting.form == "digitalt",
        "place": meeting.place or "–",
        "areas": workflow.area_names(meeting.areas),
        "inviter_name": inviter.name if inviter else "–",
        "inviter_organisation": inviter.organisation.name if inviter else "–",
        "inviter_from": _sender(inviter) if inviter else "–",
        "inviter_contact": inviter.contact if inviter else "–",
        "consent_givers": consent_givers(scope),
        "interpreter": interpreter_text(meeting),
    }


def _sender(inviter: Inviter) -> str:
    """`Anna Lindqvist, Skola`; with a role and unit typed, the organisation in brackets:
    `Anna Lindqvist, kurator, Centralskolan (Skola)`."""
    name, organisation = inviter.name, inviter.organisation.name
    return f"{name} ({organisation})" if "," in name else f"{name}, {organisation}"
