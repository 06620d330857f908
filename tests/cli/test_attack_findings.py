"""What a hostile attack on this round's features found: an answers file's YAML timestamp, a
profile file that never ends, the family as the own organisation, a home address in the
calendar, the family's attendance in words, a calendar for a closed case."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import icalendar
import pytest
import yaml

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import reminders as remind
from kronobarn_cli.render import export
from kronobarn_cli.render.wording import family_text
from kronobarn_cli.store import profile
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.support import dates
from kronobarn_cli.support.text import has_identity_number, public_place

from ..conftest import REPO, new_walk
from ..helpers import in_process
from ..scenario import (
    COORDINATION,
    GUARDIAN_ORAL,
    INVITATION,
    MEETING,
    PLAN,
    activate_need,
    answer_all,
)


def _answers_file(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load((REPO / "examples" / "svar.yaml").read_text(encoding="utf-8"))
    data["svar"].update(changes)
    data["svar"] = {k: v for k, v in data["svar"].items() if v is not None}
    path = tmp_path / "svar.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("step", "when"),
    [("nasta-mote", datetime(2027, 4, 15, 13, 0)), ("mote-datum", datetime(2027, 2, 10, 9, 30))],
)
def test_untrusted_input_a_yaml_timestamp_is_a_date_with_its_time_never_exit_70(
    tmp_path: Path, step: str, when: datetime
) -> None:
    """`nasta-mote: 2027-04-15 13:00:00` unquoted is a YAML timestamp (a datetime)."""
    # With the time in the date, the time is not asked: the file leaves it out.
    asked_time = None if step == "mote-datum" else "09:30"
    path = _answers_file(tmp_path, **{step: when, "mote-tid": asked_time})
    assert f"{step}: {when:%Y-%m-%d %H:%M:%S}" in path.read_text(encoding="utf-8")
    run = in_process("new-case", "--answers", str(path))
    assert run.returncode == 0, run.stderr
    [case_file] = (Path(os.environ["KRONOBARN_HOME"]) / "arenden").glob("*.json")
    saved = json.loads(case_file.read_text(encoding="utf-8"))
    [meeting] = saved["meetings"]
    time = meeting["next_starts_at"] if step == "nasta-mote" else meeting["starts_at"]
    assert time == f"{when:%H:%M}"


def test_untrusted_input_a_profile_file_that_never_ends_is_refused_at_once() -> None:
    where = profile.path()
    where.parent.mkdir(parents=True)
    where.symlink_to("/dev/zero")
    with pytest.raises(profile.ProfileError, match="kan inte användas"):
        profile.load()


def test_rule2_the_family_cannot_be_the_profiles_organisation() -> None:
    run = in_process("profile", "set", "--name", "X", "--organisation", "familjen",
                     "--contact", "y")  # fmt: skip
    assert run.returncode == 1 and "Familjen" in run.stderr
    assert not profile.path().exists()


@pytest.mark.parametrize(
    "place",
    [
        "Östra Esplanaden 7, Växjö",
        "Storgatan12",
        "Storg. 12",
        "Lgh 1102, Ringväg 4",
        "hos pappa på Sandviken 3",
        "Hembesök",
        "Familjens bostad, Kvarngatan, Alvesta",
        "Stor\u00adgatan 12",
        "Stor\u200dgatan 12",
    ],
)
def test_a_place_that_may_be_a_home_is_not_public(place: str) -> None:
    assert not public_place(place)


@pytest.mark.parametrize(
    "place", ["Rum 3", "Centralskolan rum 3", "https://meet.example/abc", "Konferensrum Ekbacken"]
)
def test_a_room_or_a_link_is_public(place: str) -> None:
    assert public_place(place)


def test_a_home_address_stays_out_of_the_calendar_and_the_reminder(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store)
    activate_need(walk)
    answer_all(walk, [("vardnadshavare-antal", "1"), ("samtycken", [GUARDIAN_ORAL])])
    home = "2027-02-01 kl 13, Östra Esplanaden 7, Växjö"
    coordination = [(s, home if s == "nasta-mote" else v) for s, v in COORDINATION]
    answer_all(walk, INVITATION + MEETING + PLAN + coordination)
    [event] = icalendar.Calendar.from_ical(export.calendar(walk.case)).walk("VEVENT")
    assert "LOCATION" not in event
    texts = [c.text for c in remind.candidates(walk.case, date(2027, 1, 20))]
    assert "Nästa samverkansmöte den 1 februari 2027 kl. 13:00." in texts
    assert not any("Esplanaden" in t for t in texts)
    # The plan, for the family, keeps the place.
    assert "Östra Esplanaden 7" in export.plan(walk.case, workflow, "text")


def test_the_familys_attendance_says_what_was_recorded(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store)
    activate_need(walk)
    answer_all(walk, [("vardnadshavare-antal", "1"), ("samtycken", [GUARDIAN_ORAL])])
    absent = [(s, "inte" if s == "barnets-delaktighet" else v) for s, v in MEETING]
    answer_all(walk, INVITATION + absent[:5])
    meeting = walk.case.meetings[-1]
    assert meeting.child_participation == "inte"
    words = family_text(meeting, walk.case)
    assert words == "vårdnadshavaren"  # one guardian, and the child did not take part
    two = meeting.model_copy(update={"guardians_present": []})
    assert family_text(two, walk.case) == "ingen av vårdnadshavarna"


def test_a_closed_case_has_no_coming_meeting_for_the_calendar(tmp_path: Path) -> None:
    assert in_process("new-case", "--answers", str(REPO / "examples" / "svar.yaml")).returncode == 0
    [path] = (Path(os.environ["KRONOBARN_HOME"]) / "arenden").glob("*.json")
    case_id = path.stem
    assert in_process("close", case_id, "--reason", "Klart.", "--yes").returncode == 0
    run = in_process("export", case_id, "--kind", "calendar", "--output", str(tmp_path / "m.ics"))
    assert run.returncode == 1 and "avslutat" in run.stderr
    assert not (tmp_path / "m.ics").exists()


def test_four_digits_after_kl_are_a_time() -> None:
    day, time = dates.split_time("2027-04-15 kl 1300")
    assert (day, dates.parse_time(time or "", hour_alone=True)) == ("2027-04-15", "13:00")


@pytest.mark.parametrize("text", ["20120304–1234", "2012 03 04 1234"])
def test_an_identity_number_with_a_dash_or_spaces_is_warned_of(text: str) -> None:
    assert has_identity_number(text)


def test_an_empty_profile_field_is_named_as_empty() -> None:
    assert in_process("profile", "set", "--name", "A", "--organisation", "skola",
                      "--contact", "1").returncode == 0  # fmt: skip
    run = in_process("profile", "set", "--name", "")
    assert run.returncode == 1 and "--name får inte vara tomt" in run.stderr
