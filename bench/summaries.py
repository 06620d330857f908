"""What `summary_of` (store/summary_rows.py) costs a case on the cold path, against validating it.

Usage: python bench/summaries.py [--cases N] [--runs K] [--store HOME]

The cold `remind` and `list` (no index beside the case files) validate every case file and turn
it into summary rows. This measures the second part per case, on three days, against the first
(`Case.model_validate_json` of the same bytes, the floor a case costs anyway), in this process
and the same run. The store is generated (bench/generate.py) into a temporary directory, or
read from HOME/arenden with --store. Figures are medians of K runs (default 7) of CPU time.
Not part of the tests (figures go in no timed test); a run before and after a change, on the
same machine, gives the ratio to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402 - beside this file, not installed

from kronobarn_cli.domain.case import Case  # noqa: E402
from kronobarn_cli.store.summary_rows import summary_of  # noqa: E402

DAYS = (date(2026, 11, 23), date(2027, 3, 1), date(2028, 1, 1))


def _cpu(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def measure(files: list[tuple[str, bytes]], runs: int) -> None:
    """Print µs a case for validation and for `summary_of` on each day, and their ratio: the
    median of K runs, each timing the two in turn (the machine may be shared)."""
    cases = [(name, Case.model_validate_json(raw)) for name, raw in files]

    def validate() -> None:
        for _, raw in files:
            Case.model_validate_json(raw)

    count = len(files)
    for day in DAYS:

        def summarise(day: date = day) -> None:
            for name, case in cases:
                summary_of(case, day, name)

        floors, ours = [], []
        for _ in range(runs):
            floors.append(_cpu(validate) / count)
            ours.append(_cpu(summarise) / count)
        ratio = statistics.median(o / f for o, f in zip(ours, floors, strict=True))
        print(
            f"{count:,} cases on {day}: summary_of {statistics.median(ours) * 1e6:6.1f} µs a case,"
            f" Case.model_validate_json {statistics.median(floors) * 1e6:6.1f} µs"
            f"   summary_of ÷ validation {ratio:5.2f}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None, help="read HOME/arenden instead")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        home = options.store
        if home is None:
            home = Path(temporary) / "home"
            generate.generate(home, options.cases)
        paths = sorted((home / generate.CASES_DIR).glob("*.json"))
        files = [(p.stem, p.read_bytes()) for p in paths]
        measure(files, options.runs)


if __name__ == "__main__":
    main()
