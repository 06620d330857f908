"""The checks across a checklist directory's files: ids, step order, the steps kronobarn reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kronobarn_cli.checklists.conditions import Condition
from kronobarn_cli.checklists.directory import OrganisationsFile
from kronobarn_cli.checklists.lines import LineMap, LinePath, Problems
from kronobarn_cli.checklists.schema import FieldSpec, Section, Step
from kronobarn_cli.checklists.vocabulary import (
    FAMILY_PARTIES,
    GUARDIAN_COUNTS,
    MEETING_SECTION,
    OTHER_ORGANISATION,
    REFERRAL_ROUTES,
    REQUIRED_PARTICIPANT_SCOPES,
    REQUIRED_RECORDS,
    REQUIRED_SPECIALIST_RULE,
    REQUIRED_STEPS,
)


def check_unique(ids: list[tuple[str, Path, int]], problems: Problems, what: str) -> set[str]:
    """The ids; each one that came before is a problem at its file and line."""
    seen: set[str] = set()
    for item_id, path, line in ids:
        if item_id in seen:
            problems.add(path, line, f"{what} '{item_id}' finns redan (id måste vara unika)")
        seen.add(item_id)
    return seen


def check_organisations(file: OrganisationsFile, lines: LineMap, path: Path, p: Problems) -> None:
    ids = check_unique(
        [(o.id, path, lines.line(("organisations", i))) for i, o in enumerate(file.organisations)],
        p,
        "verksamheten",
    )
    if OTHER_ORGANISATION not in ids:
        p.add(path, 1, f"verksamheten '{OTHER_ORGANISATION}' (annan verksamhet) saknas")
    kinds = {o.id: o.kind for o in file.organisations}
    for party in FAMILY_PARTIES:
        if kinds.get(party) != "familj":
            p.add(path, 1, f"'{party}' (kind: familj) saknas; den kan äga en insats")
    for i, org in enumerate(file.organisations):
        for j, counterpart in enumerate(org.counterparts):
            if counterpart not in ids:
                line = lines.line(("organisations", i, "counterparts", j))
                p.add(path, line, f"motsvarigheten '{counterpart}' finns inte i katalogen")
        if org.kind == "specialistvard" and not org.counterparts:
            line = lines.line(("organisations", i))
            p.add(path, line, f"specialistvården '{org.id}' behöver en motsvarighet i primärvården")


def check_sections(sections: list[tuple[Section, LineMap, Path]], p: Problems) -> None:
    numbers = [s.number for s, _, _ in sections]
    for section, lines, path in sections:
        if numbers.count(section.number) > 1:
            p.add(
                path, lines.line(("number",)), f"avsnitt nummer {section.number} finns två gånger"
            )
    ids = [(section.id, path, lines.line(("id",))) for section, lines, path in sections]
    check_unique(ids, p, "avsnittet")

    # Step order across all sections: a condition may only look at what was asked before it.
    steps: dict[str, Step] = {}
    for section, lines, path in sections:
        _check_steps(section, lines, path, steps, p)
        _check_outcomes(section, lines, path, steps, p)
    if sections:
        _check_program_steps(sections, steps, p)


def _check_steps(
    section: Section, lines: LineMap, path: Path, steps: dict[str, Step], p: Problems
) -> None:
    """Each step of a section, against the steps before it (which it then joins)."""
    for i, step in enumerate(section.steps):
        where = lines.line(("steps", i, "id"))
        if step.id in steps:
            p.add(path, where, f"steget '{step.id}' finns redan (id måste vara unika)")
            continue
        if step.when is not None:
            _check_condition(step.when, steps, p, path, lines, ("steps", i, "when"))
        if step.after is not None and (step.after not in steps or steps[step.after].kind != "date"):
            p.add(
                path,
                lines.line(("steps", i, "after")),
                f"'after' ska nämna ett tidigare datumsteg, inte '{step.after}'",
            )
        steps[step.id] = step


def _check_outcomes(
    section: Section, lines: LineMap, path: Path, steps: dict[str, Step], p: Problems
) -> None:
    """A section's outcomes: unique, each one reachable, naming only steps asked before."""
    seen_fallback = False
    outcome_ids: set[str] = set()
    for i, outcome in enumerate(section.outcomes):
        where = lines.line(("outcomes", i))
        if outcome.id in outcome_ids:
            p.add(path, where, f"utfallet '{outcome.id}' finns redan (id måste vara unika)")
        outcome_ids.add(outcome.id)
        if seen_fallback:
            p.add(
                path,
                where,
                f"utfallet '{outcome.id}' kan aldrig nås: ett tidigare saknar 'when'",
            )
        if outcome.reopen is not None:
            target = steps.get(outcome.reopen)
            if (
                target is None
                or target.kind != "repeat"
                or outcome.reopen not in {st.id for st in section.steps}
            ):
                p.add(
                    path,
                    lines.line(("outcomes", i, "reopen")),
                    f"'reopen' ska nämna en upprepad grupp i avsnittet: '{outcome.reopen}'",
                )
        if outcome.when is None:
            seen_fallback = True
        else:
            loc = ("outcomes", i, "when")
            _check_condition(outcome.when, steps, p, path, lines, loc)


def _check_program_steps(
    sections: list[tuple[Section, LineMap, Path]], steps: dict[str, Step], p: Problems
) -> None:
    """The steps kronobarn itself reads are there, of their kind, with their options."""
    last_path = sections[0][2]
    for step_id, kind in REQUIRED_STEPS.items():
        required = steps.get(step_id)
        if required is None or required.kind != kind:
            p.add(
                last_path.parent,
                1,
                f"steget '{step_id}' ({kind}) saknas; kronobarn behöver det",
            )
    routes = steps.get("hanvisning-vag")
    if routes is not None and set(routes.option_values()) != set(REFERRAL_ROUTES):
        p.add(
            last_path.parent,
            1,
            "steget 'hanvisning-vag' ska ha alternativen " + ", ".join(REFERRAL_ROUTES),
        )
    for step_id, record in REQUIRED_RECORDS.items():
        group = steps.get(step_id)
        if group is not None and group.records != record:
            p.add(last_path.parent, 1, f"steget '{step_id}' ska ha 'records: {record}'")
    _check_consent_rules(sections, steps, last_path.parent, p)
    _check_references(sections, steps, p)


def _check_consent_rules(
    sections: list[tuple[Section, LineMap, Path]],
    steps: dict[str, Step],
    directory: Path,
    p: Problems,
) -> None:
    """Consent scope is a rule of law: a county's checklist cannot switch it off. Every
    organisation named in a meeting's sections is checked against it."""
    for step_id, spec, path, line in _organisation_fields(sections):
        named = step_id if spec.id == step_id else f"{step_id}.{spec.id}"
        wanted = "participants" if (step_id, spec.id) in REQUIRED_PARTICIPANT_SCOPES else None
        if spec.within is None or (wanted is not None and spec.within != wanted):
            p.add(
                path,
                line,
                f"'{named}' ska ha 'within: {wanted or 'consent'}' (samtyckets omfattning)",
            )
    for step_id in REQUIRED_SPECIALIST_RULE:
        owner = steps.get(step_id)
        if owner is not None and not owner.specialist_rule:
            p.add(directory, 1, f"'{step_id}' ska ha 'specialist_rule: true'")
    guardians = steps.get("vardnadshavare-antal")
    if guardians is not None and set(guardians.option_values()) != set(GUARDIAN_COUNTS):
        p.add(
            directory,
            1,
            "steget 'vardnadshavare-antal' ska ha alternativen " + ", ".join(GUARDIAN_COUNTS),
        )


def _check_references(
    sections: list[tuple[Section, LineMap, Path]], steps: dict[str, Step], p: Problems
) -> None:
    """A step a question names (a time given with a date, notes asked on request, an area
    list to take items or a single answer from) must exist and be of the right kind: a typo
    in a county's checklist would otherwise switch the behaviour off without a word."""
    wanted = {
        "with_time": ("time",),
        "with_place": ("text",),
        "opt_in": ("repeat",),
        "areas_from": ("areas",),
        "single_from": ("areas",),
    }
    for section, lines, path in sections:
        for i, step in enumerate(section.steps):
            for spec in [step, *step.fields]:
                for key, kinds in wanted.items():
                    target = getattr(spec, key, None)
                    if target is not None and (
                        target not in steps or steps[target].kind not in kinds
                    ):
                        p.add(
                            path,
                            lines.line(("steps", i)),
                            f"'{key}: {target}' ska nämna ett steg av typen {kinds[0]}",
                        )


def _organisation_fields(
    sections: list[tuple[Section, LineMap, Path]],
) -> Iterator[tuple[str, FieldSpec, Path, int]]:
    """Every question in a meeting's sections that names organisations: step id, the question,
    and where it is written."""
    for section, lines, path in sections:
        if section.number < MEETING_SECTION:
            continue
        for i, step in enumerate(section.steps):
            if step.kind in ("organisation", "organisations"):
                yield step.id, step, path, lines.line(("steps", i, "id"))
            for j, spec in enumerate(step.fields):
                if spec.kind in ("organisation", "organisations"):
                    yield step.id, spec, path, lines.line(("steps", i, "fields", j, "id"))


def _check_condition(  # noqa: PLR0917 - one private call site
    condition: Condition,
    steps: dict[str, Step],
    p: Problems,
    path: Path,
    lines: LineMap,
    loc: LinePath,
) -> None:
    line = lines.line(loc)
    for ref in condition.step_references():
        assert ref.step is not None
        target = steps.get(ref.step)
        if target is None:
            p.add(
                path,
                line,
                f"villkoret nämner steget '{ref.step}', som inte finns före detta steg"
                " (okänt steg eller ett senare steg: villkoret kan aldrig uppfyllas)",
            )
            continue
        if ref.equals is not None and not _can_equal(target, ref.equals):
            p.add(
                path,
                line,
                f"villkoret kan aldrig uppfyllas: steget '{ref.step}' kan inte ha "
                f"värdet {ref.equals!r}",
            )
        if ref.has_item is not None:
            if target.kind != "repeat":
                p.add(path, line, f"'has_item' kräver en upprepad grupp; '{ref.step}' är inte det")
                continue
            for field_id, value in ref.has_item.items():
                spec = target.field(field_id)
                if spec is None:
                    p.add(path, line, f"steget '{ref.step}' har inget fält '{field_id}'")
                elif not _can_equal(spec, value):
                    p.add(
                        path,
                        line,
                        f"villkoret kan aldrig uppfyllas: fältet '{field_id}' kan "
                        f"inte ha värdet {value!r}",
                    )


def _can_equal(spec: FieldSpec, value: str | bool) -> bool:
    if spec.kind in ("confirm", "info"):
        return isinstance(value, bool)
    if spec.kind == "select":
        return value in spec.option_values()
    return isinstance(value, str)
