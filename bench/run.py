"""Benchmark: kronobarn's start-up, `list` and `remind`, each beside the floor it is measured by.

Usage: python bench/run.py [--cases N ...] [--runs K] [--clock cpu|wall] [--json FILE]

Every figure is a ratio taken in the same run, the two commands taking turns: `--help`, `list`
and `remind` on an empty store against a minimal six-command typer app; the first question of
`new-case` drawn in a pseudo-terminal against one bare `questionary.text` prompt drawn the same
way; each form of `remind` and `list` over generated stores (bench/generate.py, fixed seed)
against `cat` of the same files, and the table and filtered forms also against their JSON form;
`remind --json` on the PostgreSQL team store against the same command on the files (when a
server can be started here, as the tests start one; else that row is left out, saying why).
Each kronobarn run over a store is measured cold ("kall": any summary index `arenden/.index*`
removed before each run) and then warm ("varm": the index the cold runs left behind).

Ratios divide medians of K runs (default 5) of CPU time, user and system, of the process and
its children: steadier than wall-clock time on a shared machine (`--clock wall` for that; both
are printed). Peak memory is the largest resident set of any run, in MiB (getrusage in a small
wrapper process). The files are in the page cache throughout, for kronobarn and `cat` alike.
Not part of the tests.

A row is one call of `Bench.row(...)` with two `Measure`s (callables returning a `Sample`);
`command(argv, env)` makes one for a process that runs to its end, `prompt_drawn(...)` one for
a prompt in a pseudo-terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests/pg.py, for PostgreSQL

import generate  # beside this file, not installed

FLOOR_APP = '''
import typer
app = typer.Typer(add_completion=False)
for name in ("a", "b", "c", "d", "e", "f"):
    @app.command(name)
    def command(flag: bool = typer.Option(False, "--flag", help="En flagga.")) -> None:
        """Ett kommando."""
        print("[]")
app()
'''

BARE_PROMPT = """
import questionary
questionary.text("Namn?").ask()
"""
# The same prompt asked by a command of the minimal typer app: what a typer command that asks
# costs at the least (typer >= 0.29 builds a pydantic TypeAdapter for each option it parses).
TYPER_PROMPT = '''
import typer
app = typer.Typer(add_completion=False)
for name in ("a", "b", "c", "d", "e", "f"):
    @app.command(name)
    def command(text: str = typer.Option("", "--text", help="En text.")) -> None:
        """Ett kommando."""
        import questionary
        questionary.text("Namn?").ask()
app()
'''
# The first question `new-case` asks, and the bare prompt's: the clock stops when it is drawn.
FIRST_QUESTION = "Barnets namn eller initialer"
BARE_QUESTION = "Namn?"

INDEX_GLOB = ".index*"
"""The summary index beside the cases, whatever its form (removed for a cold run)."""
MEMORY_TARGET_MIB = 64.0
TODAY = generate.TODAY.isoformat()
ORGANISATION = "skola"


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    max_rss_mib: float
    output_bytes: int


Measure = Callable[[], Sample]


class BenchError(Exception):
    pass


WRAPPER = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as report:
    report.write(f"{code} {seconds} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}")
"""
"""Runs one command and reports its exit code, wall time, CPU time and peak memory. A small
process of its own, so that the peak is the command's and not the benchmark's: a child counts
the pages of the process it was started from until it replaces its image (here about 10 MiB,
less than any Python program's own)."""


def command(argv: list[str], env: dict[str, str]) -> Measure:
    """A process run to its end, its output read from a pipe as a script would read it."""

    def run() -> Sample:
        with tempfile.TemporaryDirectory() as scratch:
            report = Path(scratch) / "rusage"
            errors = Path(scratch) / "stderr"
            with errors.open("wb") as sink:
                process = subprocess.Popen(  # noqa: S603 - our own commands
                    [sys.executable, "-c", WRAPPER, str(report), *argv],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=sink,
                    env=env,
                )
                assert process.stdout is not None
                size = 0
                while chunk := process.stdout.read1(1 << 20):
                    size += len(chunk)
                process.stdout.close()
                process.wait()
            measured = report.read_text(encoding="utf-8").split() if report.exists() else []
            if process.returncode != 0 or measured[:1] != ["0"]:
                text = errors.read_text(encoding="utf-8", errors="replace").strip()
                code = measured[0] if measured else process.returncode
                raise BenchError(f"{' '.join(argv)}: slutkod {code}\n{text}")
            _, seconds, cpu, max_rss_kib = measured
        return Sample(float(seconds), float(cpu), int(max_rss_kib) / 1024, size)

    return run


def prompt_drawn(command: list[str], question: str, env: dict[str, str]) -> Measure:
    """From starting `command` in a pseudo-terminal until `question` is on the screen. CPU time
    is the process's (all its threads) when the question was seen, read from /proc where there
    is one (what a program does after drawing its question, while the user reads it, is not
    counted), else the children's up to when the process was ended; no peak memory."""

    def run() -> Sample:
        import pexpect  # noqa: PLC0415 - only this row needs it

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        child = pexpect.spawn(
            command[0], command[1:], env=env, encoding="utf-8", dimensions=(40, 100), timeout=30
        )
        try:
            child.expect_exact(question)
            seconds = time.perf_counter() - started
            cpu: float | None = cpu_so_far(child.pid)
        finally:
            child.terminate(force=True)
        if cpu is None:
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return Sample(seconds, cpu, 0.0, 0)

    return run


def cpu_so_far(pid: int) -> float | None:
    """The CPU time of a running process, all its threads, in seconds (Linux's schedstat:
    nanoseconds on the CPU), or None where there is no /proc."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def without_index(home: Path) -> Callable[[], None]:
    def remove() -> None:
        for path in (home / generate.CASES_DIR).glob(INDEX_GLOB):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()

    return remove


@dataclass
class State:
    """One row in one state (cold, warm, or the only one): medians of its runs."""

    seconds: float
    cpu_seconds: float
    max_rss_mib: float
    output_bytes: int
    floor_seconds: float
    floor_cpu_seconds: float
    ratio: float
    versus_ratio: float | None = None


@dataclass
class Row:
    section: str
    what: str
    floor: str
    target: float | None = None
    versus: str | None = None
    versus_target: float | None = None
    memory_target: float | None = None
    cases: int | None = None
    states: dict[str, State] = field(default_factory=dict)


class Bench:
    def __init__(self, runs: int, clock: str = "cpu") -> None:
        self.runs = runs
        self.clock = clock
        """What ratios divide: "cpu" (user + system time of the process and its children,
        steadier on a shared machine) or "wall" (what the user waits)."""
        self.rows: list[Row] = []

    def row(
        self,
        section: str,
        what: str,
        ours: Measure,
        floor: Measure,
        floor_name: str,
        *,
        target: float | None = None,
        cold: Callable[[], None] | None = None,
        cold_runs: int | None = None,
        only: str = "",
        versus: tuple[str, Measure] | None = None,
        versus_target: float | None = None,
        memory_target: float | None = None,
        cases: int | None = None,
    ) -> Row:
        """Measure `ours` and `floor` K times each, taking turns. With `cold`, twice: first
        calling `cold` before each run of ours ("kall"; `cold_runs` times, default K), then
        without ("varm"). `versus`: another command (its name, how to run it) that ours is also
        divided by, run in turn with the two in the same state. Without `cold`, one state named
        `only` (e.g. "varm" for a store whose index an earlier row built)."""
        row = Row(
            section,
            what,
            floor_name,
            target,
            versus[0] if versus else None,
            versus_target,
            memory_target,
            cases,
        )
        states = [("kall", cold), ("varm", None)] if cold is not None else [(only, None)]
        for name, before in states:
            mine: list[Sample] = []
            base: list[Sample] = []
            other: list[Sample] = []
            runs = cold_runs if before is not None and cold_runs is not None else self.runs
            for _ in range(runs):
                if before is not None:
                    before()
                mine.append(ours())
                base.append(floor())
                if versus is not None:
                    if before is not None:
                        before()
                    other.append(versus[1]())
            state = State(
                seconds=statistics.median(s.seconds for s in mine),
                cpu_seconds=statistics.median(s.cpu_seconds for s in mine),
                max_rss_mib=max(s.max_rss_mib for s in mine),
                output_bytes=mine[-1].output_bytes,
                floor_seconds=statistics.median(s.seconds for s in base),
                floor_cpu_seconds=statistics.median(s.cpu_seconds for s in base),
                ratio=0.0,
            )
            state.ratio = self.time(state) / self.time(state, floor=True)
            if other:
                if self.clock == "cpu":
                    compared = statistics.median(s.cpu_seconds for s in other)
                else:
                    compared = statistics.median(s.seconds for s in other)
                state.versus_ratio = self.time(state) / compared
            row.states[name] = state
        self.rows.append(row)
        print(_line(row), flush=True)
        return row

    def time(self, state: State, *, floor: bool = False) -> float:
        if self.clock == "cpu":
            return state.floor_cpu_seconds if floor else state.cpu_seconds
        return state.floor_seconds if floor else state.seconds


def _mark(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return f" (mål ≤{target:g} {'✓' if value <= target else '✗'})"


def _line(row: Row) -> str:
    lines = []
    for name, s in row.states.items():
        text = (
            f"  {row.what:<36} {name:<4} {s.seconds:7.3f} s (CPU {s.cpu_seconds:6.3f} s)  "
            f"{row.floor} {s.floor_seconds:.3f} s (CPU {s.floor_cpu_seconds:.3f} s): "
            f"{s.ratio:6.2f}×{_mark(s.ratio, row.target)}"
        )
        if s.versus_ratio is not None:
            text += f"; mot {row.versus}: {s.versus_ratio:.2f}×"
            text += _mark(s.versus_ratio, row.versus_target)
        if row.cases is not None:
            text += f"; {s.max_rss_mib:.0f} MiB{_mark(s.max_rss_mib, row.memory_target)}"
        lines.append(text)
    return "\n".join(lines)


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\N{NO-BREAK SPACE}")


def store_target(count: int) -> float | None:
    """The target for `remind --json`/`list --json` against `cat`, by store size."""
    if count >= 100_000:
        return 2.0
    if count >= 10_000:
        return 3.0
    return None


def linear_growth(bench: Bench, counts: list[int]) -> list[str]:
    """µs per case (warm) at each size, and the slope between sizes: linear when it is flat."""
    counts = sorted(counts)
    by_what: dict[str, dict[int, float]] = {}
    for row in bench.rows:
        if row.cases is not None and "varm" in row.states:
            warm = row.states["varm"]
            by_what.setdefault(row.what, {})[row.cases] = bench.time(warm)
            by_what.setdefault("cat", {})[row.cases] = bench.time(warm, floor=True)
    header = "".join(f"{thousands(n):>14}" for n in counts)
    slopes = "".join(
        f"{thousands(a) + '→' + thousands(b):>18}" for a, b in itertools.pairwise(counts)
    )
    lines = [
        f"Linjär tillväxt (varm, {'CPU-tid' if bench.clock == 'cpu' else 'väggtid'}): µs per "
        "ärende, t/N, och lutningen Δt/ΔN mellan storlekarna",
        f"  {'':<36}{header}   {slopes}",
    ]
    for what, times in by_what.items():
        cells = "".join(
            f"{times[n] / n * 1e6:14.1f}" if n in times else f"{'—':>14}" for n in counts
        )
        steps = "".join(
            f"{(times[b] - times[a]) / (b - a) * 1e6:18.1f}"
            if a in times and b in times
            else f"{'—':>18}"
            for a, b in itertools.pairwise(counts)
        )
        lines.append(f"  {what:<36}{cells}   {steps}")
    return lines


def measure_store(
    bench: Bench,
    kronobarn: list[str],
    home: Path,
    count: int,
    env: dict[str, str],
    *,
    server: Any = None,
    cold_max: int = 10_000,
) -> None:
    """Every form of `remind` and `list` over one store, cold and warm, against `cat`; with a
    PostgreSQL `server`, `remind --json` on the team store against the same on the files.
    Above `cold_max` cases only the JSON forms are measured cold, once each (building the
    index of 100,000 cases takes more than a minute)."""
    directory = str(home / generate.CASES_DIR)
    files = ["-maxdepth", "1", "-type", "f", "-name", "*.json", "!", "-name", ".*"]
    cat = command(["find", directory, *files, "-exec", "cat", "{}", "+"], env)
    cat()  # into the page cache, for every command alike
    section = f"{thousands(count)} ärenden"
    cold = without_index(home)
    remind = [*kronobarn, "remind", "--today", TODAY]
    target = store_target(count)

    large = count > cold_max
    forms = {
        "remind --json": [*remind, "--json"],
        "remind (tabell)": remind,
        "remind --json --coordinator": [*remind, "--json", "--coordinator"],
        "list --json": [*kronobarn, "list", "--json"],
    }

    def over_store(
        what: str,
        argv: list[str],
        *,
        target: float | None = None,
        versus: str | None = None,
        versus_target: float | None = None,
    ) -> Row:
        compared = (versus, command(forms[versus], env)) if versus is not None else None
        measured_cold = not large or what in ("remind --json", "list --json")
        return bench.row(
            section,
            what,
            command(argv, env),
            cat,
            "cat",
            target=target,
            cold=cold if measured_cold else None,
            cold_runs=1 if large else None,
            only="varm",
            versus=compared,
            versus_target=versus_target,
            memory_target=MEMORY_TARGET_MIB,
            cases=count,
        )

    over_store("remind --json", forms["remind --json"], target=target)
    over_store("remind (tabell)", remind, versus="remind --json", versus_target=1.5)
    over_store("remind --format csv", [*remind, "--format", "csv"], versus="remind --json")
    over_store(
        f"remind --json --organisation {ORGANISATION}",
        [*remind, "--json", "--organisation", ORGANISATION],
        versus="remind --json",
        versus_target=1.0,
    )
    # A filter shows fewer rows than the same form without it: it costs no more.
    over_store(
        f"remind --organisation {ORGANISATION} (tabell)",
        [*remind, "--organisation", ORGANISATION],
        versus="remind (tabell)",
        versus_target=1.0,
    )
    over_store(
        f"remind --json --coordinator --organisation {ORGANISATION}",
        [*remind, "--json", "--coordinator", "--organisation", ORGANISATION],
        versus="remind --json --coordinator",
        versus_target=1.0,
    )
    over_store(
        "remind --json --overdue",
        [*remind, "--json", "--overdue"],
        versus="remind --json",
        versus_target=1.0,
    )
    over_store("list --json", forms["list --json"], target=target)
    over_store("list (tabell)", [*kronobarn, "list"], versus="list --json", versus_target=1.2)
    if server is not None:
        team = {**env, "KRONOBARN_STORE": team_store_of(server, home)}
        bench.row(
            section,
            "remind --json, PostgreSQL",
            command([*remind, "--json"], team),
            command([*remind, "--json"], env),
            "remind --json, filer",
            memory_target=MEMORY_TARGET_MIB,
            cases=count,
        )


def measure_pdf(bench: Bench, kronobarn: list[str], work: Path, env: dict[str, str]) -> None:
    """Barnets plan as PDF against the same plan as Markdown: one realistic case (the one
    examples/svar.yaml makes), each export a whole command, written to a file."""
    section = "Export av en realistisk plan (examples/svar.yaml)"
    print(f"\n{section}")
    answers = Path(__file__).resolve().parents[1] / "examples" / "svar.yaml"
    made = subprocess.run(  # noqa: S603 - our own command
        [*kronobarn, "new-case", "--answers", str(answers)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    created = re.search(r"Ärende ([a-z0-9]{6}) skapat", made.stdout + made.stderr)
    if made.returncode != 0 or created is None:
        raise BenchError(f"new-case --answers {answers}: {made.stderr.strip()}")
    case_id = created.group(1)

    def export(fmt: str, target: str) -> Measure:
        out = str(work / target)
        return command(
            [*kronobarn, "export", case_id, "--format", fmt, "--output", out, "--force"], env
        )

    bench.row(
        section,
        "export --format pdf",
        export("pdf", "plan.pdf"),
        export("markdown", "plan.md"),
        "export --format markdown",
        target=3.0,
    )


def measured_source() -> str:
    """Which kronobarn is measured: its source directory and git commit, when it has one."""
    import kronobarn_cli  # noqa: PLC0415 - only for its path

    where = Path(kronobarn_cli.__file__).resolve().parent
    try:
        found = subprocess.run(  # noqa: S603 - a fixed command
            ["git", "-C", str(where), "describe", "--always", "--dirty"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return str(where)
    return f"{where} @ {found.stdout.strip()}"


def postgres_server() -> Any:
    """The tests' PostgreSQL (`tests/pg.py`), or None (saying why) when none can start here."""
    try:
        from tests import pg  # noqa: PLC0415

        from kronobarn_cli.store import postgres as pgstore  # noqa: F401, PLC0415 - needs psycopg
    except ImportError as exc:
        print(f"PostgreSQL-raden hoppas över: {exc}", file=sys.stderr)
        return None
    try:
        return pg.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"PostgreSQL-raden hoppas över: {exc}", file=sys.stderr)
        return None


def team_store_of(server: Any, home: Path) -> str:
    """A new database with the schema, holding the cases of the file store in `home`."""
    from kronobarn_cli.store import moves as store_moves  # noqa: PLC0415
    from kronobarn_cli.store import postgres as pgstore  # noqa: PLC0415

    url = server.url(server.new_database())
    store = pgstore.PgStore(url, home=home)
    pgstore.init(store, "bench")
    moved = store_moves.import_directory(store, home)
    store.close()
    assert not moved.problems, moved.problems[:3]
    return str(url)


def kronobarn_command() -> list[str]:
    script = Path(sys.executable).with_name("kronobarn")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kronobarn_cli"]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="what the ratios divide: CPU time (default; steadier when the machine is shared) "
        "or wall-clock time",
    )
    parser.add_argument("--keep", type=Path, default=None, help="generate the stores here")
    parser.add_argument(
        "--postgres-max",
        type=int,
        default=10_000,
        help="the largest store also loaded into PostgreSQL (db import of 100,000 cases takes "
        "many minutes)",
    )
    parser.add_argument(
        "--stores-only",
        action="store_true",
        help="only the rows over generated stores (no start-up, prompt or PDF rows)",
    )
    parser.add_argument(
        "--cold-max",
        type=int,
        default=10_000,
        help="above this many cases only the JSON forms are measured cold, once each",
    )
    return parser.parse_args()


def measure_start(
    bench: Bench,
    kronobarn: list[str],
    floor: list[str],
    work: Path,
    env_of: Callable[[Path], dict[str, str]],
) -> None:
    """Start-up on an empty store, the first question of `new-case`, and the PDF export."""
    empty = work / "tom"
    (empty / generate.CASES_DIR).mkdir(parents=True, mode=0o700, exist_ok=True)
    env = env_of(empty)
    section = "Start, tom ärendekatalog"
    print(section)
    bench.row(
        section,
        "kronobarn --help",
        command([*kronobarn, "--help"], env),
        command([*floor, "--help"], env),
        "typer-app --help",
        target=1.3,
    )
    for what in ("list", "remind"):
        bench.row(
            section,
            f"kronobarn {what}",
            command([*kronobarn, what], env),
            command([*floor, "a"], env),
            "typer-app a",
            target=1.3,
            cold=without_index(empty),
        )
    bare = work / "bare_prompt.py"
    bare.write_text(BARE_PROMPT, encoding="utf-8")
    pty_env = {**env, "KRONOBARN_HOME": str(work / "pty"), "TERM": "xterm"}
    bench.row(
        section,
        "new-case, första frågan (pty)",
        prompt_drawn([*kronobarn, "new-case"], FIRST_QUESTION, pty_env),
        prompt_drawn([sys.executable, str(bare)], BARE_QUESTION, pty_env),
        "questionary.text (pty)",
        target=2.0,
    )
    typer_prompt = work / "typer_prompt.py"
    typer_prompt.write_text(TYPER_PROMPT, encoding="utf-8")
    bench.row(
        section,
        "new-case, första frågan (pty)",
        prompt_drawn([*kronobarn, "new-case"], FIRST_QUESTION, pty_env),
        prompt_drawn([sys.executable, str(typer_prompt), "a"], BARE_QUESTION, pty_env),
        "typer-app a + questionary.text (pty)",
    )

    measure_pdf(bench, kronobarn, work, env_of(work / "pdf"))


def main() -> None:
    options = arguments()
    kronobarn = kronobarn_command()
    source = measured_source()
    print(
        f"kronobarn: {source}; {options.runs} körningar, kvoter av "
        f"{'CPU-tid' if options.clock == 'cpu' else 'väggtid'}\n"
    )
    bench = Bench(options.runs, options.clock)
    generated: dict[int, dict[str, object]] = {}
    server = postgres_server()
    with (
        tempfile.TemporaryDirectory(prefix="kronobarn-bench-") as temporary,
        contextlib.ExitStack() as cleanup,
    ):
        if server is not None:
            cleanup.callback(server.stop)
        work = options.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        floor_app = work / "floor.py"
        floor_app.write_text(FLOOR_APP, encoding="utf-8")
        floor = [sys.executable, str(floor_app)]
        path = f"{Path(sys.executable).parent}:/usr/bin:/bin"

        def env_of(home: Path) -> dict[str, str]:
            return {
                "KRONOBARN_HOME": str(home),
                "PATH": path,
                "COLUMNS": "100",
                "LANG": "C.UTF-8",
                "HOME": str(work),
                # The kronobarn measured is the one this bench imports (a worktree's source
                # given by PYTHONPATH, not the one the venv's script was installed from).
                **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
            }

        if not options.stores_only:
            measure_start(bench, kronobarn, floor, work, env_of)
        for count in options.cases:
            home = work / f"store-{count}"
            if not (home / generate.CASES_DIR).exists():
                made = generate.generate(home, count)
                generate.check(home)
                generated[count] = {
                    "seconds": round(made.seconds, 2),
                    "megabytes": round(made.megabytes, 1),
                    "statuses": made.statuses,
                }
                note = f"genererade på {made.seconds:.1f} s, {made.megabytes:.0f} MB"
            else:
                note = "fanns redan"
            print(f"\n{thousands(count)} ärenden ({note}; golv: cat av filerna)")
            team = server if count <= options.postgres_max else None  # (else said in the table)
            measure_store(
                bench, kronobarn, home, count, env_of(home), server=team, cold_max=options.cold_max
            )

    print()
    for line in linear_growth(bench, options.cases):
        print(line)
    if options.json is not None:
        report = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "kronobarn": source,
            "python": sys.version.split()[0],
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU",
            "runs": options.runs,
            "clock": options.clock,
            "generated": generated,
            "rows": [asdict(r) for r in bench.rows],
        }
        options.json.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"Mätningen avbröts: {exc}")
