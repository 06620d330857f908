"""What a coordinator typed is printed as typed (an evaluation comment keeps its capitals in `show`
and both plan exports), and the consent note documents every withdrawal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.interactive.walk import Walk, replay_follow_up
from kronobarn_cli.store.case_files import CaseStore

from ..cases import at, first_meeting, follow_up_answers
from ..helpers import in_process

COMMENT = "Schemat är infört; Elias är nöjd"


@pytest.fixture
def case_id(workflow: Workflow, store: CaseStore, isolated: Path) -> str:
    case = first_meeting(workflow)
    answers = follow_up_answers()
    answers["atgarder"][1]["utfall-kommentar"] = COMMENT
    result = replay_follow_up(workflow, case, answers, "f.yaml", clock=at("2027-04-14"))
    store.save(result.case)
    return result.case.id


@pytest.mark.parametrize(
    "command",
    [("show",), ("export",), ("export", "--format", "text")],
    ids=["show", "markdown", "text"],
)
def test_an_evaluation_comment_is_printed_as_typed(case_id: str, command: tuple[str, ...]) -> None:
    done = in_process(command[0], case_id, *command[1:], columns=300)
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split()).replace("\\", "")
    assert "Elias är nöjd" in flat
    assert "elias är nöjd" not in flat


def test_the_consent_note_has_a_line_for_each_withdrawal(
    workflow: Workflow, store: CaseStore, isolated: Path
) -> None:
    case = first_meeting(workflow)
    store.save(case)
    walk = Walk(workflow, store, case, clock=at("2027-04-14"))
    walk.withdraw_consent("vardnadshavare-1", ["socialtjanst"], date(2027, 4, 1))
    done = in_process("export", case.id, "--kind", "consent-note")
    assert done.returncode == 0, done.stderr
    assert (
        "Samtycket från vårdnadshavare 1 för kontakt med Socialtjänst återkallades den "
        "1 april 2027." in done.stdout
    )
    assert done.stdout.startswith("Samtycke har lämnats muntligen")
