"""Benchmark: `remind` over a generated store of many cases (not part of the test suite).

Usage: python bench/remind.py [N]   (default 10000; writes to a temporary directory)
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kronobarn_cli import remind
from kronobarn_cli.case import (
    Case,
    Child,
    Consent,
    Meeting,
    OrganisationRef,
    PlanAction,
    PlanCopy,
)
from kronobarn_cli.store import CaseStore

SKOLA = OrganisationRef(id="skola", name="Skola")
SOC = OrganisationRef(id="socialtjanst", name="Socialtjänst")


def generated(index: int, today: date) -> Case:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    due = today + timedelta(days=index % 60 - 20)
    meeting = Meeting(
        number=1, started=at, finished=True, held_on=today - timedelta(days=30),
        attendees=[SKOLA, SOC],
        actions=[PlanAction(what=f"Insats {i}", organisation=SKOLA if i % 2 else SOC,
                            due=due + timedelta(days=i), area="trygg", status="planerad")
                 for i in range(5)],
        copies=[PlanCopy(organisation=SOC, method="post", received=index % 3 == 0)],
        coordinator=SKOLA, next_meeting=today + timedelta(days=index % 90),
    )  # fmt: skip
    consent = Consent(
        giver="vardnadshavare-1",
        form="skriftlig",
        given_on=date(2026, 1, 1),
        organisations=[SKOLA, SOC],
    )
    return Case(
        id=f"{index:06d}".translate(str.maketrans("01", "ab")),
        created=at,
        updated=at,
        child=Child(name=f"Barn {index}"),
        status="aktiverad",
        consents=[consent],
        meetings=[meeting],
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    today = date(2026, 11, 23)
    with tempfile.TemporaryDirectory() as home:
        store = CaseStore(Path(home))
        store._ensure_directory()
        template = generated(0, today)
        for index in range(count):
            case = (
                generated(index, today)
                if index < 100
                else template.model_copy(
                    update={"id": f"{index:06d}".translate(str.maketrans("01", "ab"))}
                )
            )
            (store.directory / f"{case.id}.json").write_text(case.model_dump_json())
        query = remind.Query(today=today, until=today + timedelta(days=14))
        tracemalloc.start()
        started = time.perf_counter()
        cases = (c for c in store.iter_cases() if isinstance(c, Case))
        found = remind.reminders(cases, query)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        print(f"{count} ärenden: {len(found)} påminnelser på {elapsed:.2f} s, "
              f"högst {peak / 1e6:.1f} MB minne")  # fmt: skip


if __name__ == "__main__":
    main()
