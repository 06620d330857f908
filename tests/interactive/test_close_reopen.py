"""Closing a case with open actions asks first, and a closed case can be opened again within
30 days (issue 22: things that could not be corrected afterwards)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from kronobarn_cli.store.case_files import CaseStore

from ..after_meeting import at_terminal, case_after_meeting
from ..helpers import in_process
from ..keys import DOWN, ENTER

pytestmark = pytest.mark.timeout(60)

REASON = "Familjen har flyttat."


def _status(case_id: str) -> str:
    return str(json.loads(in_process("show", case_id, "--json").stdout)["status"])


def test_closing_with_open_actions_needs_yes_in_a_script(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    refused = in_process("close", case_id, "--reason", REASON)
    assert refused.returncode == 2
    [line] = refused.stderr.strip().splitlines()
    assert "2 öppna insatser (nr 1, 2)" in line and "--yes" in line, line
    assert _status(case_id) == "aktiverad"
    done = in_process("close", case_id, "--reason", REASON, "--yes")
    assert done.returncode == 0, done.stderr
    assert _status(case_id) == "avslutad"


def test_at_a_terminal_close_shows_what_is_open_and_asks(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    kept = at_terminal("close", case_id, "--reason", REASON, keys=(ENTER,))  # "Nej, avbryt"
    assert kept.returncode == 1
    assert "Anpassat schema" in kept.stdout and "Stödsamtal med familjen" in kept.stdout
    assert _status(case_id) == "aktiverad"
    closed = at_terminal("close", case_id, "--reason", REASON, keys=(DOWN + ENTER,))
    assert closed.returncode == 0, closed.stderr
    assert _status(case_id) == "avslutad"


def test_a_case_without_open_actions_closes_without_asking(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    for number in ("1", "2"):
        assert in_process("plan", case_id, "done", number).returncode == 0
    done = in_process("close", case_id, "--reason", REASON)
    assert done.returncode == 0, done.stderr


def test_reopen_within_the_grace_period_brings_the_case_back(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    assert in_process("close", case_id, "--reason", REASON, "--yes").returncode == 0
    done = in_process("reopen", case_id)
    assert done.returncode == 0, done.stderr
    assert "aktiverad" in done.stdout
    shown = json.loads(in_process("show", case_id, "--json").stdout)
    assert shown["status"] == "aktiverad" and shown["closed"] is None
    assert shown["earlier_closures"][0]["reason"] == REASON  # what was typed is kept
    assert "Avslutat tidigare" in in_process("show", case_id, columns=160).stdout
    log = json.loads(in_process("log", case_id, "--json").stdout)
    assert log[-1]["command"] == "reopen" and REASON not in log[-1]["text"]
    # Open again: the plan can be changed, and it can be closed once more.
    assert in_process("plan", case_id, "done", "1").returncode == 0
    assert in_process("close", case_id, "--reason", "Klart.", "--yes").returncode == 0


def test_reopen_after_the_grace_period_or_of_an_open_case_is_refused(
    tmp_path: Path, isolated: Path
) -> None:
    case_id = case_after_meeting(tmp_path)
    not_closed = in_process("reopen", case_id)
    assert not_closed.returncode == 1 and "inte avslutat" in not_closed.stderr
    assert in_process("close", case_id, "--reason", REASON, "--yes").returncode == 0
    store = CaseStore(isolated)
    case = store.load(case_id)
    assert case.closed is not None
    long_ago = case.closed.model_copy(update={"on": date.today() - timedelta(days=31)})
    store.save(case.model_copy(update={"closed": long_ago}))
    late = in_process("reopen", case_id)
    assert late.returncode == 1
    [line] = late.stderr.strip().splitlines()
    assert "mer än 30 dagar" in line, line
    assert _status(case_id) == "avslutad"


def test_close_and_reopen_help_say_the_grace_period() -> None:
    assert "30 dagar" in in_process("close", "--help").stdout
    assert "30 dagar" in in_process("reopen", "--help").stdout
