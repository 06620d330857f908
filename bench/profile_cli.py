"""Where a command spends its time: one kronobarn command in this process, under cProfile, over a
generated store (bench/generate.py). Not part of the tests; bench/run.py gives the figures.

Usage: python bench/profile_cli.py [--cases N] [--store HOME] [--sort KEY] [--top K] -- ARGS...
e.g.   python bench/profile_cli.py --cases 10000 -- remind --json --today 2026-11-23

The store is generated in a temporary directory, or once into HOME with --store (reused when
it is there). Output goes to /dev/null; the profile, the wall time and the peak of Python's
own allocations (tracemalloc) go to standard error.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # beside this file, not installed

from kronobarn_cli import cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=None, help="generate into (or reuse) HOME")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (e.g. tottime)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--memory", action="store_true", help="also trace allocations (slower)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the kronobarn command, after --")
    options = parser.parse_args()
    args = [a for a in options.args if a != "--"] or ["remind", "--json"]
    with tempfile.TemporaryDirectory(prefix="kronobarn-profile-") as temporary:
        home = options.store or Path(temporary)
        if not (home / generate.CASES_DIR).exists():
            made = generate.generate(home, options.cases)
            print(f"{made.count} ärenden genererade på {made.seconds:.1f} s", file=sys.stderr)
        profile = cProfile.Profile()
        with (
            Path(os.devnull).open("w", encoding="utf-8") as sink,
            contextlib.redirect_stdout(sink),
            mock.patch.dict(os.environ, {"KRONOBARN_HOME": str(home), "COLUMNS": "100"}),
        ):
            if options.memory:
                tracemalloc.start()
            started = time.perf_counter()
            profile.enable()
            with contextlib.suppress(SystemExit):
                cli.main(args)
            profile.disable()
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if options.memory else None
            tracemalloc.stop()
    stats = pstats.Stats(profile, stream=sys.stderr)
    stats.strip_dirs().sort_stats(options.sort).print_stats(options.top)
    memory = f", högst {peak / 2**20:.0f} MiB allokerat i Python" if peak is not None else ""
    print(f"kronobarn {' '.join(args)}: {elapsed:.2f} s med profilering{memory}", file=sys.stderr)


if __name__ == "__main__":
    main()
