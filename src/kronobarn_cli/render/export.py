"""Exports: Barnets plan and invitation letters (Markdown, plain text), the consent note, iCalendar.

Wording and layout live in templates (`templates/*.j2`, or a county's own directory); this module
prepares the data. Every value a template prints is escaped for its format unless a filter has
already done so, so text a user typed can never become Markdown syntax or break a table. Templates
are rendered in a sandbox with bounded work (`sandbox.py`): a county's template is untrusted code.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import icalendar
from jinja2 import BaseLoader, ChoiceLoader, PackageLoader, StrictUndefined

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import meeting_record, rules
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope, consent_givers, scope_flags
from kronobarn_cli.domain.meeting import (
    Inviter,
    Meeting,
    PlanAction,
    View,
)
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render import sandbox
from kronobarn_cli.render.views import (
    evaluation_text,
    family_text,
    interpreter_text,
    participation_text,
)
from kronobarn_cli.support.text import (
    drop_control_characters,
    folded,
    join_swedish,
    public_place,
    swedish_date,
)

Format = Literal["markdown", "text"]
TEXT_WIDTH = 80

_MD_ALWAYS = re.compile(r"([\\`*_\[\]|<>&~!])")
_MD_LINE_START = re.compile(r"^(\s*)([#=+>-]|\d+[.)])")


class Escaped(str):
    """Text already made safe for the output format."""

    __slots__ = ()


def _clean(value: str) -> str:
    return drop_control_characters(value.replace("\r\n", "\n"), keep_newlines=True)


def markdown_text(value: str) -> str:
    """User text as CommonMark inline content: syntax escaped, line breaks kept as hard breaks."""
    lines = []
    for raw in _clean(value).split("\n"):
        line = _MD_ALWAYS.sub(r"\\\1", raw.strip())
        lines.append(_MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "\\\n".join(line for line in lines if line)


def markdown_cell(value: str) -> Escaped:
    """User text for a GFM table cell: one line, pipes escaped."""
    return Escaped(" ".join(markdown_text(value).replace("\\\n", " ").split()))


def plain_text(value: str) -> str:
    """User text for plain text: one line (a line break would break the layout)."""
    return " ".join(_clean(value).split())


def wrap_text(document: str, width: int = TEXT_WIDTH) -> str:
    """Wrap every long line; a `Label: value` line wraps under its value."""
    out: list[str] = []
    for line in document.split("\n"):
        if len(line) <= width:
            out.append(line.rstrip())
            continue
        indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
        label = re.match(r"\s*[^:]{1,24}:\s+", line)
        hanging = " " * len(label.group(0)) if label else indent
        out.extend(
            textwrap.wrap(
                line.strip(),
                width=width,
                initial_indent=indent,
                subsequent_indent=hanging,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def template_dir(explicit: Path | None = None) -> Path | None:
    """The county's template directory (--templates, else KRONOBARN_TEMPLATES), if one is set.

    A directory that is set but does not exist is an error: silently using the built-in
    wording would send out letters the county did not write."""
    if explicit is not None:
        chosen, source = explicit, "--templates"
    elif os.environ.get("KRONOBARN_TEMPLATES"):
        chosen, source = Path(os.environ["KRONOBARN_TEMPLATES"]), "KRONOBARN_TEMPLATES"
    else:
        return None
    if not chosen.is_dir():
        raise KronobarnError(
            f"Mallkatalogen {chosen} ({source}) finns inte eller är ingen katalog."
        )
    return chosen


def _environment(fmt: Format, custom: Path | None) -> sandbox.CountyEnvironment:
    escape: Callable[[str], str] = markdown_text if fmt == "markdown" else plain_text

    def finalize(value: Any) -> Any:
        if isinstance(value, Escaped) or not isinstance(value, str):
            return value
        return escape(value)

    loaders: list[BaseLoader] = []
    if custom is not None:
        loaders.append(sandbox.BoundedFileSystemLoader(str(custom)))
    loaders.append(PackageLoader("kronobarn_cli.render", "templates"))
    # Not HTML: `finalize` escapes every value for Markdown or plain text instead.
    env = sandbox.CountyEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["cell"] = markdown_cell
    env.bound_filters()
    return env


def _render(name: str, fmt: Format, custom: Path | None, **context: Any) -> str:
    file_name = f"{name}.{'md' if fmt == 'markdown' else 'txt'}.j2"
    try:
        document = sandbox.render(_environment(fmt, custom), file_name, context)
    except sandbox.TemplateProblem as exc:
        own = custom / file_name if custom is not None else None
        path = str(own) if own is not None and own.is_file() else file_name
        where = f"{path}:{exc.line}" if exc.line is not None else path
        raise KronobarnError(
            f"Mallen {file_name} kan inte användas ({where}): {exc.reason}"
        ) from None
    document = document.rstrip("\n")
    return (wrap_text(document) if fmt == "text" else document) + "\n"


# -- what the documents say -----------------------------------------------------------------------


def _child(case: Case) -> str:
    year = f" (född {case.child.birth_year})" if case.child.birth_year else ""
    return case.child.name + year


def _view(view: View | None) -> str:
    if view is None:
        return "Inte tillfrågad"
    if not view.expressed:
        return "Har inte uttryckt några åsikter."
    return view.text or ""


def _when(meeting: Meeting) -> str:
    if meeting.held_on is None:
        return "–"
    return swedish_date(meeting.held_on) + (
        f" kl. {meeting.starts_at}" if meeting.starts_at else ""
    )


def _place(meeting: Meeting, workflow: Workflow) -> str:
    form = workflow.label("mote-form", None, meeting.form) if meeting.form else ""
    form = form.split(" (")[0]
    return ", ".join(p for p in (form, meeting.place or "") if p) or "–"


def _with_person(organisation: str, person: str | None) -> str:
    return f"{organisation}, {person}" if person else organisation


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
        "child": _child(case),
        "meeting": meeting.number,
        "when": _when(meeting),
        "place": _place(meeting, workflow),
        "family": family_text(meeting, case),
        "participants": [_with_person(o.name, people.get(o.key())) for o in meeting.attendees],
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
                "responsible": _with_person(a.organisation.name, a.person),
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
    return _render(
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
    return _render("invitation", fmt, templates, **context)


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
    letters = [{"to": _with_person(i.organisation.name, i.person)} for i in invitees]
    return {
        "case_id": case.id,
        "meeting": meeting.number,
        "child": _child(case),
        "letters": letters,
        "when": _when(meeting),
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


def consent_note(case: Case) -> str:
    """The documentation lines for oral consent (and a referral) and for every withdrawal,
    ready to paste."""
    lines = rules.documentation_lines(case.decision, case.consents)
    lines += [rules.withdrawal_line(w, case.consents) for w in case.withdrawals]
    if not lines:
        raise KronobarnError(f"Ärendet {case.id} har inget muntligt samtycke att dokumentera.")
    return "\n".join(plain_text(line) for line in lines) + "\n"


_SWEDEN = ZoneInfo("Europe/Stockholm")


def _calendar_description(
    case: Case, latest: Meeting, number: int, with_details: bool, today: date | None
) -> list[str]:
    """The event's text: the case and meeting, and with details the child and the parties."""
    description = [f"Samverkansmöte enligt Kronobarnsmodellen. Ärende {case.id}, möte {number}."]
    if with_details:
        description.append(f"Barn: {plain_text(_child(case))}")
        coordinator = latest.coordinator if latest.finished else None
        if coordinator is not None:
            description.append(f"Samordnare: {plain_text(coordinator.name)}")
        parties = latest.next_participants if latest.finished else latest.attendees
        orgs = list(parties) or [i.organisation for i in latest.invitees]
        own = case.holder or (latest.inviter.organisation if latest.inviter else None)
        if own is not None and own.key() not in {o.key() for o in orgs}:
            orgs.insert(0, own)  # the organisation that invites takes part
        # Flagged as the plan flags them: a party the consent no longer covers is not to come.
        scope = ConsentScope.of(case, today or date.today())
        names = [o.name if scope.covers(o) else f"{o.name} (utanför samtycket)" for o in orgs]
        if names:
            description.append("Deltar: " + plain_text(", ".join(names)))
        outside = [o.name for o in orgs if not scope.covers(o)]
        if outside:
            description.append(
                f"Obs: samtycket omfattar inte {plain_text(join_swedish(outside))} i dag; "
                "de ska inte delta förrän samtycket finns."
            )
    return description


def calendar(case: Case, with_details: bool = False, *, today: date | None = None) -> bytes:
    """An iCalendar file for the coming meeting; the child is named only with details."""
    latest = case.current_meeting
    if case.status == "avslutad":
        raise KronobarnError(f"Ärendet {case.id} är avslutat och har inget kommande möte.")
    if latest is None:
        raise KronobarnError(f"Ärendet {case.id} har inget inplanerat möte.")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kronobarnsmodellen//kronobarn//SV")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    if not latest.finished and latest.held_on is not None:
        number, day = latest.number, latest.held_on
        start = latest.starts_at
        place = latest.place
    elif latest.finished and latest.next_meeting is not None:
        number, day = latest.number + 1, latest.next_meeting
        start, place = latest.next_starts_at, latest.next_place
    else:
        raise KronobarnError(f"Ärendet {case.id} har inget inplanerat möte.")
    event.add("uid", f"{case.id}-mote-{number}@kronobarn")
    # Same case, same file: the time stamp is the case's last change, not the export time.
    event.add("dtstamp", case.updated)
    event.add("summary", f"Samverkansmöte, ärende {case.id}")
    if start is not None:
        hours, minutes = (int(p) for p in start.split(":"))
        # Swedish time, written as UTC: every calendar shows it at the right hour.
        local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=_SWEDEN)
        begins = local.astimezone(UTC)
        event.add("dtstart", begins)
        event.add("dtend", begins + timedelta(hours=1, minutes=30))
    else:
        event.add("dtstart", day)
    if place and (with_details or public_place(place)):
        event.add("location", plain_text(place))
    event.add(
        "description", "\n".join(_calendar_description(case, latest, number, with_details, today))
    )
    calendar.add_component(event)
    return bytes(calendar.to_ical())
