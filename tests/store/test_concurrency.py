"""Several processes changing one case at once: every change is kept, and nobody is refused
while the others are quick (they wait for the lock instead of failing)."""

from __future__ import annotations

import os
import re
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.errors import CaseLockedError
from kronobarn_cli.interactive.walk import add_action, plan_meeting
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import fixed_clock
from ..scenario import realistic_case

REFUSED = 3
FAILED = 4
MAX_TURN = 25  # changes in a row by one writer; about 3 with the lock's turn-taking


def add_actions(home: Path, workflow: Workflow, case_id: str, writer: int, count: int) -> None:
    """What `kronobarn plan ID add` does, `count` times: lock, read, add one action, save."""
    store = CaseStore(home)
    for number in range(count):
        with store.locked(case_id):
            case = store.load(case_id)
            what = f"skrivare {writer} insats {number}"
            add_action(store, workflow, case, what, "skola", "2027-03-01", "trygg",
                       now=fixed_clock())  # fmt: skip


def _child(home: Path, workflow: Workflow, case_id: str, writer: int, count: int) -> NoReturn:
    code = 0
    try:
        add_actions(home, workflow, case_id, writer, count)
    except CaseLockedError:
        code = REFUSED
    except BaseException:  # noqa: BLE001 - reported to the test through the exit code
        traceback.print_exc()
        code = FAILED
    finally:
        sys.stderr.flush()
        os._exit(code)


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.timeout(120)
@pytest.mark.parametrize(("writers", "each"), [(2, 100), (4, 30)])
def test_writers_at_once_lose_no_update_and_are_not_refused(
    workflow: Workflow, store: CaseStore, isolated: Path, writers: int, each: int
) -> None:
    case = realistic_case(store, workflow, fixed_clock).case
    before = len(plan_meeting(case).actions)
    start_r, start_w = os.pipe()
    children = []
    for writer in range(writers):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(start_w)
            os.read(start_r, 1)  # all start together
            _child(isolated, workflow, case.id, writer, each)
        children.append(pid)
    os.close(start_r)
    os.write(start_w, b"x" * writers)
    os.close(start_w)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0] * writers, "refused" if REFUSED in codes else codes

    final = store.load(case.id)
    added = [a.what for a in plan_meeting(final).actions][before:]
    expected = {f"skrivare {w} insats {n}" for w in range(writers) for n in range(each)}
    assert len(added) == len(expected) and set(added) == expected  # nothing lost, nothing twice
    for writer in range(writers):  # and each writer's own order is kept
        own = [a for a in added if a.startswith(f"skrivare {writer} ")]
        assert own == [f"skrivare {writer} insats {n}" for n in range(each)]
    assert not list(store.directory.glob(".*.tmp"))
    # They took turns: no writer kept the case to itself while the others waited.
    order = "".join(a.split()[1] for a in added)
    longest = max(len(run) for run in re.findall(r"0+|1+|2+|3+", order))
    assert longest <= MAX_TURN, order
