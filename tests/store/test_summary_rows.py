"""`summary_of`'s short cuts (issue 26) give what the long way gives: the list item without
pydantic, the reminder rows from pieces, plain text past the CSV writer and the escapes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from json.encoder import encode_basestring

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import reminders
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import status_on
from kronobarn_cli.domain.summaries import ListedCase
from kronobarn_cli.store.summary_rows import REMINDER_COLUMNS, json_item, summary_of
from kronobarn_cli.support.csv_rows import csv_field, csv_fields
from kronobarn_cli.support.text import csv_text, json_controls_escaped

from ..cases import first_meeting

DAYS = [date(2020, 1, 1), date(2026, 11, 23), date(2027, 3, 1), date(2031, 6, 1)]
TRICKY = [
    "",
    "plain",
    "Skola, klass 4",
    'sa "hej"',
    "=SUM(A1)",
    "  +46 70",
    "-1",
    "@där",
    "\u3000=vid",
    "två\nrader",
    "tab\there",
    "cr\rhere",
    "\x1b[31mröd",
    "del\x7f",
    "c1\x85",
    "rtl\u202eexe.gpj",
    "iso\u2066x",
    "mjuk\u00adavstavning",
    "nbsp\u00a0x",
    "rad\u2028skiljare",
    "emoji 😀",
    "back\\slash",
    "' redan",
]


def _written(values: list[object]) -> str:
    """The long way: the csv module's own writer over `csv_text`ed values."""
    out = io.StringIO()
    cells = [
        "" if v is None else ("true" if v else "false") if isinstance(v, bool) else v
        for v in values
    ]
    csv.writer(out, lineterminator="").writerow(
        [csv_text(c) if isinstance(c, str) else c for c in cells]
    )
    return out.getvalue()


@pytest.mark.parametrize("value", TRICKY)
def test_a_csv_field_is_what_the_csv_writer_writes(value: str) -> None:
    assert csv_fields(["x", value]) == _written(["x", value])
    assert csv_fields([value, value]) == _written([value, value])
    assert csv_fields([value]) == _written([value])
    assert csv_field(value) == _written(["", value])[1:]


def test_lines_of_other_values_are_what_the_csv_writer_writes() -> None:
    for row in ([], [""], [None], [None, ""], [True, False, 3, 2.5], ["a", None, -4, "b,c"]):
        assert csv_fields(row) == _written(list(row))


@pytest.mark.parametrize("value", TRICKY)
def test_escaping_a_json_document_is_the_same_piece_by_piece(value: str) -> None:
    document = json.dumps({"a": value, "b": [value]}, ensure_ascii=False)
    escaped = json_controls_escaped(document)
    assert json.loads(escaped) == {"a": value, "b": [value]}
    assert not any(c in escaped for c in "\x7f\x85\u202e\u2066")
    assert json_controls_escaped(encode_basestring(value)) in escaped


def _variant(case: Case, name: str, updated: datetime) -> Case:
    data = case.model_dump(mode="json")
    data["child"]["name"] = name
    data["updated"] = updated.isoformat()
    return Case.model_validate(data)


UPDATED = [
    datetime(2026, 10, 25, 16, 11, tzinfo=UTC),
    datetime(2026, 10, 25, 16, 11, 0, 123456, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 10, 25, 16, 11, 0, 500000, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
    datetime(2026, 10, 25, 16, 11, 59, 100),
]


@pytest.mark.parametrize("updated", UPDATED)
def test_the_list_item_is_the_models_json(workflow: Workflow, updated: datetime) -> None:
    case = _variant(first_meeting(workflow), 'Å. Ö. "citat" \u00e9', updated)
    for day in DAYS:
        listed = ListedCase.of(case, day).model_dump(mode="json")
        assert ListedCase.json_row(case, status_on(case, day)) == listed
        assert summary_of(case, day, case.id).listed == json_item(listed)


def test_a_case_day_is_its_parts_each_asked_alone(workflow: Workflow) -> None:
    case = first_meeting(workflow)
    for day in DAYS:
        seen = reminders.case_day(case, day)
        assert seen.candidates == list(reminders.candidates(case, day))
        assert seen.status == status_on(case, day)
        assert seen.coordinator == reminders.coordinator_of(case)
        assert (seen.first, seen.last) == reminders.validity(case, day)


@pytest.mark.parametrize("name", [n for n in TRICKY if n.strip() and "\n" not in n])
def test_reminder_rows_put_together_read_as_the_reminders(workflow: Workflow, name: str) -> None:
    """The JSON and CSV pieces of a row, written once per value, are the row's fields."""
    try:
        case = _variant(first_meeting(workflow), name, UPDATED[0])
    except ValueError:  # a control character the model refuses in a name
        pytest.skip("not a name a case can hold")
    summary = summary_of(case, date(2026, 11, 23), "namn")
    assert summary.reminders
    for row in summary.reminders:
        values = dict(zip(REMINDER_COLUMNS, row, strict=True))
        item = json.loads(values["head"] + values["tail"] + '    "child": 0\n  }')
        assert item["case_id"] == case.id
        assert item["kind"] == values["kind"]
        assert item["organisation"] == values["organisation"]
        assert item["text"] == values["text"]
        assert values["child_json"] == json_controls_escaped(encode_basestring(case.child.name))
        assert values["csv_head"] == _written([case.id, values["kind"]]) + ","
        fields = [values["organisation_id"], values["organisation"], values["coordinator"]]
        assert values["csv_tail"] == "," + _written([*fields, values["text"]]) + ","
        assert values["child_csv"] == _written(["", case.child.name])[1:]
