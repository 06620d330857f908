"""Rule 6, Barnets plan: an action is corrected after the meeting with `plan ID edit NR`, by the
rules of adding one (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..after_meeting import case_after_meeting, day
from ..helpers import in_process

pytestmark = pytest.mark.timeout(60)


def _actions(case_id: str) -> list[dict[str, Any]]:
    return json.loads(in_process("plan", case_id, "show", "--json").stdout)  # type: ignore[no-any-return]


def test_an_action_is_edited_field_by_field_and_journalled(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    done = in_process("plan", case_id, "edit", "2", "--what", "Samtal varannan vecka",
                      "--due", day(50), "--person", "", "--goal", "Lugnare hemma")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Insats 2 är ändrad: vad, mål, person, senast." in done.stdout
    first, second = _actions(case_id)
    assert second["what"] == "Samtal varannan vecka" and second["due"] == day(50)
    assert second["person"] is None and second["goal"] == "Lugnare hemma"
    assert second["status"] == "pagaende" and second["organisation"]["id"] == "socialtjanst"
    assert first["what"] == "Anpassat schema"  # the other action is untouched
    entry = json.loads(in_process("log", case_id, "--json").stdout)[-1]
    assert entry["command"] == "plan edit" and entry["fields"] == ["atgarder"]
    assert "Samtal" not in entry["text"] and "Lugnare" not in entry["text"]


def test_the_responsible_organisation_can_move_to_another_participant(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    done = in_process("plan", case_id, "edit", "1", "--organisation", "Socialtjänst")
    assert done.returncode == 0, done.stderr
    assert _actions(case_id)[0]["organisation"]["id"] == "socialtjanst"


def test_a_date_as_people_write_it_is_read_as_plan_add_reads_it(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    assert in_process("plan", case_id, "edit", "1", "--due", "om 2 veckor").returncode == 0
    assert _actions(case_id)[0]["due"] == day(14)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("9", "--what", "X"), "ingen insats nummer 9"),
        (("1",), "Ange vad som ska ändras"),
        (("1", "--organisation", "polis"), "Polis"),
        (("1", "--due", "snart"), "datum"),
        (("1", "--area", "finns-inte"), "område"),
        (("1", "--what", ""), "tomt"),
    ],
)
def test_an_edit_that_does_not_fit_is_one_line_and_changes_nothing(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    case_id = case_after_meeting(tmp_path)
    before = _actions(case_id)
    refused = in_process("plan", case_id, "edit", *args)
    assert refused.returncode != 0
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("Fel: ") and says.casefold() in line.casefold(), line
    assert _actions(case_id) == before


def test_an_edit_needs_the_consent_holding_today(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path, guardians=1)
    withdrawn = in_process("consent", case_id, "withdraw", "--giver", "vardnadshavare-1")
    assert withdrawn.returncode == 0, withdrawn.stderr
    refused = in_process("plan", case_id, "edit", "1", "--what", "Annat")
    assert refused.returncode == 1 and "samtycke" in refused.stderr.casefold()


def test_an_identity_number_in_an_edit_is_warned_of(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    done = in_process("plan", case_id, "edit", "1", "--person", "Kim 19800101-1234")
    assert done.returncode == 0
    assert "Varning" in done.stderr
