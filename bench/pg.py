"""Benchmark of the PostgreSQL team store: `remind`/`list` on it ÷ the same on the files (warm),
the connection's handshake apart from the query, and `db import` ÷ the cold index rebuild and
÷ reading and validating the same files.

Usage: python bench/pg.py [--cases N ...] [--runs K] [--clock cpu|wall] [--keep DIR] [--import-only]

Uses `bench/run.py`'s way of measuring (a command run to its end, medians of K runs taking
turns, CPU or wall-clock time) and the tests' PostgreSQL (`tests/pg.py`). Each row divides the
team store's command by the same command on the file store whose index is warm. The handshake
(connect, authenticate, the schema check) is measured in this process, apart from a query of the
summary rows on an open connection; both are printed, and the ratio with the handshake taken
out of the team store's time. `db import` of the files into an empty database is divided by
`list --json` on the files with the index removed (the cold rebuild of the index of the same
files), and by its floor: a process that reads and validates the same files and does nothing
else (`CaseStore.iter_cases`, what an import cannot do without); the difference is printed per
case. Both by the wall clock and by CPU time, the server's CPU time (this bench's own server)
counted to the import. Not part of the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests/pg.py

import generate  # beside this file, not installed
import run  # beside this file: how figures are taken

TARGET = 1.0
NAMES = {"handshake": "anslutning (handskakning + schemakontroll)"}
IMPORT_TARGET = 2.0
READ_AND_VALIDATE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from kronobarn_cli.store.moves import file_store\n"
    "for _ in file_store(Path(sys.argv[1])).iter_cases():\n"
    "    pass\n"
)
"""The floor of `db import`: its files read and validated in one process, nothing written."""


def timed(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """The median wall time and CPU time (of this process) of `action`, in seconds."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def connection_times(url: str, home: Path, runs: int) -> dict[str, tuple[float, float]]:
    """The handshake (a new `PgStore` connecting and checking the schema), and on an open
    connection the summary query of `remind --json` and of `list --json`, read to the end."""
    from kronobarn_cli.domain.query import Query  # noqa: PLC0415
    from kronobarn_cli.store.postgres import PgStore  # noqa: PLC0415

    def handshake() -> None:
        store = PgStore(url, home=home)
        store.connection()
        store.close()

    store = PgStore(url, home=home)
    day = date.fromisoformat(run.TODAY)
    query = Query(today=day, until=day + timedelta(days=14))

    def remind() -> None:
        found = store.indexed(day)
        assert found is not None
        for _ in found[0].reminders_json(query):
            pass

    def listed() -> None:
        found = store.indexed(day)
        assert found is not None
        for _ in found[0].listed_json():
            pass

    try:
        remind()  # the summaries up to date for the day, as after the commands' runs
        return {
            "handshake": timed(handshake, runs),
            "remind --json": timed(remind, runs),
            "list --json": timed(listed, runs),
        }
    finally:
        store.close()


CONNECT_ONLY = "import sys, psycopg\npsycopg.connect(sys.argv[1]).close()\n"


def connecting_process(url: str, env: dict[str, str], bench: run.Bench) -> float:
    """What a process that imports psycopg and connects costs beyond an empty one (median)."""
    connecting = run.command([sys.executable, "-c", CONNECT_ONLY, url], env)
    empty = run.command([sys.executable, "-c", "pass"], env)
    extra = []
    for _ in range(max(bench.runs, 5)):
        one, other = connecting(), empty()
        if bench.clock == "cpu":
            extra.append(one.cpu_seconds - other.cpu_seconds)
        else:
            extra.append(one.seconds - other.seconds)
    return statistics.median(extra)


def server_cpu(server: Any) -> float:
    """CPU seconds the bench's own PostgreSQL has used so far: the postmaster's, what its
    exited children used (counted to it when it reaps them), and its live children's."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        postmaster = int((server.root / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        elif parent == postmaster:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def import_row(
    bench: run.Bench,
    kronobarn: list[str],
    server: Any,
    template: str,
    home: Path,
    *,
    env: dict[str, str],
) -> None:
    """`db import` of the files into an empty database (a new one from `template` for each
    run) ÷ `list --json` on the files with the index removed, and ÷ its floor, reading and
    validating the files (`READ_AND_VALIDATE`); the three take turns. By the wall clock, and
    by CPU time with the server's counted to the import (its work is part of the import)."""
    rebuild = run.command([*kronobarn, "list", "--json"], env)
    remove_index = run.without_index(home)

    def cold_rebuild() -> run.Sample:
        remove_index()
        return rebuild()

    def imported() -> run.Sample:
        url = server.url(server.new_database(template))
        before = server_cpu(server)
        sample = run.command(
            [*kronobarn, "db", "import", str(home)], {**env, "KRONOBARN_STORE": url}
        )()
        sample.cpu_seconds += server_cpu(server) - before
        return sample

    measures = {
        "import": imported,
        "rebuild": cold_rebuild,
        "floor": run.command([sys.executable, "-c", READ_AND_VALIDATE, str(home)], env),
    }
    samples: dict[str, list[run.Sample]] = {what: [] for what in measures}
    for _ in range(bench.runs):
        for what, measured in measures.items():
            samples[what].append(measured())
    count = count_of(home)
    for clock, name in (("seconds", "väggtid"), ("cpu_seconds", "CPU, klient + server")):
        ours, rebuilt, floor = (
            statistics.median(getattr(sample, clock) for sample in samples[what])
            for what in measures
        )
        ratio = ours / rebuilt
        print(
            f"  db import, {run.thousands(count)} filer ({name}) {ours:7.3f} s; "
            f"÷ indexet byggt kallt (list --json) {rebuilt:.3f} s: {ratio:.2f}×"
            f"{run._mark(ratio, IMPORT_TARGET)}; "
            f"÷ läsa och validera filerna (golvet) {floor:.3f} s: {ours / floor:.2f}×; "
            f"utöver golvet {(ours - floor) / count * 1e6:.0f} µs per ärende",
            flush=True,
        )


def count_of(home: Path) -> int:
    return sum(1 for _ in (home / generate.CASES_DIR).glob("*.json"))


def measure(
    bench: run.Bench,
    kronobarn: list[str],
    server: Any,
    home: Path,
    *,
    env: dict[str, str],
    template: str,
    import_only: bool = False,
) -> None:
    if import_only:
        import_row(bench, kronobarn, server, template, home, env=env)
        return
    count = count_of(home)
    section = f"{run.thousands(count)} ärenden, PostgreSQL ÷ filer (varm)"
    print(f"\n{section}")
    url = str(run.team_store_of(server, home))
    team = {**env, "KRONOBARN_STORE": url}
    remind = [*kronobarn, "remind", "--today", run.TODAY]
    forms = {
        "remind --json": [*remind, "--json"],
        f"remind --json --organisation {run.ORGANISATION}": [
            *remind,
            "--json",
            "--organisation",
            run.ORGANISATION,
        ],
        "remind --json --overdue": [*remind, "--json", "--overdue"],
        "remind --json --within 30d": [*remind, "--json", "--within", "30d"],
        "list --json": [*kronobarn, "list", "--json"],
    }
    run.command(forms["remind --json"], team)()
    times = connection_times(url, home, max(bench.runs, 5))
    print(
        "  i denna process (väggtid, CPU-tid): "
        + "; ".join(
            f"{NAMES.get(what, what + ' (frågan, öppen anslutning)')} {wall * 1e3:.1f} ms, "
            f"CPU {cpu * 1e3:.1f} ms"
            for what, (wall, cpu) in times.items()
        )
    )
    handshake = times["handshake"][0 if bench.clock == "wall" else 1]
    fixed = connecting_process(url, env, bench)
    print(
        f"  en process som bara importerar psycopg och ansluter: {fixed * 1e3:.0f} ms mer än "
        "en tom python-process (vad varje kommando mot PostgreSQL betalar före frågan)"
    )
    for what, argv in forms.items():
        # The file index and the summary rows up to date for the command's day (`list` reads
        # for today, `remind` for --today: the rows are written anew when the day changes).
        run.command(argv, env)()
        run.command(argv, team)()
        row = bench.row(
            section,
            f"{what}, PostgreSQL",
            run.command(argv, team),
            run.command(argv, env),
            f"{what}, filer",
            target=TARGET,
            only="varm",
            memory_target=run.MEMORY_TARGET_MIB,
            cases=count,
        )
        state = row.states["varm"]
        without = (bench.time(state) - handshake) / bench.time(state, floor=True)
        bare = (bench.time(state) - fixed) / bench.time(state, floor=True)
        print(
            f"    utan handskakningen ({handshake * 1e3:.1f} ms): {without:.2f}×; "
            f"utan import av psycopg och anslutning ({fixed * 1e3:.0f} ms): {bare:.2f}×"
        )
    import_row(bench, kronobarn, server, template, home, env=env)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    parser.add_argument("--keep", type=Path, default=None, help="generate the stores here")
    parser.add_argument("--import-only", action="store_true", help="only the db import row")
    return parser.parse_args()


def main() -> None:
    options = arguments()
    server = run.postgres_server()
    if server is None:
        sys.exit("Ingen PostgreSQL-server kunde startas.")
    kronobarn = run.kronobarn_command()
    print(
        f"kronobarn: {run.measured_source()}; {options.runs} körningar, kvoter av "
        f"{'CPU-tid' if options.clock == 'cpu' else 'väggtid'} (db import: båda)"
    )
    bench = run.Bench(options.runs, options.clock)
    with (
        tempfile.TemporaryDirectory(prefix="kronobarn-bench-pg-") as temporary,
        contextlib.ExitStack() as cleanup,
    ):
        cleanup.callback(server.stop)
        work = options.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        template = schema_template(server, work)
        for count in options.cases:
            home = work / f"store-{count}"
            if not (home / generate.CASES_DIR).exists():
                generate.generate(home, count)
            env = {
                "KRONOBARN_HOME": str(home),
                "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
                "COLUMNS": "100",
                "LANG": "C.UTF-8",
                "HOME": str(work),
                # The kronobarn measured is the one this file is beside (the installed
                # command may be another checkout's, installed editable).
                "PYTHONPATH": str(Path(run.__file__).resolve().parents[1] / "src"),
            }
            measure(
                bench,
                kronobarn,
                server,
                home,
                env=env,
                template=template,
                import_only=options.import_only,
            )


def schema_template(server: Any, work: Path) -> str:
    """A database with the schema and the team `bench`, that each import starts from."""
    from kronobarn_cli.store import postgres as pgstore  # noqa: PLC0415

    name = server.new_database()
    store = pgstore.PgStore(server.url(name), home=work)
    pgstore.init(store, "bench")
    store.close()
    return str(name)


if __name__ == "__main__":
    try:
        main()
    except run.BenchError as exc:
        sys.exit(f"Mätningen avbröts: {exc}")
