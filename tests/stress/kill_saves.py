"""Kill a writer with SIGKILL at random moments; after every kill the store must be whole.

A forked child saves state 1, 2, 3, … of one case, creating a new case every few saves, and
reports over a pipe what it is about to do and what it has done. The parent kills it after a
random delay and checks: every case file validates and holds the state before or after the save
that was cut (never a mix, never empty, never lost), a case being created exists complete or not
at all, the next write is not blocked by a lock and removes what the killed writer left.

    python tests/stress/kill_saves.py [KILLS] [SEED]     (default 1000 kills; POSIX only)

tests/store/test_crash.py runs the same loop with 200 kills.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from kronobarn_cli.domain.case import Case, Child, JournalEntry
from kronobarn_cli.domain.summaries import ListedCase
from kronobarn_cli.errors import CaseFileError
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.index import INDEX_FILE, KEY_FILE

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MAIN = "mmmmmm"
PAYLOAD = "x" * 30_000  # large enough that a write takes a while, so kills land inside it
CREATE_EVERY = 4


@dataclass
class Findings:
    kills: int = 0
    saves: int = 0
    """Saves that completed, over all rounds."""
    cut_saves: int = 0
    """Kills that landed while a save was under way (the file then held the old or new state)."""
    cut_creates: int = 0
    """Kills that landed while a new case was being created."""
    temp_files_left: int = 0
    """Kills after which a temporary file was left (the next write removed it)."""
    cases_created: int = 0
    problems: list[str] = field(default_factory=list)


def state(n: int) -> Case:
    # The journal may only grow (the store refuses anything else), so the bulk is one entry
    # every state shares; the state's number is in the name.
    return Case(id=MAIN, created=NOW, updated=NOW, child=Child(name=f"Barn {n}"),
                journal=[JournalEntry(at=NOW, text=PAYLOAD)])  # fmt: skip


def state_of(case: Case) -> int:
    number = int(case.child.name.split()[1])
    if case != state(number):
        raise AssertionError(f"{MAIN} holds a state no save wrote: {case.child.name}")
    return number


def _writer(home: Path, report: int) -> NoReturn:  # pragma: no cover - runs in the child
    try:
        store = CaseStore(home, lock_wait=0)
        n = state_of(store.load(MAIN))
        store.case_index()._connect()  # opened before, so that the kills land in the writes
        os.write(report, b"R\n")
        while True:
            n += 1
            if n % CREATE_EVERY == 0:
                os.write(report, b"C\n")
                created = store.create(Child(name=f"Nytt {n}"), NOW)
                os.write(report, f"c{created.id}\n".encode())
            os.write(report, f"S{n}\n".encode())
            store.save(state(n))
            os.write(report, f"D{n}\n".encode())
    finally:
        os._exit(0)


def _one_round(home: Path, rng: random.Random, findings: Findings) -> None:
    store = CaseStore(home, lock_wait=0)  # the next command must not wait for a dead writer
    before = state_of(store.load(MAIN))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        _writer(home, write_end)
    os.close(write_end)
    ready = b""
    while not ready.endswith(b"R\n"):  # the random moment counts from when it starts writing
        chunk = os.read(read_end, 1)
        if not chunk:
            break
        ready += chunk
    time.sleep(rng.uniform(0.001, 0.012))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        lines = pipe.read().decode().split()
    findings.kills += 1

    started = [int(line[1:]) for line in lines if line.startswith("S")]
    done = [int(line[1:]) for line in lines if line.startswith("D")]
    created = [line[1:] for line in lines if line.startswith("c")]
    creating = lines.count("C") > len(created)
    findings.saves += len(done)
    findings.cases_created += len(created)
    last_done = done[-1] if done else before
    cut = bool(started) and started[-1] not in done
    findings.cut_saves += cut
    findings.cut_creates += creating

    # The case holds the state of the last finished save, or of the save that was cut.
    now = state_of(store.load(MAIN))
    allowed = {last_done, started[-1]} if cut else {last_done}
    if now not in allowed:
        findings.problems.append(f"after kill {findings.kills}: state {now}, expected {allowed}")
    # Every case reported as created is there, complete.
    for case_id in created:
        if store.load(case_id).id != case_id:
            findings.problems.append(f"created case {case_id} is not itself")

    leftovers = list(store.directory.glob(".*.tmp"))
    findings.temp_files_left += bool(leftovers)
    # The next write is not blocked (lock_wait=0) and removes the dead writer's temporary file.
    store.save(state(now))
    store.remove_stale_temp_files()  # what list and remind do for the other cases
    if list(store.directory.glob(".*.tmp")):
        findings.problems.append(f"after kill {findings.kills}: temporary files remain")


def run_kills(home: Path, kills: int, seed: int = 0) -> Findings:
    """`kills` rounds of write-and-kill in the store at `home`; returns what was seen."""
    rng = random.Random(seed)  # noqa: S311 - timing, not secrets
    CaseStore(home).save(state(0))
    findings = Findings()
    for _ in range(kills):
        _one_round(home, rng, findings)
    # Finally the whole store, as `list` reads it: every file a valid case of its own name, the
    # main case and every created one, plus at most the ones whose create was cut after the link.
    for item in CaseStore(home).iter_cases():
        if isinstance(item, CaseFileError):
            findings.problems.append(item.message)
    directory = home / "arenden"
    cases = len(list(directory.glob("*.json")))
    lowest = 1 + findings.cases_created
    if not lowest <= cases <= lowest + findings.cut_creates:
        findings.problems.append(f"{cases} case files; expected {lowest} (+ cut creates)")
    # The summary index (a cache) and the key its rows are signed with.
    index = (INDEX_FILE, f"{INDEX_FILE}-wal", f"{INDEX_FILE}-shm", KEY_FILE)
    others = [
        p.name
        for p in directory.iterdir()
        if p.suffix not in (".json", ".lock") and p.name not in index
    ]
    if others:
        findings.problems.append(f"left behind: {others}")
    # The summary index, written after each case file and cut by the kills too, agrees with the
    # files once brought up to date.
    found = CaseStore(home).indexed(NOW.date())
    if found is None:
        findings.problems.append("the summary index could not be used")
    else:
        indexed = list(found[0].listed())
        files = [
            ListedCase.of(c, NOW.date()).model_dump(mode="json")
            for c in CaseStore(home).iter_cases()
            if isinstance(c, Case)
        ]
        if indexed != files:
            findings.problems.append("the summary index disagrees with the case files")
    return findings


def main() -> None:
    import tempfile  # noqa: PLC0415 - only the script needs it

    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        found = run_kills(Path(directory) / "home", kills, seed)
        elapsed = time.perf_counter() - started
    print(
        f"{found.kills} kills in {elapsed:.1f} s: {found.saves} saves completed, "
        f"{found.cut_saves} kills during a save, {found.cut_creates} during a create, "
        f"{found.temp_files_left} left a temporary file, {found.cases_created} cases created; "
        f"{len(found.problems)} problems"
    )
    for problem in found.problems[:20]:
        print("  " + problem)
    sys.exit(1 if found.problems else 0)


if __name__ == "__main__":
    main()
