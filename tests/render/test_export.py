"""Exports: golden files, parsed structure, hostile text, calendar round trip, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.render import export
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import fixed_clock, new_walk
from ..helpers import in_process
from ..scenario import (
    GUARDIAN_ORAL,
    GUARDIANS,
    INVITATION,
    activate_need,
    answer_all,
    realistic_case,
)

GOLDEN = Path(__file__).parents[1] / "golden"
HOSTILE = "Läs | *fet* _kursiv_ `kod` # rubrik <b>html</b> [länk](x) & ~~ 1. lista\nny rad \\ slut"


@pytest.fixture
def case_walk(workflow: Workflow, store: CaseStore) -> Walk:
    return realistic_case(store, workflow, fixed_clock)


def documents(walk: Walk) -> dict[str, bytes]:
    case, workflow = walk.case, walk.workflow
    return {
        "plan.md": export.plan(case, workflow, "markdown").encode(),
        "plan.txt": export.plan(case, workflow, "text").encode(),
        "inbjudan.md": export.invitations(case, workflow, "markdown").encode(),
        "inbjudan.txt": export.invitations(case, workflow, "text").encode(),
        "samtycke.txt": export.consent_note(case).encode(),
        "mote.ics": export.calendar(case),
    }


def markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def inline_text(token: Token) -> str:
    """What a reader sees of an inline token; fails on any markup inside it."""
    kinds = {child.type for child in token.children or []}
    assert kinds <= {"text", "softbreak", "hardbreak"}, kinds
    return "".join("\n" if c.type.endswith("break") else c.content for c in token.children or [])


def table_rows(tokens: list[Token], index: int) -> list[list[str]]:
    """The cells of the `index`th table, header first."""
    starts = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    rows: list[list[str]] = []
    for token in tokens[starts[index] :]:
        if token.type == "table_close":
            break
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(inline_text(token))
    return rows


def test_golden_files(case_walk: Walk) -> None:
    for name, data in documents(case_walk).items():
        path = GOLDEN / name
        if os.environ.get("KRONOBARN_UPDATE_GOLDEN"):
            path.write_bytes(data)
        assert data == path.read_bytes(), f"{name} differs from the reviewed golden file"


def test_exports_are_deterministic(case_walk: Walk, store: CaseStore) -> None:
    first = documents(case_walk)
    again = Walk(case_walk.workflow, store, store.load(case_walk.case.id), clock=fixed_clock)
    assert documents(again) == first


def test_markdown_plan_structure(case_walk: Walk) -> None:
    tokens = markdown().parse(export.plan(case_walk.case, case_walk.workflow, "markdown"))
    headings = [
        inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings == [
        "Barnets plan",
        "Deltagare",
        "Barnets bästa-hjulet",
        "Barnets och vårdnadshavarnas åsikter",
        "Insatser",
        "Fortsatt samordning",
        "Kopior av Barnets plan",
    ]
    wheel = table_rows(tokens, 0)
    # Only the areas the meeting worked with; the family's copy never says "preliminära".
    assert [row[:2] for row in wheel[1:]] == [["Trygg", "ja"], ["Utvecklas", "ja"]]
    actions = table_rows(tokens, 1)
    assert actions[0] == ["Vad", "Ska leda till", "Ansvarig", "Ansvarig person", "Senast",
                          "Område", "Status"]  # fmt: skip
    assert actions[1:] == [
        ["Anpassat schema", "", "Skola", "", "15 januari 2027", "Utvecklas", "Planerad"],
        ["Stödsamtal", "", "Socialtjänst", "", "15 januari 2027", "Utvecklas", "Pågående"],
        ["Läxhjälp", "", "Skola", "", "15 januari 2027", "Utvecklas", "Klar"],
    ]
    copies = table_rows(tokens, 2)
    assert [row[0] for row in copies[1:]] == ["Skola", "Socialtjänst"]
    assert tokens[-2].type == "inline" and "ersätter inte respektive professions" in (
        tokens[-2].content
    )


def test_plain_text_prints_on_a4(case_walk: Walk) -> None:
    text = export.plan(case_walk.case, case_walk.workflow, "text")
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not any(line.lstrip().startswith(("#", "|", "- ", "* ", "**")) for line in lines)
    assert "15 januari 2027" in text and "Socialtjänst" in text
    text.encode("utf-8")


@pytest.fixture
def hostile_walk(workflow: Workflow, store: CaseStore) -> Walk:
    walk = realistic_case(store, workflow, fixed_clock, name="Ö*|`#<i>")
    meeting = walk.case.meetings[0].model_dump()
    meeting["actions"][0]["what"] = HOSTILE
    meeting["actions"][0]["person"] = "Kim | <script>"
    meeting["child_view"] = {"expressed": True, "text": HOSTILE}
    meeting["place"] = HOSTILE
    data = walk.case.model_dump()
    data["meetings"] = [meeting]
    walk.case = type(walk.case).model_validate(data)
    return walk


def test_hostile_text_stays_text_in_markdown(hostile_walk: Walk) -> None:
    tokens = markdown().parse(export.plan(hostile_walk.case, hostile_walk.workflow, "markdown"))
    rows = table_rows(tokens, 1)
    assert len(rows) == 4 and all(len(row) == 7 for row in rows)  # the table holds
    assert rows[1][0] == " ".join(HOSTILE.split())  # one line in a cell
    assert rows[1][3] == "Kim | <script>"
    paragraphs = [t for t in tokens if t.type == "inline" and HOSTILE[:4] in t.content]
    child_view = next(t for t in paragraphs if t.content.startswith("**Barnet"))
    shown = "".join(
        "\n" if c.type == "hardbreak" else c.content
        for c in child_view.children or []
        if c.type in ("text", "hardbreak")
    )
    assert shown.endswith(HOSTILE)
    kinds = [c.type for c in child_view.children or []]
    assert kinds.count("strong_open") == 1 and "code_inline" not in kinds
    assert "html_inline" not in {t.type for t in tokens} | {
        c.type for t in tokens for c in t.children or []
    }
    child_item = next(t for t in tokens if t.type == "inline" and t.content.startswith("**Barn:**"))
    assert "".join(c.content for c in child_item.children or [] if c.type == "text").endswith(
        "Ö*|`#<i> (född 2014)"
    )


def test_hostile_text_keeps_the_plain_text_layout(hostile_walk: Walk) -> None:
    text = export.plan(hostile_walk.case, hostile_walk.workflow, "text")
    assert max(len(line) for line in text.splitlines()) <= 80
    flat = " ".join(text.split())
    assert " ".join(HOSTILE.split()) in flat
    assert "\x1b" not in text


def test_invitation_letter_per_invitee(case_walk: Walk) -> None:
    md = export.invitations(case_walk.case, case_walk.workflow, "markdown")
    tokens = markdown().parse(md)
    titles = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens)
              if t.type == "heading_open" and t.tag == "h1"]  # fmt: skip
    assert titles == ["Samverkansmöte enligt Kronobarnsmodellen"] * 2
    assert sum(1 for t in tokens if t.type == "hr") == 1
    for expected in ("Maria Lind", "0470-123 45", "20 december 2026 kl. 09:30", "Rum 3",
                     "Elsa K. (född 2014)", "Trygg", "Utvecklas"):  # fmt: skip
        assert expected in md
    only = export.invitations(case_walk.case, case_walk.workflow, "text", "Socialtjänst")
    assert only.count("SAMVERKANSMÖTE ENLIGT KRONOBARNSMODELLEN") == 1
    assert "Till:      Socialtjänst" in only
    with pytest.raises(KronobarnError, match="heter 'polis'"):
        export.invitations(case_walk.case, case_walk.workflow, "text", "polis")


def test_consent_note_is_the_prescribed_line(case_walk: Walk) -> None:
    assert export.consent_note(case_walk.case) == (
        "Samtycke har lämnats muntligen den 20 november 2026 för kontakt med Skola och "
        "Socialtjänst.\n"
    )


def test_calendar_round_trip_without_and_with_details(case_walk: Walk) -> None:
    plain = icalendar.Calendar.from_ical(export.calendar(case_walk.case))
    [event] = plain.walk("VEVENT")
    assert event["SUMMARY"] == "Samverkansmöte, ärende k3m9qa"
    assert event.decoded("DTSTART") == date(2027, 2, 1)
    assert "Elsa" not in str(event["DESCRIPTION"])
    assert "LOCATION" not in event
    detailed = icalendar.Calendar.from_ical(export.calendar(case_walk.case, with_details=True))
    [event] = detailed.walk("VEVENT")
    assert "Barn: Elsa K. (född 2014)" in str(event["DESCRIPTION"])
    assert "Samordnare: Skola" in str(event["DESCRIPTION"])


def test_calendar_for_a_meeting_being_planned_has_its_time(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL]), *INVITATION])
    [event] = icalendar.Calendar.from_ical(export.calendar(walk.case)).walk("VEVENT")
    assert str(event.decoded("DTSTART")) == "2026-12-20 08:30:00+00:00"  # 09:30 in Sweden


def test_a_case_without_a_plan_is_refused(workflow: Workflow, store: CaseStore) -> None:
    walk = new_walk(workflow, store)
    with pytest.raises(KronobarnError, match="ingen Barnets plan"):
        export.plan(walk.case, workflow, "markdown")
    with pytest.raises(KronobarnError, match="inget inplanerat möte"):
        export.calendar(walk.case)
    with pytest.raises(KronobarnError, match="inget muntligt samtycke"):
        export.consent_note(walk.case)


# -- the command ---------------------------------------------------------------------------------


def real_process(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "kronobarn_cli", *args],
        capture_output=True,
        timeout=60,
        check=False,
    )


def kronobarn(*args: str) -> SimpleNamespace:
    """In this process; standard out as bytes, like a pipe."""
    done = in_process(*args)
    return SimpleNamespace(
        returncode=done.returncode, stdout=done.stdout_bytes, stderr=done.stderr.encode()
    )


def test_export_to_stdout_pipes(case_walk: Walk) -> None:
    run = real_process("export", "k3m9qa", "--format", "text")  # a real pipe, once
    assert run.returncode == 0, run.stderr
    assert run.stdout == (GOLDEN / "plan.txt").read_bytes()


def test_export_to_a_file_is_private_and_never_overwrites(case_walk: Walk, tmp_path: Path) -> None:
    target = tmp_path / "plan.md"
    run = kronobarn("export", "k3m9qa", "--output", str(target))
    assert run.returncode == 0, run.stderr
    assert target.read_bytes() == (GOLDEN / "plan.md").read_bytes()
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    target.write_text("mitt eget", encoding="utf-8")
    again = kronobarn("export", "k3m9qa", "--output", str(target))
    assert again.returncode == 1
    assert b"finns redan" in again.stderr
    assert target.read_text(encoding="utf-8") == "mitt eget"
    forced = kronobarn("export", "k3m9qa", "--output", str(target), "--force")
    assert forced.returncode == 0
    assert target.read_bytes() == (GOLDEN / "plan.md").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("export", "zzzzzz"), "inget ärende"),
        (("export", "k3m9qa", "--kind", "brev"), "Okänd sort"),
        (("export", "k3m9qa", "--format", "docx"), "Okänt format"),
        (("export", "k3m9qa", "--meeting", "7"), "inget möte 7"),
        (("export", "k3m9qa", "--output", "/finns/inte/plan.md"), "Kan inte skriva"),
        # A flag of another kind of export is refused, not silently ignored.
        (("export", "k3m9qa", "--kind", "calendar", "--meeting", "1"), "--meeting gäller bara"),
        (("export", "k3m9qa", "--kind", "invitation", "--meeting", "0"), "--meeting gäller"),
        (("export", "k3m9qa", "--organisation", "bup"), "--organisation gäller bara"),
        (("export", "k3m9qa", "--with-details"), "--with-details gäller bara --kind calendar"),
        (("export", "k3m9qa", "--kind", "consent-note", "--format", "text"), "--format gäller"),
        (("export", "k3m9qa", "--kind", "calendar", "--templates", "mallar"), "--templates gäller"),
    ],
)
def test_export_errors_are_one_swedish_line(
    case_walk: Walk, args: tuple[str, ...], message: str
) -> None:
    run = kronobarn(*args)
    assert run.returncode == 1
    lines = run.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: ") and message in lines[0], lines
    assert not list(Path("/").glob("finns"))


def test_a_county_can_change_the_wording_in_its_own_templates(
    case_walk: Walk, tmp_path: Path
) -> None:
    (tmp_path / "plan.txt.j2").write_text("PLAN FÖR {{ child }}: {{ actions|length }} insatser\n")
    run = kronobarn("export", "k3m9qa", "--format", "text", "--templates", str(tmp_path))
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode() == "PLAN FÖR Elsa K. (född 2014): 3 insatser\n"
    (tmp_path / "plan.md.j2").write_text("{{ finns_inte }}\n")
    broken = kronobarn("export", "k3m9qa", "--templates", str(tmp_path))
    assert broken.returncode == 1
    assert b"Mallen plan.md.j2 kan inte" in broken.stderr


@pytest.mark.parametrize(
    "typed", ["socialtjanst", "Socialtjänst", "SOCIALTJANST", "Socialtjanst", "Socialtja\u0308nst"]
)
def test_invitation_takes_the_organisation_by_id_or_name_in_any_case_or_diacritics(
    case_walk: Walk, typed: str
) -> None:
    only = export.invitations(case_walk.case, case_walk.workflow, "text", typed)
    assert only.count("SAMVERKANSMÖTE ENLIGT KRONOBARNSMODELLEN") == 1
    assert "Till:      Socialtjänst" in only
