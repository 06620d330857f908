"""Text from users is data: markup, escapes, control and bidi characters, Markdown, HTML and
spreadsheet formulas are shown literally or neutralised in every output, never interpreted."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from kronobarn_cli.domain.case import Case, Child, Consent
from kronobarn_cli.domain.meeting import Meeting, PlanAction, PlanCopy
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.support.text import has_control_characters, terminal_safe

from ..helpers import run

TODAY = date(2026, 11, 23)
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

MARKUP = "[bold]fet[/] [/x]"
ANSI = "\x1b[2J\x1b[31mröd\x1b]8;;http://x\x07länk"
BIDI = "\u202egpj.exe \u2066x\u2069 \u200f\u061c"
FORMULA = '=HYPERLINK("http://x","klicka")'
MARKDOWN = "# rubrik *fet* `kod` | cell <b>html</b> [länk](x)"
EVERYTHING = f"{MARKUP} {ANSI} {BIDI} {MARKDOWN} \x85\x9b"

OTHER = OrganisationRef(id="annan", name="=2+5")
SKOLA = OrganisationRef(id="skola", name="Skola")
BIDI_CHARS = list("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hostile_case(case_id: str = "hhhhhh") -> Case:
    """A case as a hand-edited file can hold it: the free-text fields are not re-validated."""
    meeting = Meeting(
        number=1, started=AT, finished=True, held_on=TODAY - timedelta(days=10),
        attendees=[SKOLA, OTHER], place=EVERYTHING,
        actions=[
            PlanAction(what=EVERYTHING, organisation=OTHER, person=MARKUP, due=TODAY,
                       area="trygg", status="planerad"),
            PlanAction(what=FORMULA, organisation=SKOLA, person="@SUM(1)", due=TODAY,
                       area="trygg", status="planerad"),
            PlanAction(what="\t=1+1", organisation=SKOLA, due=TODAY, area="trygg",
                       status="planerad"),
        ],
        copies=[PlanCopy(organisation=OTHER, method="post", received=False)],
        coordinator=OTHER, next_meeting=TODAY + timedelta(days=7),
    )  # fmt: skip
    consent = Consent(giver="vardnadshavare-1", form="skriftlig", given_on=date(2026, 11, 1),
                      organisations=[SKOLA, OTHER])  # fmt: skip
    return Case(id=case_id, created=AT, updated=AT, child=Child(name="-Barn [i]x[/i] <b>"),
                status="aktiverad", consents=[consent], meetings=[meeting])  # fmt: skip


@pytest.fixture
def hostile(store: CaseStore) -> Case:
    case = hostile_case()
    store.save(case)
    return case


def assert_neutralised(shown: str) -> None:
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert not any(c in shown for c in BIDI_CHARS), [hex(ord(c)) for c in shown if c in BIDI_CHARS]


def test_bidi_controls_are_control_characters() -> None:
    for character in BIDI_CHARS:
        assert has_control_characters(f"a{character}b")
        assert terminal_safe(f"a{character}b") == "a\ufffdb"


def test_show_prints_hostile_text_literally(
    capsys: pytest.CaptureFixture[str], hostile: Case
) -> None:
    result = run(capsys, "show", hostile.id)
    assert result.code == 0, result.err
    assert_neutralised(result.out)
    flat = " ".join(result.out.split())
    assert "[bold]fet[/]" in flat and "[/x]" in flat and "-Barn [i]x[/i] <b>" in flat
    assert "�[2J�[31mröd" in flat


def test_list_prints_a_hostile_child_name_literally(
    capsys: pytest.CaptureFixture[str], hostile: Case
) -> None:
    result = run(capsys, "list")
    assert result.code == 0, result.err
    assert "-Barn [i]x[/i] <b>" in result.out


def test_a_child_name_with_control_or_bidi_characters_is_reported_not_printed(
    capsys: pytest.CaptureFixture[str], store: CaseStore, hostile: Case
) -> None:
    path = store.path("kkkkkk")
    data = json.loads(store.path(hostile.id).read_text(encoding="utf-8"))
    for name in ("A\x1b[2J", "A\u202eB"):
        data.update(id="kkkkkk", child={"name": name})
        path.write_text(json.dumps(data), encoding="utf-8")
        result = run(capsys, "list")
        assert result.code == 1
        assert_neutralised(result.out + result.err)
        assert f"{path} kan inte läsas: child.name" in result.err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_remind_neutralises_hostile_text(
    capsys: pytest.CaptureFixture[str], hostile: Case, fmt: str
) -> None:
    result = run(capsys, "remind", "--format", fmt, "--with-names", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    assert_neutralised(result.out)
    if fmt == "json":
        texts = [r["text"] for r in json.loads(result.out)]
        assert f"Insats: {EVERYTHING}" in texts  # the data itself, exactly
    if fmt == "table":
        assert "[bold]fet[/]" in " ".join(result.out.split())


def test_remind_csv_never_starts_a_cell_a_spreadsheet_would_evaluate(
    capsys: pytest.CaptureFixture[str], hostile: Case
) -> None:
    result = run(capsys, "remind", "--format", "csv", "--with-names", "--today", "2026-11-23")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    cells = [cell for row in rows for key, cell in row.items() if key != "days_left"]
    assert cells and not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert not any(ch < " " for cell in cells for ch in cell)
    assert {row["organisation"] for row in rows} >= {"'=2+5"}
    assert {row["child"] for row in rows} == {"'-Barn [i]x[/i] <b>"}
    texts = {row["text"] for row in rows}
    assert f"Insats: {FORMULA}" in texts and "Insats:  =1+1" in texts
    assert "'@SUM(1)" not in texts  # a cell that only contains it later stays as it is


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_exports_neutralise_hostile_text(
    capsys: pytest.CaptureFixture[str], hostile: Case, fmt: str
) -> None:
    result = run(capsys, "export", hostile.id, "--format", fmt)
    assert result.code == 0, result.err
    assert_neutralised(result.out)
    assert "<b>" not in result.out.replace("\\<b\\>", "") or fmt == "text"
    calendar = run(capsys, "export", hostile.id, "--kind", "calendar", "--with-details")
    assert calendar.code == 0, calendar.err
    assert_neutralised(calendar.out)


def test_json_outputs_escape_invisible_characters_and_keep_the_data(
    capsys: pytest.CaptureFixture[str], hostile: Case
) -> None:
    shown = run(capsys, "show", hostile.id, "--json")
    plan = run(capsys, "plan", hostile.id, "show", "--json")
    for result in (shown, plan):
        assert result.code == 0, result.err
        assert_neutralised(result.out)
    assert json.loads(shown.out)["meetings"][0]["actions"][0]["what"] == EVERYTHING
    assert json.loads(plan.out)[0]["what"] == EVERYTHING


# views.py belongs to the consent-model work going on in parallel; these two strings reach Rich
# as markup there (a Table title and a Panel body given as str). The fix is one `Text(...)` each.


def _markup_organisation(case: Case) -> Case:
    data = json.loads(case.model_dump_json().replace('"=2+5"', '"[bold]X[/] [/y]"'))
    return Case.model_validate(data)


def test_remind_table_shows_a_hostile_organisation_name_literally(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    store.save(_markup_organisation(hostile_case()))
    result = run(capsys, "remind", "--today", TODAY.isoformat())
    assert result.code == 0, result.err
    assert "[bold]X[/] [/y]" in result.out


def test_show_prints_a_hostile_coordinator_history_literally(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    case = _markup_organisation(hostile_case())
    second = case.meetings[0].model_copy(update={"number": 2, "coordinator": SKOLA})
    case = case.model_copy(update={"meetings": [case.meetings[0], second]})
    store.save(case)
    result = run(capsys, "show", case.id)
    assert result.code == 0, result.err
    assert "Efter möte 1: [bold]X[/] [/y]" in result.out
