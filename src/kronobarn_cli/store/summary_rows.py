"""The rows a case gives `list` and `remind` (`summary_of`): the reminder columns and the parts
of their JSON and CSV written once, as the stores keep them (see `summary.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from kronobarn_cli.support.csv_rows import csv_fields
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
    first, last = rules.validity(case, day)
    coordinator = rules.coordinator_of(case)
    coordinator_name = coordinator.name if coordinator else None
    listed = json_item(summaries.ListedCase.of(case, day).model_dump(mode="json"))
    child_json = json_controls_escaped(_json(case.child.name))
    child_csv = csv_fields(["", case.child.name])[1:]
    rows = []
    for seq, c in enumerate(rules.candidates(case, day)):
        org_id = c.organisation.id if c.organisation else None
        org_name = c.organisation.name if c.organisation else None
        head = f'  {{\n    "case_id": {_json(case.id)},\n    "kind": {_json(c.kind)},\n'
        tail = (
            f'    "organisation_id": {_json(org_id)},\n'
            f'    "organisation": {_json(org_name)},\n'
            f'    "coordinator": {_json(coordinator_name)},\n'
            f'    "text": {_json(c.text)},\n'
        )
        due = c.due.isoformat() if c.due else None
        rows.append(
            (
                org_name or coordinator_name or NO_GROUP,
                due or LAST_DAY,
                case.id,
                c.kind,
                name,
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
                json_controls_escaped(head),
                json_controls_escaped(tail),
                child_json,
                csv_fields([case.id, c.kind]) + ",",
                "," + csv_fields([org_id, org_name, coordinator_name, c.text]) + ",",
                child_csv,
            )
        )
    return Summary(listed, first, last, rows)


def _key(value: str | None) -> str:
    return (value or "").casefold()


def _json(value: object) -> str:
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
