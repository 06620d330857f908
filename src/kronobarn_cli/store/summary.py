"""What `list` and `remind` read without reading a case: one row per case and one per
reminder it may give, kept beside the cases by the store that holds them (the index beside
the files, `index.py`; the team store's tables, `pgstore.py`), and read with the same SQL.

A reminder row holds what does not depend on the day it is read (`remind.candidates`), and
the parts of its JSON and CSV that are text already written; the day, the days left and
whether it is overdue are added by the query. Rows are read in the order `remind` prints
them, one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kronobarn_cli.errors import CaseFileError
from kronobarn_cli.store.summary_rows import (
    LAST_DAY,
    json_item,
)
from kronobarn_cli.support.csv_rows import csv_line
from kronobarn_cli.support.lazy import LazyModule

# Reading the rows needs neither the case model (pydantic) nor the rules of reminders: they
# are imported when a row is written (start-up time is measured).
if TYPE_CHECKING:
    from kronobarn_cli.domain import reminders as rules
    from kronobarn_cli.domain import summaries
    from kronobarn_cli.domain.case import Case
    from kronobarn_cli.domain.query import Query
else:
    rules = LazyModule("kronobarn_cli.domain.reminders")
    summaries = LazyModule("kronobarn_cli.domain.summaries")


@dataclass
class Listing:
    """What `refresh` found: files that cannot be read are reported, never fatal."""

    broken: list[str]


@dataclass(frozen=True)
class Dialect:
    """Where SQLite and PostgreSQL differ in the SQL of the queries."""

    table: str
    """The reminder rows."""
    listed: str
    """The statement that gives the `list --json` items of readable cases, in order."""
    cells: str
    """The same cases' `CELLS` (the fields of those items the `list` table shows), in order,
    taken out of the items by the database (in C: no item parsed into a dict in Python)."""
    param: str
    """A bound parameter, with `{}` for its name."""
    waited: str
    """The day a case waiting for consent is due, with `{due}` for the day it was created."""
    days: str
    """Days from the query's day to `{due}`."""
    unordered: str
    """`{}`, a column, as an expression no index gives in order: for a sort the planner
    would otherwise do by reading an index of all the rows in order (see `_select`)."""

    def p(self, name: str) -> str:
        return self.param.format(name)


CELLS = ("id", "child", "status_text", "meetings", "updated")
"""What the `list` table shows of a case's `list --json` item, in this order."""

SQLITE = Dialect(
    table="reminders",
    listed="SELECT listed FROM files WHERE error IS NULL ORDER BY name",
    cells="SELECT "  # noqa: S608
    + ", ".join(f"json_extract(listed, '$.{key}')" for key in CELLS)
    + " FROM files WHERE error IS NULL ORDER BY name",
    param=":{}",
    waited="date({due}, :waited)",
    days="CAST(julianday({due}) - julianday(:today) AS INTEGER)",
    unordered="+{}",
)
POSTGRES = Dialect(
    table="kronobarn.reminders",
    listed='SELECT listed FROM kronobarn.cases WHERE listed IS NOT NULL ORDER BY id COLLATE "C"',
    cells="SELECT "  # noqa: S608
    + ", ".join(f"item ->> '{key}'" for key in CELLS)
    + " FROM kronobarn.cases, LATERAL (SELECT CAST(listed AS json) AS item) AS parsed"
    ' WHERE listed IS NOT NULL ORDER BY id COLLATE "C"',
    param="%({})s",
    waited="to_char(CAST({due} AS date) + CAST(%(consent_days)s AS integer), 'YYYY-MM-DD')",
    days="(CAST({due} AS date) - CAST(%(today)s AS date))",
    unordered="{}",  # the planner weighs a sort by its statistics (migration 0005's indexes)
)


class SummaryReader:
    """`list` and `remind` over summary rows (see the module's doc). A store's reader says how
    a statement is run (`_rows`) in its dialect."""

    dialect: Dialect = SQLITE

    def _rows(self, statement: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError

    def listed_json(self) -> Iterator[str]:
        """`list --json` items (as `json_item` writes them), in the order of the cases."""
        for (item,) in self._rows(self.dialect.listed, {}):
            yield item

    def listed(self) -> Iterator[dict[str, Any]]:
        """`list` rows in the documented JSON shape, in the order of the cases."""
        return (json.loads(item) for item in self.listed_json())

    def listed_cells(self) -> Iterator[tuple[Any, ...]]:
        """The `CELLS` of `listed`'s rows, in the same order."""
        return self._rows(self.dialect.cells, {})

    def _select(self, query: Query, columns: str) -> Iterator[tuple[Any, ...]]:
        """The reminders of the query's day (the rows up to date for that day) in the order
        of `remind.reminders`, read one at a time: `columns`, where `{due}` stands for the day
        it is due and `{days}` for the days left to it.

        The rows are kept in that order (by organisation; an index by coordinator), so
        reminders with a date of their own are read without a sort; the few due on the day
        asked about, or after a wait, are sorted apart and merged in.
        """
        d = self.dialect
        group = "group_coordinator" if query.by_coordinator else "group_organisation"
        due = (
            f"CASE WHEN dated = 1 THEN due WHEN after_waiting = 1 "
            f"THEN {d.waited.format(due='due')} ELSE {d.p('today')} END"
        )
        kinds = {f"k{i}": kind for i, kind in enumerate(query.kinds)}
        where = [f"kind IN ({', '.join(d.p(key) for key in kinds) or 'NULL'})"]
        params: dict[str, Any] = {
            "today": query.today.isoformat(),
            "waited": f"+{query.consent_days} days",
            "consent_days": query.consent_days,
            "until": query.until.isoformat(),
            **kinds,
        }
        if not query.include_handed_over:
            where.append("status != 'overlamnad'")
        if query.case_id is not None:
            where.append(f"case_id = {d.p('case_id')}")
            params["case_id"] = query.case_id
        where.append(f"({due} IS NULL OR {due} <= {d.p('until')})")
        where.append(f"(after_waiting = 0 OR {d.p('today')} > {due})")
        if query.overdue_only:
            where.append(f"{due} < {d.p('today')}")
        if query.organisation:  # "" matches everything, as in `remind.selected`
            params["org"] = query.organisation.casefold()
            coordinating = f"coordinator_key = {d.p('org')}"
            responsible = f"(organisation_key = {d.p('org')} OR organisation_id_key = {d.p('org')})"
            org_id = None if query.organisation_id is None else query.organisation_id.casefold()
            if org_id is not None and org_id != params["org"]:
                params["org_id"] = org_id
                responsible = f"({responsible} OR organisation_id_key = {d.p('org_id')})"
            where.append(
                coordinating if query.by_coordinator else f"({coordinating} OR {responsible})"
            )
        payload = columns.replace("{days}", d.days).replace("{due}", due)
        key = f"{group}, COALESCE({due}, '{LAST_DAY}'), case_id, kind, name, seq"
        condition = " AND ".join(where)
        # Only the fixed fragments above are joined into the statements; values are bound.
        undated = list(
            self._rows(
                f"SELECT {key}, {payload} FROM {d.table} "  # noqa: S608
                f"WHERE {condition} AND dated = 0 ORDER BY 1, 2, 3, 4, 5, 6",
                params,
            )
        )
        # For one coordinator's rows, SQLite would read the index by coordinator in order,
        # and look up each of all the rows in it; a sort of the rows found is cheaper (half,
        # at 10,000 cases; no slower when they are all of one coordinator).
        by = d.unordered.format(group) if query.organisation and query.by_coordinator else group
        order = f"ORDER BY {by}, due_key, case_id, kind, name, seq"
        condition_dated = f"{condition} AND dated = 1"
        if query.overdue_only:
            # An overdue row with a date of its own is due on `due_key`: a range of the key
            # (read as one in each group, see `index.CaseIndex._analyse`).
            condition_dated += f" AND due_key < {d.p('today')}"
        if not undated:
            return self._rows(
                f"SELECT {payload} FROM {d.table} WHERE {condition_dated} {order}",  # noqa: S608
                params,
            )
        dated = self._rows(
            f"SELECT {key}, {payload} FROM {d.table} WHERE {condition_dated} {order}",  # noqa: S608
            params,
        )
        return _merged(dated, undated)

    def reminders(self, query: Query) -> Iterator[dict[str, Any]]:
        """The query's reminders in the documented JSON shape, with the `group` they are
        shown under."""
        for row in self.reminder_rows(query):
            days = row[4]
            yield {
                "case_id": row[1],
                "kind": row[2],
                "due_date": row[3],
                "days_left": days,
                "overdue": days is not None and days < 0,
                "organisation_id": row[5],
                "organisation": row[6],
                "coordinator": row[7],
                "text": row[8],
                "child": row[9],
                "group": row[0],
            }

    def reminder_rows(self, query: Query) -> Iterator[tuple[Any, ...]]:
        """The query's reminders as tuples: group, case id, kind, due date, days left,
        organisation id, organisation, coordinator, text, child (None without `with_names`)."""
        group = "group_coordinator" if query.by_coordinator else "group_organisation"
        child = "child" if query.with_names else "NULL"
        columns = (
            f"{group}, case_id, kind, {{due}}, {{days}}, organisation_id, organisation, "
            f"coordinator, text, {child}"
        )
        return self._select(query, columns)

    def reminders_json(self, query: Query) -> Iterator[tuple[str, bool]]:
        """The query's reminders as `json_item` writes them, each with whether it is overdue:
        the fragments that do not depend on the day were written with the row."""
        item = (
            "head || '    \"due_date\": ' || COALESCE('\"' || {due} || '\"', 'null') "
            "|| ',\n    \"days_left\": ' || COALESCE(CAST({days} AS TEXT), 'null') "
            "|| ',\n    \"overdue\": ' || CASE WHEN {days} < 0 THEN 'true' ELSE 'false' END "
            "|| ',\n' || tail || '    \"child\": ' || "
            + ("child_json" if query.with_names else "'null'")
            + " || '\n  }'"
        )
        overdue = "CASE WHEN {days} < 0 THEN 1 ELSE 0 END"
        for text, late in self._select(query, f"{item}, {overdue}"):
            yield text, bool(late)

    def reminders_csv(self, query: Query) -> Iterator[tuple[str, bool]]:
        """The query's reminders as `outputs.csv_line` writes them, each with whether it is
        overdue."""
        line = (
            "csv_head || COALESCE({due}, '') "
            "|| ',' || COALESCE(CAST({days} AS TEXT), '') "
            "|| ',' || CASE WHEN {days} < 0 THEN 'true' ELSE 'false' END "
            "|| csv_tail || " + ("child_csv" if query.with_names else "''")
        )
        overdue = "CASE WHEN {days} < 0 THEN 1 ELSE 0 END"
        for text, late in self._select(query, f"{line}, {overdue}"):
            yield text, bool(late)


def _merged(
    dated: Iterator[tuple[Any, ...]], undated: list[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """Two streams in the order of their first six columns (unique: a reminder's key) as one,
    without those columns: `heapq.merge`, with the few `undated` rows compared only until
    they are all placed."""
    waiting = len(undated)
    i = 0
    for row in dated:
        while i < waiting and undated[i] < row:
            yield undated[i][6:]
            i += 1
        yield row[6:]
    for row in undated[i:]:
        yield row[6:]


class CaseReader(SummaryReader):
    """`list` and `remind` computed from the cases themselves, one at a time: where no summary
    rows can be used (a case directory the index cannot be kept in, `remind --case`), and the
    reference the summary rows are tested against. A case that cannot be read is added to
    `listing.broken` as it is met."""

    def __init__(self, items: Iterable[Case | CaseFileError], day: date) -> None:
        self._items = items
        self._day = day
        self.listing = Listing([])

    def _cases(self) -> Iterator[Case]:
        for item in self._items:
            if isinstance(item, CaseFileError):
                self.listing.broken.append(item.message)
            else:
                yield item

    def listed(self) -> Iterator[dict[str, Any]]:
        return (
            summaries.ListedCase.of(c, self._day).model_dump(mode="json") for c in self._cases()
        )

    def listed_json(self) -> Iterator[str]:
        return (json_item(row) for row in self.listed())

    def listed_cells(self) -> Iterator[tuple[Any, ...]]:
        return (tuple(row[key] for key in CELLS) for row in self.listed())

    def reminders(self, query: Query) -> Iterator[dict[str, Any]]:
        for found in rules.reminders(self._cases(), query):
            yield found.model_dump(mode="json") | {"group": rules.group_of(found, query)}

    def reminder_rows(self, query: Query) -> Iterator[tuple[Any, ...]]:
        keys = ("group", *REMINDER_ROW)
        return (tuple(row[key] for key in keys) for row in self.reminders(query))

    def reminders_json(self, query: Query) -> Iterator[tuple[str, bool]]:
        return ((json_item(row), row["overdue"]) for row in self.reminders(query))

    def reminders_csv(self, query: Query) -> Iterator[tuple[str, bool]]:
        return ((csv_line(row), row["overdue"]) for row in self.reminders(query))


REMINDER_ROW = (
    "case_id",
    "kind",
    "due_date",
    "days_left",
    "organisation_id",
    "organisation",
    "coordinator",
    "text",
    "child",
)
"""The fields of `reminder_rows`, after the group they are shown under."""


class NoSummaries(SummaryReader):
    """A store with no cases yet (no directory even): nothing to list or remind of."""

    def _rows(self, statement: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        del statement, params
        return iter(())
