"""The checklist loader: the shipped files are valid and cover the seed; broken files say where."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kronobarn_cli.checklists.directory import Organisation
from kronobarn_cli.checklists.loader import (
    AREAS_FILE,
    ORGANISATIONS_FILE,
    default_checklists_dir,
    load_workflow,
    validate_directory,
)
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import answer_checks
from kronobarn_cli.errors import AnswerError, ChecklistError

from ..conftest import REPO

SEED = REPO / "docs" / "arbetsgang-for-samverkan.md"


def _normalise(text: str) -> str:
    text = text.replace("**", "").replace("*", "")
    text = re.sub(r"^\s*-\s*", "", text)
    text = re.sub(r"^[✗✓]\s*", "", text)
    return " ".join(text.split())


def seed_sections() -> list[tuple[str, list[str]]]:
    """The workflow text as (heading, items): every list item and paragraph under a heading."""
    sections: list[tuple[str, list[str]]] = []
    preamble: list[str] = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif line.startswith("# ") or not line.strip():
            continue
        elif sections:
            sections[-1][1].append(_normalise(line))
        else:
            preamble.append(_normalise(line))
    # The preamble belongs to the first section, where the tool shows it.
    sections[0][1][:0] = preamble
    return sections


def seed_quotes(workflow: Workflow, number: int) -> str:
    section = next(s for s in workflow.sections if s.number == number)
    quotes = list(section.seed)
    for step in section.steps:
        quotes += step.seed
        for spec in step.fields:
            quotes += spec.seed
    for outcome in section.outcomes:
        quotes += outcome.seed
    return "\n".join(_normalise(q) for q in quotes)


def test_shipped_checklists_are_valid() -> None:
    assert validate_directory(default_checklists_dir()) == []


def test_one_file_per_section_of_the_workflow_in_its_order(workflow: Workflow) -> None:
    headings = [heading for heading, _ in seed_sections()]
    assert len(headings) == 7
    assert [s.title for s in workflow.sections] == headings
    assert [s.number for s in workflow.sections] == list(range(1, 8))


@pytest.mark.parametrize("number", range(1, 8))
def test_shipped_checklists_cover_every_item_of_the_seed(workflow: Workflow, number: int) -> None:
    heading, items = seed_sections()[number - 1]
    quoted = seed_quotes(workflow, number)
    missing = [item for item in items if item not in quoted]
    assert items, heading
    assert missing == [], f"{heading}: not in the checklist"


def test_directory_names_every_organisation_the_seed_gives_as_example(workflow: Workflow) -> None:
    names = {o.name.casefold() for o in workflow.organisations}
    examples = [
        "barn- och elevhälsa", "barnhälsovården", "familjecentralen", "familjehälsan",
        "förskola", "skola", "habiliteringen", "polis", "socialtjänst",
        "barn- och ungdomspsykiatri (bup)", "ungdomsmottagningen", "vårdcentral",
        "annan verksamhet", "barn- och ungdomskliniken", "frivilligsektorn",
    ]  # fmt: skip
    assert [e for e in examples if e not in names] == []
    specialists = [o for o in workflow.organisations if o.kind == "specialistvard"]
    assert {o.id for o in specialists} >= {"bup", "habiliteringen", "barn-och-ungdomskliniken"}
    assert all(o.counterparts for o in specialists)


def test_wheel_has_seven_areas_with_descriptions(workflow: Workflow) -> None:
    assert len(workflow.areas) == 7
    assert all(a.description for a in workflow.areas)


# -- broken files --------------------------------------------------------------------------------


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A county's own copy of the shipped checklists, to break."""
    target = tmp_path / "lanets-checklistor"
    shutil.copytree(default_checklists_dir(), target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old`; returns its (1-based) line number."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.count("\n", 0, index) + 1


def problems(directory: Path) -> list[str]:
    with pytest.raises(ChecklistError) as caught:
        load_workflow(directory)
    return caught.value.problems


def test_unknown_key_reports_file_and_line(county: Path) -> None:
    path = county / "01-behov-av-samverkan.yaml"
    line = edit(path, "    kind: confirm\n", "    kind: confirm\n    promt: stavfel\n") + 1
    assert problems(county) == [f"{path}:{line}: steps[1].promt: okänd nyckel 'promt'"]


def test_missing_text_reports_file_and_line(county: Path) -> None:
    path = county / "02-samtycke.yaml"
    line = edit(
        path,
        "    prompt: Har ungdomen sådan ålder",
        "    prompt: ''\n    x-old: Har ungdomen sådan ålder",
    )
    found = problems(county)
    assert f"{path}:{line}: steps[0].prompt: texten får inte vara tom" in found


def test_condition_naming_an_unknown_step(county: Path) -> None:
    path = county / "01-behov-av-samverkan.yaml"
    line = edit(
        path,
        "when: {step: egen-insats-racker, equals: false}",
        "when: {step: finns-inte, equals: false}",
    )
    [problem] = problems(county)
    assert problem.startswith(f"{path}:{line}: villkoret nämner steget 'finns-inte'")


def test_condition_naming_a_later_step_can_never_hold(county: Path) -> None:
    path = county / "01-behov-av-samverkan.yaml"
    line = edit(
        path,
        "when: {step: egen-insats-racker, equals: false}",
        "when: {step: tillsammans, equals: false}",
    )
    [problem] = problems(county)
    assert problem.startswith(f"{path}:{line}: villkoret nämner steget 'tillsammans'")
    assert "kan aldrig uppfyllas" in problem


def test_condition_with_an_impossible_value_can_never_hold(county: Path) -> None:
    path = county / "01-behov-av-samverkan.yaml"
    line = edit(path, "equals: vi-kontaktar}", "equals: brevduva}")
    assert problems(county) == [
        f"{path}:{line}: villkoret kan aldrig uppfyllas: steget 'hanvisning-vag' kan inte ha "
        "värdet 'brevduva'"
    ]


def test_outcome_after_a_fallback_can_never_be_reached(county: Path) -> None:
    path = county / "02-samtycke.yaml"
    text = path.read_text(encoding="utf-8")
    text += "  - id: efter-reserv\n    status: aktiverad\n    title: Aldrig\n"
    path.write_text(text, encoding="utf-8")
    line = text.count("\n") - 2
    [problem] = problems(county)
    assert problem.startswith(f"{path}:{line}: utfallet 'efter-reserv' kan aldrig nås")


def test_duplicate_step_id(county: Path) -> None:
    path = county / "04-kontakt-innan-motet.yaml"
    line = edit(path, "  - id: inget-formote\n", "  - id: kontakter\n")
    found = problems(county)
    assert f"{path}:{line}: steget 'kontakter' finns redan (id måste vara unika)" in found


def test_duplicate_section_id_names_the_file_that_repeats_it(county: Path) -> None:
    copy = county / "08-kopia.yaml"
    copy.write_text((county / "02-samtycke.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    line = edit(copy, "id: samtycke\n", "id: samtycke\n")
    found = problems(county)
    assert f"{copy}:{line}: avsnittet 'samtycke' finns redan (id måste vara unika)" in found


def test_duplicate_organisation_id(county: Path) -> None:
    path = county / ORGANISATIONS_FILE
    line = edit(path, "  - id: polis\n", "  - id: skola\n")
    assert problems(county) == [
        f"{path}:{line}: verksamheten 'skola' finns redan (id måste vara unika)"
    ]


def test_broken_yaml_syntax(county: Path) -> None:
    path = county / AREAS_FILE
    line = edit(path, "  - id: aktiv\n", "  - id: [aktiv\n")
    [problem] = problems(county)
    assert problem.startswith(f"{path}:")
    reported = int(problem.split(":")[1])
    assert line <= reported <= line + 2
    assert "ogiltig YAML" in problem


def test_unknown_rule_and_condition_shape(county: Path) -> None:
    path = county / "02-samtycke.yaml"
    line = edit(path, "when: {rule: samtycke-komplett}", "when: {rule: allt-ok}")
    [problem] = problems(county)
    assert problem.startswith(f"{path}:{line}: outcomes[0].when.rule: ogiltigt värde")


def test_step_the_program_needs_may_not_be_removed(county: Path) -> None:
    path = county / "01-behov-av-samverkan.yaml"
    edit(path, "  - id: uppmarksammat\n", "  - id: observerat\n")
    assert any("steget 'uppmarksammat' (text) saknas" in p for p in problems(county))


def test_validate_command_prints_every_problem_and_fails(county: Path) -> None:
    path = county / "01-behov-av-samverkan.yaml"
    line = edit(path, "    kind: confirm\n", "    kind: confirm\n    promt: x\n") + 1
    edit(county / ORGANISATIONS_FILE, "  - id: polis\n", "  - id: skola\n")
    run = subprocess.run(
        [sys.executable, "-m", "kronobarn_cli", "checklists", "validate", str(county)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert f"{path}:{line}: steps[1].promt: okänd nyckel 'promt'" in run.stderr
    assert "verksamheten 'skola' finns redan" in run.stderr
    assert "2 fel i" in run.stderr
    assert "Traceback" not in run.stderr


def test_validate_command_accepts_the_shipped_checklists() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kronobarn_cli", "checklists", "validate"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "är giltiga" in run.stdout


def test_environment_points_at_a_county_copy(county: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(
        county / "01-behov-av-samverkan.yaml",
        "title: Finns behov av samverkan?",
        "title: Finns behov av samverkan i länet?",
    )
    monkeypatch.setenv("KRONOBARN_CHECKLISTS", str(county))
    assert load_workflow().sections[0].title == "Finns behov av samverkan i länet?"


def test_a_broken_checklist_stops_new_case_with_one_line(county: Path) -> None:
    edit(county / "01-behov-av-samverkan.yaml", "    kind: confirm\n", "    kind: ja-nej\n")
    run = subprocess.run(
        [sys.executable, "-m", "kronobarn_cli", "--checklists", str(county), "list"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0  # listing does not need the checklists
    validate = subprocess.run(
        [sys.executable, "-m", "kronobarn_cli", "--checklists", str(county), "checklists",
         "validate"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert validate.returncode == 1
    assert "steps[1].kind: ogiltigt värde" in validate.stderr


def test_a_step_a_question_names_must_exist_and_be_of_its_kind(county: Path) -> None:
    path = county / "03-initiera-och-bjuda-in.yaml"
    edit(path, "    with_time: mote-tid\n", "    with_time: mote-tiden\n")
    edit(path, "    opt_in: omraden-anteckningar\n", "    opt_in: mote-datum\n")
    problems = validate_directory(county)
    assert any("'with_time: mote-tiden' ska nämna ett steg av typen time" in p for p in problems)
    assert any("'opt_in: mote-datum' ska nämna ett steg av typen repeat" in p for p in problems)


def test_an_organisation_two_directory_entries_could_be_is_refused_as_ambiguous(
    workflow: Workflow,
) -> None:
    """`Vardcentral` is the id of one and, without its diacritics, the name of another: the
    user is asked for the id rather than given either."""
    other = Organisation(id="vc-norr", name="Värdcentral", kind="primarvard")
    county = dataclasses.replace(workflow, organisations=(*workflow.organisations, other))
    assert [o.id for o in county.organisations_named("vardcentral")] == ["vardcentral"]
    with pytest.raises(AnswerError, match="'Vardcentral' kan vara vardcentral eller vc-norr"):
        answer_checks.organisation_answer("Vardcentral", county)


@pytest.mark.parametrize("typo", ["Säkerställt att det är tydligt", "samverkanmötet"])
def test_the_checklists_text_has_no_known_typo(typo: str) -> None:
    """Seen in issue 22: the checklists (and the seed they quote) spell these right."""
    for path in [*sorted(default_checklists_dir().glob("*.yaml")), SEED]:
        text = " ".join(path.read_text(encoding="utf-8").split())
        assert typo not in text, path.name


def test_the_duty_to_report_cites_the_law_in_force_without_an_unverified_paragraph(
    workflow: Workflow,
) -> None:
    # 14 kap. 1 § belonged to the old socialtjänstlag (2001:453); the new one (2025:400) has
    # been in force since 1 July 2025. The wording stays data a county can correct.
    guidance = [g for s in workflow.sections for g in s.guidance if "Anmälningsplikten" in g]
    assert len(guidance) == 2
    assert all("2025:400" in g and "14 kap" not in g for g in guidance)


def test_a_folded_or_combined_question_must_name_what_it_answers(county: Path) -> None:
    """A fold that names a field its option does not lead to, or a combined choice that answers
    steps out of their order, would record answers no question asked: refused at load."""
    invite = county / "03-initiera-och-bjuda-in.yaml"
    edit(invite, "        fold: brev\n", "        fold: skickad\n")
    need = county / "01-behov-av-samverkan.yaml"
    edit(
        need,
        "answers: {egen-insats-racker: false, annan-verksamhet-ensam: true}",
        "answers: {annan-verksamhet-ensam: true, egen-insats-racker: false}",
    )
    found = validate_directory(county)
    assert any("'fold: skickad' ska nämna ett senare select-fält" in p for p in found), found
    assert any("varje val i 'combined' ska svara på steget självt först" in p for p in found)
