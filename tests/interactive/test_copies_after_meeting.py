"""Rule 6, every party gets a copy: a copy sent or received after the meeting is recorded with
`plan ID copy`, and `remind` stops asking for it (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kronobarn_cli.domain.case import SCHEMA_VERSION, Case
from kronobarn_cli.domain.migrations import migrate

from ..after_meeting import case_after_meeting, day
from ..conftest import REPO
from ..helpers import in_process

pytestmark = pytest.mark.timeout(60)

FAMILY_MISSING = "Familjen har inte fått sin kopia av Barnets plan"


def _copy_reminders(case_id: str) -> list[str]:
    done = in_process("remind", "--kind", "copy", "--json")
    assert done.returncode in (0, 1), done.stderr
    rows = json.loads(done.stdout or "[]")
    return [r["text"] for r in rows if r["case_id"] == case_id]


def _case(case_id: str) -> dict:  # type: ignore[type-arg]
    return json.loads(in_process("show", case_id, "--json").stdout)


def test_a_family_copy_received_after_the_meeting_ends_the_reminder(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path, guardians=1)
    assert any(FAMILY_MISSING in t for t in _copy_reminders(case_id))
    done = in_process("plan", case_id, "copy", "familjen", "--received")
    assert done.returncode == 0, done.stderr
    assert "Familjen" in done.stdout and "mottagen" in done.stdout
    assert not any(FAMILY_MISSING in t for t in _copy_reminders(case_id))
    # Socialtjänst's copy is still missing: only the family's was recorded.
    assert any("Socialtjänst har inte fått" in t for t in _copy_reminders(case_id))
    [family] = [
        c for c in _case(case_id)["meetings"][0]["copies"] if c["organisation"]["id"] == "familjen"
    ]
    assert family["received"] is True and family["received_on"] == day(0)
    log = json.loads(in_process("log", case_id, "--json").stdout)
    assert log[-1]["command"] == "plan copy" and log[-1]["fields"] == ["copy_records"]


def test_a_copy_sent_is_recorded_with_its_date_and_shown(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path, guardians=1)
    done = in_process("plan", case_id, "copy", "Socialtjänst", "--sent", "--date", "idag")
    assert done.returncode == 0, done.stderr
    assert not any("Socialtjänst" in t for t in _copy_reminders(case_id))
    shown = in_process("show", case_id, columns=160).stdout
    assert "nej, skickad" in shown
    plan = in_process("export", case_id).stdout
    assert "nej, skickad" in plan


def test_copies_recorded_after_the_meeting_survive_a_change_of_the_plan(tmp_path: Path) -> None:
    """The record is not an answer: deriving the meeting again (a plan verb) keeps it."""
    case_id = case_after_meeting(tmp_path, guardians=1)
    assert in_process("plan", case_id, "copy", "familjen", "--received").returncode == 0
    assert in_process("plan", case_id, "done", "1").returncode == 0
    assert not any(FAMILY_MISSING in t for t in _copy_reminders(case_id))


def test_guardians_living_apart_get_a_copy_each(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path, guardians=2)
    done = in_process("plan", case_id, "copy", "vardnadshavare-1", "--received")
    assert done.returncode == 0, done.stderr
    texts = _copy_reminders(case_id)
    assert any("Familjen (vårdnadshavare 2) har inte fått" in t for t in texts), texts
    assert not any("vårdnadshavare 1" in t for t in texts), texts
    # The family as a whole is now two copies: naming it is refused with what to name.
    refused = in_process("plan", case_id, "copy", "familjen", "--received")
    assert refused.returncode == 1 and "vardnadshavare-2" in refused.stderr
    assert in_process("plan", case_id, "copy", "vardnadshavare-2", "--sent").returncode == 0
    assert not any("Familjen" in t for t in _copy_reminders(case_id))


def test_a_copy_per_guardian_needs_two_guardians(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path, guardians=1)
    refused = in_process("plan", case_id, "copy", "vardnadshavare-2", "--received")
    assert refused.returncode == 1
    assert "två vårdnadshavare" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("familjen",), "--sent eller --received"),
        (("familjen", "--sent", "--received"), "--sent eller --received"),
        (("familjen", "--received", "--date", day(3)), "framtiden"),
        (("familjen", "--received", "--date", day(-3)), "före mötet"),
        (("polis", "--received"), "finns inte bland kopiorna"),
        (("familjen", "--received", "--date", "sen"), "Ogiltigt datum"),
    ],
)
def test_a_copy_record_that_does_not_fit_is_one_swedish_line(
    tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    case_id = case_after_meeting(tmp_path, guardians=1)
    before = _case(case_id)
    refused = in_process("plan", case_id, "copy", *args)
    assert refused.returncode != 0
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], refused.stderr
    assert _case(case_id) == before


def test_a_version_3_case_file_loads_and_is_migrated(tmp_path: Path) -> None:
    """tests/fixtures/case-v3.json was written by the release before copy records."""
    data = json.loads((REPO / "tests" / "fixtures" / "case-v3.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 3
    case = Case.model_validate(migrate(data))
    assert case.schema_version == SCHEMA_VERSION == 4
    assert case.meetings[0].copy_records == [] and case.earlier_closures == []
    assert [c.received for c in case.meetings[0].copies] == [False, True, False]


def test_the_end_screen_of_a_meeting_names_the_copy_command_while_a_copy_is_missing() -> None:
    from rich.console import Console  # noqa: PLC0415 - only this test

    from kronobarn_cli.domain.case import Child  # noqa: PLC0415
    from kronobarn_cli.domain.meeting import Meeting, PlanCopy  # noqa: PLC0415
    from kronobarn_cli.domain.parts import OrganisationRef  # noqa: PLC0415
    from kronobarn_cli.interactive.prompter import Prompter  # noqa: PLC0415

    from ..conftest import NOW  # noqa: PLC0415

    def screen(received: bool) -> str:
        copy = PlanCopy(organisation=OrganisationRef(id="familjen", name="Familjen"),
                        method="post", received=received)  # fmt: skip
        meeting = Meeting(number=1, started=NOW, finished=True, copies=[copy])
        case = Case.model_construct(id="k3m9qa", created=NOW, updated=NOW, child=Child(name="A"),
                                    status="aktiverad", meetings=[meeting])  # fmt: skip
        console = Console(record=True, width=200)
        Prompter(console).show_meeting_done(case, meeting)
        return " ".join(console.export_text().split())

    assert "kronobarn plan k3m9qa copy familjen --sent (eller --received)" in screen(False)
    assert "copy" not in screen(True)
