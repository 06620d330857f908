"""Loading a checklist directory: where it is, reading each file, and every problem at once."""

from __future__ import annotations

from pathlib import Path

from kronobarn_cli.checklists.checks import check_organisations, check_sections, check_unique
from kronobarn_cli.checklists.directory import Area, AreasFile, Organisation, OrganisationsFile
from kronobarn_cli.checklists.lines import LineMap, Problems, parse
from kronobarn_cli.checklists.location import (  # importable from here, as before
    AREAS_FILE,
    ORGANISATIONS_FILE,
    SECTION_FILES,
    checklists_dir,
    default_checklists_dir,  # noqa: F401
)
from kronobarn_cli.checklists.schema import Section, Workflow
from kronobarn_cli.errors import ChecklistError


def validate_directory(directory: Path) -> list[str]:
    """Every problem in a checklist directory, as `path:line: message`; empty when it is sound."""
    try:
        load_workflow(directory)
    except ChecklistError as exc:
        return exc.problems
    return []


def load_workflow(directory: Path | None = None) -> Workflow:
    directory = checklists_dir(directory)
    problems = Problems()
    if not directory.is_dir():
        raise ChecklistError([f"{directory}:1: katalogen finns inte"])

    section_files = sorted(directory.glob(SECTION_FILES))
    if not section_files:
        problems.add(directory, 1, "inga avsnittsfiler (NN-namn.yaml) i katalogen")
    sections: list[tuple[Section, LineMap, Path]] = []
    for path in section_files:
        parsed = parse(Section, path, problems)
        if parsed:
            sections.append((parsed[0], parsed[1], path))
    # Checks across sections only make sense when every section file could be read.
    all_sections_read = len(sections) == len(section_files)

    organisations: tuple[Organisation, ...] = ()
    orgs = parse(OrganisationsFile, directory / ORGANISATIONS_FILE, problems)
    if orgs:
        organisations = tuple(orgs[0].organisations)
        check_organisations(orgs[0], orgs[1], directory / ORGANISATIONS_FILE, problems)
    areas: tuple[Area, ...] = ()
    areas_note = ""
    area_file = parse(AreasFile, directory / AREAS_FILE, problems)
    if area_file:
        areas = tuple(area_file[0].areas)
        if area_file[0].preliminary:
            areas_note = area_file[0].note or "Preliminära områden."
        where = directory / AREAS_FILE
        check_unique(
            [(a.id, where, area_file[1].line(("areas", i))) for i, a in enumerate(areas)],
            problems,
            "området",
        )

    if all_sections_read:
        check_sections(sections, problems)
    if problems.items:
        raise ChecklistError(problems.items)
    return Workflow(directory, tuple(s for s, _, _ in sections), organisations, areas, areas_note)
