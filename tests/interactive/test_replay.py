"""`new-case --answers`: replaying a walk from a file under the prompts' rules; `plan` verbs."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.interactive import replay as answers_file
from kronobarn_cli.interactive.walk import ReplayError, replay
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import REPO, fixed_clock
from ..helpers import Completed, in_process

EXAMPLE = REPO / "examples" / "svar.yaml"
KRONOBARN = Path(sys.executable).parent / "kronobarn"


def example() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def written(data: dict[str, Any], tmp_path: Path, name: str = "svar.yaml") -> Path:
    """The example moved to real future dates, so the command-line tests never go stale."""
    soon = date.today() + timedelta(days=60)
    answers = data["svar"]
    for key in ("mote-datum", "nasta-mote"):
        if key in answers:
            answers[key] = soon + timedelta(days=30 if key == "nasta-mote" else 0)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def kronobarn(*args: str, stdin: str | None = "") -> Completed:
    return in_process(*args, stdin=stdin)


def test_the_shipped_example_replays_a_whole_first_meeting(workflow: Workflow) -> None:
    given = answers_file.read(EXAMPLE, fixed_clock().date(), workflow)
    result = replay(
        workflow,
        given.child,
        given.answers,
        str(EXAMPLE),
        clock=fixed_clock,
        own=given.organisation,
    )
    assert result.next_step is None
    case = result.case
    assert case.status == "aktiverad"
    [meeting] = case.meetings
    assert meeting.finished
    assert [a.what for a in meeting.actions] == ["Anpassat schema", "Stödsamtal med familjen"]
    assert meeting.inviter is not None and meeting.inviter.name == "Maria Lind"


def test_the_example_covers_every_step_a_first_meeting_asks(workflow: Workflow) -> None:
    answered = set(example()["svar"])
    asked = {
        step.id
        for s in workflow.sections
        for step in s.steps
        if step.when is None and step.ask and step.kind != "info"  # the rest need no answer
    }
    assert asked - answered == set()


def test_replay_from_the_command_line_writes_the_case(isolated: Path, tmp_path: Path) -> None:
    run = kronobarn("new-case", "--answers", str(written(example(), tmp_path)))
    assert run.returncode == 0, run.stderr
    assert "alla steg är besvarade" in run.stdout
    listed = json.loads(kronobarn("list", "--json").stdout)
    assert [c["status"] for c in listed] == ["aktiverad"]


@pytest.mark.parametrize(
    ("change", "step", "reason"),
    [
        (("mote-datum", "2020-02-30"), "mote-datum", "Ogiltigt datum"),
        (("uppmarksammat", ""), "uppmarksammat", "tomt"),
        (("mote-tid", "25:00"), "mote-tid", "Ogiltig tid"),
        (("finns-inte", "x"), "finns-inte", "inget sådant steg"),
        (("hanvisning-vag", "vi-kontaktar"), "hanvisning-vag", "gäller inte"),
        (("atgarder", [{"vad": "x", "ansvarig": "polis", "senast": "2027-03-01",
                        "omrade": "trygg", "status": "planerad"}]), "atgarder", "deltog inte"),
    ],
)  # fmt: skip
def test_a_bad_answer_names_file_step_and_reason_and_writes_nothing(
    isolated: Path, tmp_path: Path, change: tuple[str, Any], step: str, reason: str
) -> None:
    data = example()
    data["svar"][change[0]] = change[1]
    path = written(data, tmp_path)
    if change[0] == "mote-datum":
        path.write_text(path.read_text(encoding="utf-8").replace(
            str(date.today() + timedelta(days=60)), "'2020-02-30'"), encoding="utf-8")  # fmt: skip
    run = kronobarn("new-case", "--answers", str(path))
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"Fel: {path}: steget '{step}': ") and reason in line, line
    assert not list(isolated.glob("arenden/*.json"))


def test_a_replay_cannot_invite_outside_the_consent(workflow: Workflow, tmp_path: Path) -> None:
    data = example()
    data["svar"]["inbjudna"][0]["verksamhet"] = "polis"
    path = written(data, tmp_path)
    given = answers_file.read(path, fixed_clock().date(), workflow)
    with pytest.raises(ReplayError, match="Samtycket omfattar inte Polis"):
        replay(workflow, given.child, given.answers, str(path), fixed_clock, given.organisation)
    # Nor specialist care without an established care contact, even when consent covers it.
    data["svar"]["samtycken"][0]["verksamheter"].append("bup")
    data["svar"]["inbjudna"][0]["verksamhet"] = "bup"
    given = answers_file.read(written(data, tmp_path), fixed_clock().date(), workflow)
    with pytest.raises(ReplayError, match="specialistvård"):
        replay(workflow, given.child, given.answers, "svar.yaml", fixed_clock, given.organisation)


def test_a_replay_without_an_answer_the_walk_needs_names_that_step(
    workflow: Workflow, tmp_path: Path
) -> None:
    data = example()
    del data["verksamhet"]  # nor inbjudare-verksamhet: the inviter's organisation is unknown
    given = answers_file.read(written(data, tmp_path), fixed_clock().date(), workflow)
    with pytest.raises(ReplayError, match="steget 'inbjudare-verksamhet': svar saknas"):
        replay(workflow, given.child, given.answers, "svar.yaml", clock=fixed_clock)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("barn: [", "ogiltig YAML"),
        ("svar: {}", "'barn.namn' saknas"),
        ("barn: {namn: A, fodelsear: 1950}\nsvar: {}", "Födelseåret"),
        ("barn: {namn: A}\nfel: 1", "okänd nyckel 'fel'"),
        ("barn: {namn: A, fodelseår: 2015}\nsvar: {}", "okänd nyckel 'barn.fodelseår'"),
    ],
)
def test_a_broken_answers_file_is_one_line(
    workflow: Workflow, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "svar.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KronobarnError, match=message):
        answers_file.read(path, date(2026, 11, 23), workflow)


def test_an_incomplete_file_without_a_terminal_saves_and_says_how_to_go_on(
    isolated: Path, tmp_path: Path
) -> None:
    data = example()
    data["svar"] = {k: v for k, v in data["svar"].items() if k in ("uppmarksammat",
                    "egen-insats-racker", "annan-verksamhet-ensam", "tillsammans")}  # fmt: skip
    run = kronobarn("new-case", "--answers", str(written(data, tmp_path)))
    assert run.returncode == 0, run.stderr
    assert "svarar inte på steget 'vardnadshavare-antal'" in run.stdout
    [case] = json.loads(kronobarn("list", "--json").stdout)
    assert case["status"] == "vantar-pa-samtycke"
    assert f"kronobarn resume {case['id']}" in run.stdout


@pytest.mark.pty
@pytest.mark.timeout(60)
@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_with_a_terminal_only_the_open_steps_are_asked(isolated: Path, tmp_path: Path) -> None:
    data = example()
    del data["svar"]["nasta-deltagare"]
    env = {**os.environ, "KRONOBARN_HOME": str(isolated), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1"}  # fmt: skip
    child = pexpect.spawn(str(KRONOBARN), ["new-case", "--answers", str(written(data, tmp_path))],
                          env=env, encoding="utf-8", timeout=20)  # fmt: skip
    child.expect("nu frågar kronobarn det som saknas")
    child.expect("Vilka verksamheter ska delta i nästa möte")
    child.expect("Annan verksamhet")  # the list is drawn
    assert "Vad har ni uppmärksammat" not in (child.before or "")
    child.send("\r")
    child.expect("Möte 1 är registrerat")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


# -- plan verbs ------------------------------------------------------------------------------------


@pytest.fixture
def case_id(isolated: Path, tmp_path: Path) -> str:
    run = kronobarn("new-case", "--answers", str(written(example(), tmp_path)))
    assert run.returncode == 0, run.stderr
    return str(json.loads(kronobarn("list", "--json").stdout)[0]["id"])


def test_plan_done_status_and_add(case_id: str, isolated: Path) -> None:
    assert kronobarn("plan", case_id, "done", "1").returncode == 0
    assert kronobarn("plan", case_id, "status", "2", "avbruten").returncode == 0
    added = kronobarn("plan", case_id, "add", "--what", "Läxhjälp", "--organisation", "skola",
                      "--due", "2027-03-01", "--area", "utvecklas", "--person", "Eva")  # fmt: skip
    assert added.returncode == 0, added.stderr
    actions = json.loads(kronobarn("plan", case_id, "show", "--json").stdout)
    assert [(a["what"], a["status"]) for a in actions] == [
        ("Anpassat schema", "klar"),
        ("Stödsamtal med familjen", "avbruten"),
        ("Läxhjälp", "planerad"),
    ]
    case = CaseStore(isolated).load(case_id)
    assert case.journal[-1].text == "Insats 3 lades till."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("done", "9"), "ingen insats nummer 9"),
        (("status", "1", "kanske"), "Ogiltigt val 'kanske'"),
        (("add", "--what", "x", "--organisation", "polis", "--due", "2027-03-01", "--area",
          "trygg"), "deltog inte i mötet"),
        (("add", "--what", "x", "--organisation", "skola", "--due", "snart", "--area",
          "trygg"), "Ogiltigt datum"),
    ],
)  # fmt: skip
def test_plan_changes_follow_the_rules(case_id: str, args: tuple[str, ...], message: str) -> None:
    before = kronobarn("plan", case_id, "show", "--json").stdout
    run = kronobarn("plan", case_id, *args)
    assert run.returncode == 1
    [line] = run.stderr.strip().splitlines()
    assert message in line
    assert kronobarn("plan", case_id, "show", "--json").stdout == before
