"""Benchmark: kronobarn's start-up and reminders, each beside the floor it is measured against.

Usage: python bench/run.py [--cases N ...] [--runs K] [--json FILE]

Every figure is a ratio taken in the same run: `--help` and `list` on an empty store against a
minimal six-command typer app doing the same; the first question of `new-case` drawn in a
pseudo-terminal against one bare `questionary.text` prompt drawn the same way; `remind --json` and
`list --json` over a generated store against `cat` of the same files; `remind --json` on the
PostgreSQL team store against the same command on the files (when a server can be started here,
as the tests start one; else that row is left out and the reason printed). Medians of K runs
(default 5), each side's runs taken in turn with its floor's. Not part of the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from remind import generated

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
# The first question `new-case` asks, and the bare prompt's: the clock stops when it is drawn.
FIRST_QUESTION = "Barnets namn eller initialer"
BARE_QUESTION = "Namn?"


def seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=env)  # noqa: S603 - ours
    return time.perf_counter() - started


def seconds_to_prompt(command: list[str], question: str, env: dict[str, str]) -> float:
    """Seconds from starting `command` in a pseudo-terminal until `question` is on the screen."""
    import pexpect  # noqa: PLC0415 - only this row needs it

    started = time.perf_counter()
    child = pexpect.spawn(
        command[0], command[1:], env=env, encoding="utf-8", dimensions=(40, 100), timeout=30
    )
    try:
        child.expect_exact(question)
        return time.perf_counter() - started
    finally:
        child.terminate(force=True)


def paired_medians(
    ours: Callable[[], float], floor: Callable[[], float], runs: int
) -> tuple[float, float]:
    """Medians of `runs` timings of each, taken in turn, so that a change in the machine's load
    during the run falls on both sides of the ratio alike."""
    mine, other = [], []
    for _ in range(runs):
        mine.append(ours())
        other.append(floor())
    return statistics.median(mine), statistics.median(other)


def store_of(count: int, home: Path) -> None:
    directory = home / "arenden"
    directory.mkdir(parents=True, mode=0o700)
    template = generated(0, date(2026, 11, 23))
    for index in range(count):
        case_id = f"{index:06d}".translate(str.maketrans("01", "ab"))
        case = template.model_copy(update={"id": case_id})
        (directory / f"{case_id}.json").write_text(case.model_dump_json(), encoding="utf-8")


def postgres_server() -> Any:
    """The tests' PostgreSQL (`tests/pg.py`), or None (saying why) when none can start here."""
    try:
        from tests import pg  # noqa: PLC0415

        from kronobarn_cli import pgstore  # noqa: F401, PLC0415 - needs psycopg
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
    from kronobarn_cli import pgstore, store_moves  # noqa: PLC0415

    url = server.url(server.new_database())
    store = pgstore.PgStore(url, home=home)
    pgstore.init(store, "bench")
    moved = store_moves.import_directory(store, home)
    store.close()
    assert not moved.problems, moved.problems[:3]
    return str(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    options = parser.parse_args()
    kronobarn = [sys.executable, "-m", "kronobarn_cli"]
    rows: list[dict[str, object]] = []
    server = postgres_server()
    with tempfile.TemporaryDirectory() as work, contextlib.ExitStack() as cleanup:
        if server is not None:
            cleanup.callback(server.stop)
        floor = Path(work) / "floor.py"
        floor.write_text(FLOOR_APP, encoding="utf-8")
        empty = Path(work) / "empty"
        env = {"KRONOBARN_HOME": str(empty), "PATH": "/usr/bin:/bin", "COLUMNS": "100"}

        def record(what: str, mine: float, floor_name: str, other: float) -> None:
            rows.append(
                {
                    "what": what,
                    "seconds": round(mine, 3),
                    "floor": floor_name,
                    "floor_seconds": round(other, 3),
                    "ratio": round(mine / other, 2),
                }
            )

        def row(what: str, ours: list[str], base: list[str], floor_name: str) -> None:
            mine, other = paired_medians(
                lambda: seconds(ours, env), lambda: seconds(base, env), options.runs
            )
            record(what, mine, floor_name, other)

        row("kronobarn --help", [*kronobarn, "--help"], [sys.executable, str(floor), "--help"],
            "typer-app --help")  # fmt: skip
        row("kronobarn list (tom)", [*kronobarn, "list"], [sys.executable, str(floor), "a"],
            "typer-app a")  # fmt: skip
        bare = Path(work) / "bare_prompt.py"
        bare.write_text(BARE_PROMPT, encoding="utf-8")
        pty_env = {**env, "KRONOBARN_HOME": str(Path(work) / "pty"), "TERM": "xterm"}
        mine, other = paired_medians(
            lambda: seconds_to_prompt([*kronobarn, "new-case"], FIRST_QUESTION, pty_env),
            lambda: seconds_to_prompt([sys.executable, str(bare)], BARE_QUESTION, pty_env),
            options.runs,
        )
        record("new-case, första frågan (pty)", mine, "questionary.text (pty)", other)
        for count in options.cases:
            home = Path(work) / f"store-{count}"
            store_of(count, home)
            env["KRONOBARN_HOME"] = str(home)
            files = sorted(str(p) for p in (home / "arenden").glob("*.json"))
            cat = [shutil.which("cat") or "cat", *files]
            row(f"remind --json, {count} ärenden", [*kronobarn, "remind", "--json",
                "--today", "2026-11-23"], cat, "cat")  # fmt: skip
            row(f"list --json, {count} ärenden", [*kronobarn, "list", "--json"], cat, "cat")
            if server is not None:
                remind = [*kronobarn, "remind", "--json", "--today", "2026-11-23"]
                team = {**env, "KRONOBARN_STORE": team_store_of(server, home)}
                mine, files_only = paired_medians(
                    lambda: seconds(remind, team),  # noqa: B023 - called in this iteration
                    lambda: seconds(remind, env),  # noqa: B023
                    options.runs,
                )
                rows.append({"what": f"remind --json, {count} ärenden, PostgreSQL",
                             "seconds": round(mine, 3), "floor": "remind --json, filer",
                             "floor_seconds": round(files_only, 3),
                             "ratio": round(mine / files_only, 2)})  # fmt: skip
    width = max(len(str(r["what"])) for r in rows)
    for r in rows:
        print(f"{r['what']:<{width}}  {r['seconds']:>7.3f} s  {r['floor']:<22} "
              f"{r['floor_seconds']:>7.3f} s  {r['ratio']:>5.2f}×")  # fmt: skip
    if options.json is not None:
        options.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
