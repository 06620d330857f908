"""The calendar file as an export: an iCalendar event for the coming meeting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render.templating import plain_text
from kronobarn_cli.render.wording import child_text
from kronobarn_cli.support.dates import SWEDEN, skipped_in_sweden, skipped_time_refusal
from kronobarn_cli.support.text import join_swedish, public_place

_SWEDEN = ZoneInfo(SWEDEN)


def _calendar_description(
    case: Case, latest: Meeting, number: int, with_details: bool, today: date | None
) -> list[str]:
    """The event's text: the case and meeting, and with details the child and the parties."""
    description = [f"Samverkansmöte enligt Kronobarnsmodellen. Ärende {case.id}, möte {number}."]
    if with_details:
        description.append(f"Barn: {plain_text(child_text(case))}")
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
        if skipped_in_sweden(day, start):  # a file's time that no clock shows that day
            raise KronobarnError(f"Ärendet {case.id}: {skipped_time_refusal(day, start)}")
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
