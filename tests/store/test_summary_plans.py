"""How the summary index reads `remind --organisation` (issue 26): the plan SQLite takes for the
statements of `SummaryReader._select`, with the statistics of a store of 10,000 cases, and the
same reminders as read from the cases."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kronobarn_cli.domain import query as remind_options
from kronobarn_cli.domain.case import Case, Child, Consent
from kronobarn_cli.domain.meeting import Meeting, PlanAction
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.index import CaseIndex
from kronobarn_cli.store.summary import CaseReader

TODAY = date(2026, 11, 23)
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ORGANISATIONS = [
    OrganisationRef(id="skola", name="Skola"),
    OrganisationRef(id="socialtjanst", name="Socialtjänst"),
    OrganisationRef(id="polis", name="Polis"),
    OrganisationRef(id="vardcentral", name="Vårdcentral"),
]
# `sqlite_stat1` of the index of bench/generate.py's 10,000 cases, as `CaseIndex._analyse`
# left it: with them SQLite read one coordinator's rows through the index by coordinator.
STATISTICS = [
    ("reminders", "undated", "1550 1"),
    ("reminders", "by_file", "21594 4"),
    ("reminders", "by_coordinator", "20680 401 9 1 1 1 1"),
    ("reminders", "reminders", "10800 401 7 1 1 1 1"),
]


ID_LETTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def _case_id(number: int) -> str:
    return "aaaa" + ID_LETTERS[number // len(ID_LETTERS)] + ID_LETTERS[number % len(ID_LETTERS)]


def _case(number: int) -> Case:
    coordinator = ORGANISATIONS[number % 3]
    responsible = ORGANISATIONS[(number // 3) % 4]
    day = TODAY + timedelta(days=number % 40 - 20)
    meeting = Meeting(
        number=1, started=AT, finished=True, held_on=TODAY - timedelta(days=30),
        attendees=ORGANISATIONS, coordinator=coordinator, next_meeting=day,
        actions=[PlanAction(what=f"Insats {number}", organisation=responsible, due=day,
                            area="trygg", status="planerad")],  # type: ignore[arg-type]
        next_participants=[coordinator],
    )  # fmt: skip
    consent = Consent(giver="vardnadshavare-1", form="skriftlig", given_on=date(2026, 10, 1),
                      organisations=ORGANISATIONS)  # fmt: skip
    return Case(id=_case_id(number), created=AT, updated=AT, child=Child(name=f"Barn {number}"),
                status="aktiverad", consents=[consent], meetings=[meeting])  # fmt: skip


@pytest.fixture
def index(isolated: Path) -> Iterator[CaseIndex]:
    store = CaseStore(isolated)
    for number in range(40):
        store.save(_case(number))
    found = store.indexed(TODAY)
    assert found is not None
    reader = found[0]
    assert isinstance(reader, CaseIndex)
    db = reader._connect()
    db.execute("DELETE FROM sqlite_stat1")
    db.executemany("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", STATISTICS)
    db.execute("ANALYZE sqlite_schema")  # the statistics read anew
    yield reader
    store.close()


def _query(**changes: Any) -> remind_options.Query:
    return remind_options.Query(today=TODAY, until=TODAY + timedelta(days=14), **changes)


def _statements(index: CaseIndex, query: remind_options.Query) -> list[tuple[str, Any]]:
    """The statements `remind --json` runs for `query`, as they were run."""
    ran: list[tuple[str, Any]] = []
    rows = index._rows

    def recorded(statement: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        ran.append((statement, params))
        return rows(statement, params)

    index._rows = recorded  # type: ignore[method-assign]
    try:
        list(index.reminders_json(query))
    finally:
        del index._rows
    return ran


def _plan(db: sqlite3.Connection, statement: str, params: dict[str, Any]) -> str:
    return "; ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", params))


@pytest.mark.parametrize("overdue", [False, True])
def test_one_coordinators_rows_are_sorted_not_read_through_the_whole_index_by_coordinator(
    index: CaseIndex, overdue: bool
) -> None:
    """Through the index by coordinator, SQLite looked up every row of the index in the table
    to keep the few of one coordinator: twice the time of sorting those (10,000 cases)."""
    query = _query(organisation="Skola", organisation_id="skola", by_coordinator=True,
                   overdue_only=overdue)  # fmt: skip
    ran = _statements(index, query)
    dated = [(s, p) for s, p in ran if "AND dated = 1" in s]
    assert len(dated) == 1
    plan = _plan(index._connect(), *dated[0])
    assert "by_coordinator" not in plan, plan
    # Without an organisation the index by coordinator gives all the rows in order, unsorted.
    everyone = [
        (s, p) for s, p in _statements(index, _query(by_coordinator=True)) if "AND dated = 1" in s
    ]
    assert "USING INDEX by_coordinator" in _plan(index._connect(), *everyone[0])


def test_an_organisation_whose_id_is_its_name_is_asked_about_once(index: CaseIndex) -> None:
    ran = _statements(index, _query(organisation="Skola", organisation_id="skola"))
    assert ran and all("org_id" not in params for _, params in ran)
    ran = _statements(index, _query(organisation="Vårdcentral", organisation_id="vardcentral"))
    assert ran and all(params["org_id"] == "vardcentral" for _, params in ran)


@pytest.mark.parametrize(
    "changes",
    [
        {"organisation": "Skola", "organisation_id": "skola"},
        {"organisation": "Skola", "organisation_id": "skola", "by_coordinator": True},
        {
            "organisation": "Polis",
            "organisation_id": "polis",
            "by_coordinator": True,
            "overdue_only": True,
        },
        {"organisation": "Vårdcentral", "organisation_id": "vardcentral"},
        {"organisation": "SOCIALTJÄNST", "by_coordinator": True},
        {"by_coordinator": True},
    ],
)
def test_the_index_gives_the_reminders_of_the_cases(
    index: CaseIndex, isolated: Path, changes: dict[str, Any]
) -> None:
    query = _query(**changes, with_names=True)
    store = CaseStore(isolated)
    expected = list(CaseReader(store.iter_cases(), TODAY).reminders_json(query))
    assert expected
    assert list(index.reminders_json(query)) == expected
    assert list(index.reminders_csv(query)) == list(
        CaseReader(store.iter_cases(), TODAY).reminders_csv(query)
    )
