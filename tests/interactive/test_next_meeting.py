"""Meetings as people say them: a time after any date, the next meeting's time and place in the
date answer, and where they go (plan, reminder, calendar, the follow-up's defaults)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import icalendar
import pytest
from rich.console import Console

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import engine
from kronobarn_cli.domain import reminders as remind
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, KronobarnError
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.render import export
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import fixed_clock, new_walk
from ..keys import line, typed
from ..scenario import (
    COORDINATION,
    GUARDIAN_ORAL,
    GUARDIANS,
    INVITATION,
    MEETING,
    PLAN,
    activate_need,
    answer_all,
    invitee,
)

pytestmark = pytest.mark.timeout(30)

AGREED = "2027-02-01 kl 13, Centralskolan rum 3"


def _agreed_case(workflow: Workflow, store: CaseStore, next_meeting: str = AGREED) -> Walk:
    walk = new_walk(workflow, store)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    coordination = [(s, next_meeting if s == "nasta-mote" else v) for s, v in COORDINATION]
    answer_all(walk, INVITATION + MEETING + PLAN + coordination)
    return walk


def test_the_next_meetings_time_and_place_come_with_its_date(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = _agreed_case(workflow, store)
    [meeting] = walk.case.meetings
    assert meeting.finished
    assert (meeting.next_meeting, meeting.next_starts_at, meeting.next_place) == (
        date(2027, 2, 1),
        "13:00",
        "Centralskolan rum 3",
    )
    assert meeting.next_meeting_text == "1 februari 2027 kl. 13:00, Centralskolan rum 3"


def test_without_time_or_place_nothing_more_is_asked(workflow: Workflow, store: CaseStore) -> None:
    walk = new_walk(workflow, store)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    answer_all(walk, INVITATION + MEETING + PLAN + COORDINATION[:2])
    # The time and place were never asked: the walk goes on to the next meeting's parties.
    step = walk.position().step
    while step is not None and walk.automatic(step) is not None:
        walk.answer(step.id, walk.automatic(step))
        step = walk.position().step
    assert step is not None and step.id == "nasta-deltagare"
    flat = engine.flatten(walk.answers())
    assert flat["nasta-tid"] is None and flat["nasta-plats"] == ""


def test_a_place_alone_is_kept_without_a_time(workflow: Workflow, store: CaseStore) -> None:
    walk = _agreed_case(workflow, store, "2027-02-01, Teams-länk i kallelsen")
    [meeting] = walk.case.meetings
    assert (meeting.next_starts_at, meeting.next_place) == (None, "Teams-länk i kallelsen")


def test_the_agreed_time_and_place_reach_plan_reminder_and_calendar(
    workflow: Workflow, store: CaseStore
) -> None:
    case = _agreed_case(workflow, store).case
    for kind in ("markdown", "text"):
        assert "1 februari 2027 kl. 13:00, Centralskolan rum 3" in export.plan(case, workflow, kind)
    texts = [c.text for c in remind.candidates(case, date(2027, 1, 20))]
    assert "Nästa samverkansmöte den 1 februari 2027 kl. 13:00, Centralskolan rum 3." in texts
    [event] = icalendar.Calendar.from_ical(export.calendar(case)).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 2, 1, 12, 0, tzinfo=UTC)  # 13:00 CET
    assert str(event["LOCATION"]) == "Centralskolan rum 3"


def test_the_calendar_time_carries_its_zone_in_summer_too(
    workflow: Workflow, store: CaseStore
) -> None:
    case = _agreed_case(workflow, store, "2027-06-01 kl 9.30").case
    [event] = icalendar.Calendar.from_ical(export.calendar(case)).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 6, 1, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert "DTSTART:20270601T073000Z" in export.calendar(case).decode()


def test_a_home_address_stays_out_of_the_calendar_without_details(
    workflow: Workflow, store: CaseStore
) -> None:
    case = _agreed_case(workflow, store, "2027-02-01 kl 13, hemma hos familjen, Storgatan 4").case
    [event] = icalendar.Calendar.from_ical(export.calendar(case)).walk("VEVENT")
    assert "LOCATION" not in event
    [event] = icalendar.Calendar.from_ical(export.calendar(case, with_details=True)).walk("VEVENT")
    assert "Storgatan 4" in str(event["LOCATION"])


def test_the_own_organisation_is_among_the_calendars_participants(
    workflow: Workflow, store: CaseStore
) -> None:
    """Only Socialtjänst is invited; the school that invites takes part all the same."""
    now = fixed_clock()
    case = Case(
        id="k3m9qb",
        created=now,
        updated=now,
        child=Child(name="A. B.", birth_year=2016),
        own_organisation=OrganisationRef(id="skola", name="Skola"),
    )
    store.save(case)
    walk = Walk(workflow, store, case, clock=fixed_clock)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    only_soc = [invitee("socialtjanst", satt="blankett", brev="mejl")]
    answer_all(walk, [(s, only_soc if s == "inbjudna" else v) for s, v in INVITATION])
    data = export.calendar(walk.case, with_details=True, today=date(2026, 12, 1))
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert "Deltar: Skola, Socialtjänst" in str(event["DESCRIPTION"])


def test_a_follow_up_starts_from_the_agreed_time_place_and_areas(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = _agreed_case(workflow, store)
    walk.clock = lambda: datetime(2027, 1, 25, 10, tzinfo=UTC)
    walk.start_follow_up()
    assert walk.default_for(workflow.step("mote-datum")) == "2027-02-01"
    assert walk.default_for(workflow.step("mote-tid")) == "13:00"
    assert walk.default_for(workflow.step("mote-plats")) == "Centralskolan rum 3"
    # The areas the last meeting took up, not those of the first invitation.
    assert walk.default_for(workflow.step("omraden")) == ["trygg"]


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(
    ("typed_date", "time"),
    [("om 2 veckor kl 13", "13:00"), ("20 dec 9.30", "09:30"), ("2026-12-20 kl. 13:00", "13:00")],
)
def test_a_time_after_the_meeting_date_is_not_asked_again(
    workflow: Workflow, store: CaseStore, typed_date: str, time: str
) -> None:
    """Section 3 through the real prompts: the date answer with a time answers the time."""
    walk = new_walk(workflow, store)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL]), INVITATION[0]])
    sink = _Sink()
    prompter = Prompter(Console(width=100, highlight=False, color_system=None, file=sink))
    with pytest.raises(EOFError), typed(line(typed_date)):
        prompter.walk(walk)
    flat: dict[str, Any] = engine.flatten(walk.answers())
    assert flat["mote-tid"] == time
    assert "Vilken tid börjar mötet?" not in sink.text
    assert f"kl. {time}" in sink.text


def test_a_time_the_clocks_skip_for_summer_time_is_refused_not_moved(
    workflow: Workflow, store: CaseStore
) -> None:
    """02:30 on the last Sunday of March is no time on a Swedish clock: asked again, not made
    03:30 in the calendar; a file holding it gets a one-line error from the calendar export."""
    refusal = "Klockan 02:30 finns inte den 28 mars 2027: klockan ställs då fram en timme"
    with pytest.raises(AnswerError, match=refusal):
        _agreed_case(workflow, store, "2027-03-28 kl 2.30")
    case = _agreed_case(workflow, store, "2027-03-28 kl 3.30").case
    [event] = icalendar.Calendar.from_ical(export.calendar(case)).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    case.meetings[-1].next_starts_at = "02:30"  # as an edited file may hold it
    with pytest.raises(KronobarnError, match=f"Ärendet {case.id}: {refusal}"):
        export.calendar(case)
    # The hour that comes twice in October is a time on the clock: the first of the two.
    case.meetings[-1].next_meeting, case.meetings[-1].next_starts_at = date(2027, 10, 31), "02:30"
    [event] = icalendar.Calendar.from_ical(export.calendar(case)).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST
