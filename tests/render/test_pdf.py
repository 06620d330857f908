"""Print-ready PDFs: Barnets plan, invitation letters and the consent form, read back with pypdf.

The PDFs are checked for what a family and a coordinator rely on (each section's text, the
footer, the page count, A4, embedded fonts), for hostile text printed literally, and for the
limits of a county's typst template (it reads nothing but its own folder).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest

from kronobarn_cli.checklists.directory import Contact
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.render import export, pdf
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import fixed_clock
from ..helpers import run
from ..scenario import realistic_case

A4 = (595.28, 841.89)  # points
HOSTILE = (
    '#read("/etc/passwd") *fet* _kursiv_ $x^2$ ] [ } { \\ `kod` <b>html</b> @ref '
    "[red]röd[/red] | a | b | // ingen kommentar /* inte heller */ = rubrik"
)


@pytest.fixture
def case_walk(workflow: Workflow, store: CaseStore) -> Walk:
    return realistic_case(store, workflow, fixed_clock)


def pdf_text(data: bytes) -> tuple[pypdf.PdfReader, list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text without the breaks the layout adds (line ends, break opportunities)."""
    return re.sub(r"[\s\u200b]+", "", text)


def export_pdf(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> bytes:
    target = tmp_path / "ut.pdf"
    result = run(capsys, "export", *args, "--format", "pdf", "--output", str(target))
    assert result.code == 0, result.err
    return target.read_bytes()


def fonts_of(reader: pypdf.PdfReader) -> list[Any]:
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = font.get("/DescendantFonts")
            found.append(descendants[0].get_object() if descendants else font)
    return found


# -- Barnets plan ----------------------------------------------------------------------------------


def test_the_pdf_plan_has_what_the_family_needs_on_a4_with_embedded_fonts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_walk: Walk
) -> None:
    reader, pages = pdf_text(export_pdf(capsys, tmp_path, case_walk.case.id))
    text = "\n".join(pages)
    for part in (
        "Barnets plan",
        "Elsa K. (född 2014)",
        "20 december 2026 kl. 09:30",
        "Fysiskt möte, Rum 3",
        "Deltagare",
        "Vill ha lugn i klassrummet.",
        "Har inte uttryckt några åsikter.",
        "Anpassat schema",
        "15 januari 2027",
        "Pågående",
        "Maria Lind",  # the coordinator's contact person, from section 3
        "0470-123 45",
        "1 februari 2027",
        "Familjen, Skola, Socialtjänst",  # invited to the next meeting, the family first
        "ersätter inte respektive professions dokumentation",
    ):
        assert part in text, part
    # The family comes first among those who took part.
    assert text.index("Familjen: barnet/ungdomen") < text.index("Socialtjänst")
    # Only the areas in focus; the others are not listed with dashes.
    assert "Trygg, Utvecklas" in text and "Må bra" not in text and "Ansvarstagande" not in text
    assert "preliminär" not in text.lower()
    for number, page in enumerate(pages, 1):
        assert "ärende k3m9qa · möte 1" in page
        assert f"sida {number} av {len(pages)}" in page
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4
    fonts = fonts_of(reader)
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font


def test_the_pdf_plan_is_the_same_every_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_walk: Walk
) -> None:
    first = export_pdf(capsys, tmp_path, case_walk.case.id)
    (tmp_path / "ut.pdf").unlink()
    assert export_pdf(capsys, tmp_path, case_walk.case.id) == first


def hostile_case(walk: Walk, store: CaseStore) -> None:
    """Every text field hostile; 40 actions, one of them 2,000 characters without a space."""
    case = walk.case
    meeting = case.meetings[0].model_dump()
    first = meeting["actions"][0]
    meeting["actions"] = [
        {**first, "what": f"{i}: {HOSTILE}", "goal": HOSTILE, "person": "Kim | <i>$"}
        for i in range(40)
    ]
    meeting["actions"][1]["what"] = "L" * 2000
    meeting["child_view"] = {"expressed": True, "text": f"{HOSTILE}\nny rad\u202egpj.exe\x07"}
    meeting["guardian_view"] = {"expressed": True, "text": "*" * 300}
    meeting["place"] = HOSTILE
    case.meetings[0] = Meeting.model_validate(meeting)
    case.child.name = "#sys.inputs *Ö*"
    store.save(case)


def test_hostile_text_in_every_field_prints_literally_and_wraps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_walk: Walk, store: CaseStore
) -> None:
    hostile_case(case_walk, store)
    reader, pages = pdf_text(export_pdf(capsys, tmp_path, case_walk.case.id))
    text = "\n".join(pages)
    assert flat(f"0: {HOSTILE}") in flat(text) and flat(f"39: {HOSTILE}") in flat(text)
    # The long word wraps inside its cell (over a page break, so the footer comes between).
    assert sum(len(run) for run in re.findall("L{5,}", text)) == 2000
    assert "#sys.inputs *Ö*" in text
    assert "root:" not in text  # nothing of /etc/passwd
    assert "\u202e" not in text and "\x07" not in text and "gpj.exe" in text
    assert flat("*" * 300) in flat(text)
    # 40 actions run to several pages, the table's head repeated on each.
    assert len(pages) >= 4
    table_pages = [p for p in pages if "0: #read" in p or "9: #read" in p]
    assert len(table_pages) >= 3
    head = re.compile(r"Vad\s*Ska leda till\s*Ansvarig\s*Senast\s*Status")
    assert all(head.search(p) for p in table_pages)
    # Nothing runs off the page: the long word is broken into short lines, and every piece of
    # text starts inside the right margin.
    assert max(len(run) for run in re.findall("L+", text)) <= 40
    for page in reader.pages:
        starts = text_starts(page)
        assert starts and max(starts) < A4[0] - 50, max(starts)


def text_starts(page: Any) -> list[float]:
    """Where on the page (x, in points) each piece of text begins."""
    starts: list[float] = []

    def visit(text: str, _cm: Any, tm: Any, *_: Any) -> None:
        if text.strip():
            starts.append(float(tm[4]))

    page.extract_text(visitor_text=visit)
    return starts


# -- invitation and consent form ----------------------------------------------------------------


def test_the_invitation_pdf_is_one_letter_per_invited_organisation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_walk: Walk
) -> None:
    data = export_pdf(capsys, tmp_path, case_walk.case.id, "--kind", "invitation")
    _, pages = pdf_text(data)
    invited = [i.organisation.name for i in case_walk.case.meetings[0].invitees]
    assert len(pages) == len(invited) >= 1
    for page, name in zip(pages, invited, strict=True):
        assert "Samverkansmöte enligt Kronobarnsmodellen" in page
        assert re.search(rf"Till\s*{name}", page)
        assert "Maria Lind" in page and "0470-123 45" in page  # the sender and how to reach them
        assert "20 december 2026 kl. 09:30" in page and "Rum 3" in page
        assert "sida 1 av 1" in page  # each letter numbered on its own


def test_the_consent_form_has_a_block_per_giver_with_the_recorded_consent_ticked(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case_walk: Walk,
    store: CaseStore,
) -> None:
    case = case_walk.case
    case.guardians = 2  # joint custody: one signature block per guardian
    case.consent_from_each_guardian = True
    case.status = "vantar-pa-samtycke"
    store.save(case)
    # The form is PDF only, and PDF is its default.
    data = export_pdf(capsys, tmp_path, case.id, "--kind", "consent-form")
    _, pages = pdf_text(data)
    text = " ".join(" ".join(pages).split())
    for part in (
        "Samtycke till samverkan",
        "Elsa K.",
        "2014",
        "nödvändig, relevant och proportionerlig",
        "Skolgång",
        "Social situation",
        "Fysisk hälsa",
        "Psykisk hälsa",
        "inte till en enskild medarbetare",
        "ta tillbaka samtycket",
        "Personnummer (fylls i för hand; sparas inte i kronobarn)",
        "Muntligt samtycke",
        f"kronobarn consent {case.id} add --form skriftlig",
    ):
        assert part in text, part
    assert text.count("Underskrift") == 2 and text.count("Ort och datum") == 2
    assert "Vårdnadshavare 1" in text and "Vårdnadshavare 2" in text
    assert "Ungdomen själv" not in text  # judged not mature in this case
    # Guardian 1 gave oral consent for Skola and Socialtjänst: ticked, with the date.
    first, second = text.split("Vårdnadshavare 2")
    assert re.search(r"X\s*Skola", first) and re.search(r"X\s*Socialtjänst", first)
    assert "X lämnat den 20 november 2026" in first
    assert not re.search(r"X\s*(Skola|Socialtjänst)", second)


def test_the_consent_form_is_pdf_only(capsys: pytest.CaptureFixture[str], case_walk: Walk) -> None:
    line = run(
        capsys, "export", case_walk.case.id, "--kind", "consent-form", "--format", "text"
    ).one_swedish_line()
    assert line == "Fel: Samtyckesblanketten finns bara som PDF: använd --format pdf."


# -- a county's typst templates -----------------------------------------------------------------


def county(tmp_path: Path, name: str, text: str) -> Path:
    directory = tmp_path / "mallar"
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_a_county_overrides_the_pdf_template_and_may_use_its_own_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case_walk: Walk
) -> None:
    directory = county(tmp_path, "logga.typ", '#let länet = "Region Kronoberg"\n')
    county(tmp_path, "plan.typ", (
        '#import "kronobarn.typ": data, dokument\n#import "logga.typ": länet\n'
        '#show: dokument.with(titel: "Plan")\n= #länet\nBarn: #data.child\n'
    ))  # fmt: skip
    data = export_pdf(capsys, tmp_path, case_walk.case.id, "--templates", str(directory))
    text = "\n".join(pdf_text(data)[1])
    assert "Region Kronoberg" in text and "Barn: Elsa K. (född 2014)" in text


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param('#read("/etc/passwd")', "bara läsa filer i sin egen mallkatalog", id="abs"),
        pytest.param('#read("../../ut.txt")', "bara läsa filer i sin egen mallkatalog", id="up"),
        pytest.param('#read("lank.json")', "bara läsa filer i sin egen mallkatalog", id="link"),
        pytest.param('#image("/etc/hostname")', "bara läsa filer", id="image"),
        pytest.param('#import "@preview/tablex:0.0.8": tablex', "hämta paket", id="package"),
        pytest.param("\n\n#let x = (", "typst:", id="syntax"),
    ],
)
def test_a_county_template_reads_nothing_outside_its_folder(  # noqa: PLR0917
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case_walk: Walk,
    store: CaseStore,
    source: str,
    reason: str,
) -> None:
    directory = county(tmp_path, "plan.typ", source + "\n")
    # A link in the folder pointing at the case store is not followed (not even copied).
    (directory / "lank.json").symlink_to(store.path(case_walk.case.id))
    target = tmp_path / "ut.pdf"
    line = run(
        capsys, "export", case_walk.case.id, "--format", "pdf", "--output", str(target),
        "--templates", str(directory),
    ).one_swedish_line()  # fmt: skip
    assert line.startswith(f"Fel: Mallen plan.typ kan inte användas ({directory / 'plan.typ'}:")
    assert reason in line, line
    assert not target.exists()


def test_a_pdf_is_not_written_to_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case_walk: Walk
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    line = run(capsys, "export", case_walk.case.id, "--format", "pdf").one_swedish_line()
    assert line == "Fel: En PDF skrivs inte till terminalen: ange --output FIL."


def test_other_commands_never_load_typst(tmp_path: Path, case_walk: Walk) -> None:
    code = (
        "import sys; from kronobarn_cli import cli\n"
        "try:\n    cli.main(['export', 'k3m9qa', '--format', 'text'])\n"
        "except SystemExit:\n    pass\n"
        "print('typst' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert "BARNETS PLAN" in done.stdout, done.stderr
    assert done.stderr.strip().endswith("False"), done.stderr


def test_printable_data_keeps_text_and_drops_controls() -> None:
    assert pdf.printable({"a": ["x\u202ey\x07", 3]}) == {"a": ["xy", 3]}
    assert pdf.printable("L" * 50).replace("\u200b", "") == "L" * 50


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            "#let n = 0\n#for i in range(100000) { for j in range(100000) { n += 1 } }\n#n\n",
            "längre tid än",
            id="loop",
        ),
        pytest.param(
            '#let s = "x"\n#for i in range(40) { s = s + s }\n#s.len()\n', "minne", id="memory"
        ),
    ],
)
def test_a_runaway_county_template_is_stopped(  # noqa: PLR0917
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    case_walk: Walk,
    source: str,
    reason: str,
) -> None:
    # The memory case must meet the memory bound first, even on a busy machine.
    monkeypatch.setattr(pdf, "MAX_SECONDS", 3.0 if reason != "minne" else 30.0)
    monkeypatch.setattr(pdf, "MAX_MEMORY_BYTES", 300_000_000)
    directory = county(tmp_path, "plan.typ", source)
    started = time.perf_counter()
    line = run(
        capsys, "export", case_walk.case.id, "--format", "pdf", "--output", str(tmp_path / "u"),
        "--templates", str(directory),
    ).one_swedish_line()  # fmt: skip
    assert time.perf_counter() - started < 30
    assert line.startswith(f"Fel: Mallen plan.typ kan inte användas ({directory / 'plan.typ'}")
    assert reason in line, line


def test_the_next_meeting_and_the_coordinators_contact_in_every_plan(
    case_walk: Walk,
    store: CaseStore,
    workflow: Workflow,
) -> None:
    case = case_walk.case
    case.meetings[0].next_starts_at = "13:00"
    case.meetings[0].next_place = "Rum 12, Centralskolan"
    # Coordinated next by an organisation that did not invite: its routes from the directory.
    case.meetings[0].coordinator = case.meetings[0].attendees[1]
    store.save(case)
    listed = workflow.organisation(case.meetings[0].attendees[1].id)
    assert listed is not None
    routes = listed.model_copy(update={"contact": Contact(phone="0470-410 00")})
    county = dataclasses.replace(
        workflow,
        organisations=tuple(routes if o.id == listed.id else o for o in workflow.organisations),
    )
    text = "\n".join(pdf_text(pdf.plan(case, county))[1])
    plain = export.plan(case, county, "text")
    assert "Nästa möte 1 februari 2027 kl. 13:00" in text
    assert "Plats Rum 12, Centralskolan" in text
    assert "Samordnare Socialtjänst" in text and "Nå samordnaren 0470-410 00" in text
    assert "Nästa möte: 1 februari 2027 kl. 13:00, Rum 12, Centralskolan" in plain
    assert "Kontakt: 0470-410 00" in plain


@pytest.mark.parametrize("kind", ["invitation", "consent-form"])
def test_hostile_names_print_literally_in_the_letter_and_the_form(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case_walk: Walk,
    store: CaseStore,
    kind: str,
) -> None:
    case = case_walk.case
    case.child.name = '#read("/etc/passwd") *Ö* $x$ ]'
    inviter = case.meetings[0].inviter
    assert inviter is not None
    case.meetings[0].inviter = inviter.model_copy(
        update={"name": "Kim [b]Berg[/b] | #sys", "contact": "\u202ekim@example.se\x1b[31m"}
    )
    store.save(case)
    text = " ".join(
        " ".join(pdf_text(export_pdf(capsys, tmp_path, case.id, "--kind", kind))[1]).split()
    )
    # Compared without spaces: prose may break a line after a slash.
    assert flat('#read("/etc/passwd") *Ö* $x$ ]') in flat(text) and "root:" not in text
    assert flat("Kim [b]Berg[/b] | #sys") in flat(text)
    assert "kim@example.se[31m" in text and "\u202e" not in text and "\x1b" not in text


def test_a_county_folder_without_typst_templates_uses_the_built_in_pdf(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    case_walk: Walk,
) -> None:
    directory = county(tmp_path, "plan.md.j2", "# Länets plan\n")
    os.mkfifo(directory / "ror.typ")  # a pipe, never opened (reading it would wait for ever)
    started: list[object] = []
    monkeypatch.setattr(pdf.subprocess, "run", lambda *a, **k: started.append(a))
    data = export_pdf(capsys, tmp_path, case_walk.case.id, "--templates", str(directory))
    assert "Barnets plan" in pdf_text(data)[1][0]
    assert started == []  # no child process for the built-in templates


def test_the_pdf_plan_shows_what_works_and_what_is_hard_in_the_areas_noted(
    case_walk: Walk, workflow: Workflow
) -> None:
    case = case_walk.case
    meeting = case.meetings[0].model_dump()
    meeting["wheel_notes"] = [
        {"area": "trygg", "works": "Bra kompisar", "challenges": "Raster", "stage": "infor"},
        {"area": "aktiv", "works": "Fotbollen", "stage": "motet"},  # noted, not in focus
    ]
    case.meetings[0] = Meeting.model_validate(meeting)
    text = " ".join(" ".join(pdf_text(pdf.plan(case, workflow))[1]).split())
    assert "Fungerar inför mötet: Bra kompisar" in text
    assert "Utmanande inför mötet: Raster" in text
    assert "Aktiv Fungerar vid mötet: Fotbollen Utmanande –" in text
    assert "Utvecklas Fungerar" not in text  # in focus, but nothing noted
