"""Each framework hack of docs/architecture.md ("Framework internals") against its public way.

Usage: python bench/internals.py [--runs K]

- `_PlainOption` (cli/typer_support.py): `list` and `remind` on an empty store, as installed,
  against the same with `typer_support._plain` made a no-op (every option is Typer's own
  `TyperOption` again and coerces through a pydantic `TypeAdapter`).
- `render.tables.Table`: `list`'s table of 1,000 and 10,000 rows, against `rich.table.Table` with
  `box=HEAVY_HEAD` (the same look) printed through a `Console`.
- `render.help_page`: `kronobarn remind --help` and `kronobarn --help`, against the same with
  `Command.format_help` / `Group.format_help` put back to Typer's own (its rich help page).

Figures are medians of K runs (default 7) of CPU time, user and system: of the process for a
command (the two taking turns), in this process for a table. Not part of the tests; the figures
are written in a comment at each hack and in docs/architecture.md.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUN = "{patch}\nfrom kronobarn_cli.launch import main\nmain()"
NO_PLAIN = "import kronobarn_cli.cli.typer_support as t\nt._plain = lambda param: param"
TYPER_HELP = (
    "import kronobarn_cli.cli.typer_support as t\n"
    "from typer.core import TyperCommand, TyperGroup\n"
    "t.Command.format_help = TyperCommand.format_help\n"
    "t.Group.format_help = TyperGroup.format_help"
)


def _cpu_of(argv: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)  # noqa: S603
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _commands(runs: int, args: list[str], patch: str, env: dict[str, str]) -> tuple[float, float]:
    """Median CPU seconds of `kronobarn ARGS` as installed and with `patch`, taking turns."""
    ours: list[float] = []
    other: list[float] = []
    for _ in range(runs):
        ours.append(_cpu_of([sys.executable, "-c", RUN.format(patch=""), *args], env))
        other.append(_cpu_of([sys.executable, "-c", RUN.format(patch=patch), *args], env))
    return statistics.median(ours), statistics.median(other)


def _in_process(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return statistics.median(times)


def _rows(count: int) -> list[list[str]]:
    statuses = ("Aktiverat", "Pågående", "Avslutat", "Ej aktiverat")
    return [
        [f"{i:06x}"[:6], f"Barn Barnsson {i}", statuses[i % 4], "2026-11-30 14:05"]
        for i in range(count)
    ]


HEADERS = ["Id", "Barn", "Status", "Senast ändrat"]


def _ours(rows: list[list[str]]) -> Callable[[], object]:
    from kronobarn_cli.render.tables import Table  # noqa: PLC0415 - after sys.path is set

    def draw() -> object:
        sink = io.StringIO()
        for line in Table(HEADERS, width=100, wrap=1, color=False).lines("Ärenden", rows):
            sink.write(line + "\n")
        return sink

    return draw


def _rich(rows: list[list[str]]) -> Callable[[], object]:
    from rich import box  # noqa: PLC0415
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    def draw() -> object:
        console = Console(file=io.StringIO(), width=100, color_system=None)
        table = Table(*HEADERS, title="Ärenden", box=box.HEAVY_HEAD)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return console

    return draw


def _line(what: str, ours: float, public: float, public_name: str) -> None:
    print(
        f"{what:<34} {ours * 1000:8.1f} ms   {public_name}: {public * 1000:8.1f} ms"
        f"   public/ours {public / ours:5.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    src = Path(__file__).resolve().parents[1] / "src"
    sys.path.insert(0, str(src))
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "KRONOBARN_HOME": home, "PYTHONPATH": str(src), "COLUMNS": "100"}
        env.pop("KRONOBARN_STORE", None)
        for args in (["list"], ["remind"]):
            ours, public = _commands(runs, args, NO_PLAIN, env)
            _line(f"_PlainOption: {' '.join(args)} (empty store)", ours, public, "without")
        for args in (["remind", "--help"], ["--help"]):
            ours, public = _commands(runs, args, TYPER_HELP, env)
            _line(f"help_page: {' '.join(args)}", ours, public, "Typer's")
    for count in (1_000, 10_000):
        rows = _rows(count)
        ours = _in_process(runs, _ours(rows))
        public = _in_process(max(1, runs // 2), _rich(rows))
        _line(f"tables.Table: {count:,} rows", ours, public, "rich HEAVY_HEAD")


if __name__ == "__main__":
    main()
