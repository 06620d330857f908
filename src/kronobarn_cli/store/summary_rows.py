"""The rows a case gives `list` and `remind` (`summary_of`): the reminder columns and the parts
of their JSON and CSV written once, as the stores keep them (see `summary.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from kronobarn_cli.support.csv_rows import csv_field
from kronobarn_cli.support.lazy import LazyModule
from kronobarn_cli.support.text import json_controls_escaped

# Writing a row needs the case model and the rules of reminders; reading rows does not.
if TYPE_CHECKING:
    from kronobarn_cli.domain import reminders as rules
    from kronobarn_cli.domain import summaries
    from kronobarn_cli.domain.case import Case
else:
    rules = LazyModule("kronobarn_cli.domain.reminders")
    summaries = LazyModule("kronobarn_cli.domain.summaries")

NO_GROUP = "Utan ansvarig verksamhet"
LAST_DAY = date.max.isoformat()

REMINDER_COLUMNS = (
    "group_organisation",
    "due_key",
    "case_id",
    "kind",
    "name",
    "seq",
    "group_coordinator",
    "status",
    "due",
    "dated",
    "after_waiting",
    "organisation_id",
    "organisation",
    "coordinator",
    "coordinator_key",
    "organisation_key",
    "organisation_id_key",
    "text",
    "child",
    "head",
    "tail",
    "child_json",
    "csv_head",
    "csv_tail",
    "child_csv",
)
"""A reminder row, in this order. `name` is what the case is kept under (its file's name, or
its id); the first six are the order `remind` prints in."""


@dataclass(frozen=True)
class Summary:
    """What a case gives `list` and `remind` on the days `first` to `last`."""

    listed: str
    """Its `list --json` item, as `json_item` writes it."""
    first: date
    last: date
    reminders: list[tuple[Any, ...]]
    """Rows of `REMINDER_COLUMNS`."""


def summary_of(case: Case, day: date, name: str) -> Summary:
    """The summary of `case` as it stands on `day` (the same on every day of
    `remind.validity`); `name` is what the case is kept under."""
    seen = rules.case_day(case, day)
    listed = json_item(summaries.ListedCase.json_row(case, seen.status))
    rows = _Rows(case, name, seen.coordinator.name if seen.coordinator else None)
    reminders = [rows.row(seq, c) for seq, c in enumerate(seen.candidates)]
    return Summary(listed, seen.first, seen.last, reminders)


class _Rows:
    """The reminder rows of one case: what they share is written once, and each value's JSON
    and CSV forms once however many rows have it."""

    def __init__(self, case: Case, name: str, coordinator: str | None) -> None:
        self.case = case
        self.name = name
        self.coordinator = coordinator
        self._written: dict[str, tuple[str, str]] = {}
        self.child_json, self.child_csv = self._forms(case.child.name)
        self.id_json, self.id_csv = self._forms(case.id)
        self.coordinator_json, self.coordinator_csv = self._forms(coordinator)

    def _forms(self, value: str | None) -> tuple[str, str]:
        """`value` inside a JSON document (as `json_item` writes it) and in a CSV line."""
        if value is None:
            return "null", ""
        forms = self._written.get(value)
        if forms is None:
            written = encode_basestring(value)
            if not value.isprintable():  # only then can it hold a control a terminal obeys
                written = json_controls_escaped(written)
            forms = self._written[value] = written, csv_field(value)
        return forms

    def row(self, seq: int, c: rules.Candidate) -> tuple[Any, ...]:
        """The row of `REMINDER_COLUMNS` for the case's candidate number `seq`."""
        case, coordinator_name = self.case, self.coordinator
        org_id = c.organisation.id if c.organisation else None
        org_name = c.organisation.name if c.organisation else None
        kind_json, kind_csv = self._forms(c.kind)
        org_id_json, org_id_csv = self._forms(org_id)
        org_json, org_csv = self._forms(org_name)
        text_json, text_csv = self._forms(c.text)
        head = f'  {{\n    "case_id": {self.id_json},\n    "kind": {kind_json},\n'
        tail = (
            f'    "organisation_id": {org_id_json},\n'
            f'    "organisation": {org_json},\n'
            f'    "coordinator": {self.coordinator_json},\n'
            f'    "text": {text_json},\n'
        )
        due = c.due.isoformat() if c.due else None
        return (
            org_name or coordinator_name or NO_GROUP,
            due or LAST_DAY,
            case.id,
            c.kind,
            self.name,
            seq,
            coordinator_name or NO_GROUP,
            case.status,
            due,
            int(not (c.on_the_day or c.after_waiting)),
            int(c.after_waiting),
            org_id,
            org_name,
            coordinator_name,
            _key(coordinator_name),
            _key(org_name),
            _key(org_id),
            c.text,
            case.child.name,
            head,
            tail,
            self.child_json,
            f"{self.id_csv},{kind_csv},",
            f",{org_id_csv},{org_csv},{self.coordinator_csv},{text_csv},",
            self.child_csv,
        )


def _key(value: str | None) -> str:
    return (value or "").casefold()


def _json(value: object) -> str:
    if type(value) is str:  # the most of them
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return str(encode_basestring(str(value)))


def json_item(row: dict[str, Any]) -> str:
    """One item of a JSON array as `json.dumps(rows, indent=2, ensure_ascii=False)` writes it,
    terminal control characters inside strings as `\\uXXXX` (`text.json_controls_escaped`);
    a row's `group` is not part of it."""
    fields = ",\n".join(
        f'    "{key}": {_json(value)}' for key, value in row.items() if key != "group"
    )
    return json_controls_escaped("  {\n" + fields + "\n  }")
