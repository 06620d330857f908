"""The walk through the checklists as pure functions: next step, outcome, going back, pruning.

Answers are kept per section (`{section_id: {step_id: value}}`) in the order they were given;
values are plain JSON (dates as ISO strings). Nothing here touches a terminal or a file. Checking
one answer before it is kept is `domain.answer_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kronobarn_cli.checklists.conditions import Condition
from kronobarn_cli.checklists.schema import (
    Outcome,
    Section,
    Step,
    Workflow,
)
from kronobarn_cli.checklists.vocabulary import CaseStatus
from kronobarn_cli.domain.rules import FlatAnswers, RuleFunction

Answers = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Facts:
    """What conditions may know besides the answers."""

    child_age: int | None = None
    """The greatest age the child can have this year; None when the birth year is unknown."""
    rules: Mapping[str, RuleFunction] = field(default_factory=dict)


def flatten(answers: Answers) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for section_answers in answers.values():
        flat.update(section_answers)
    return flat


def holds(condition: Condition, answers: FlatAnswers, facts: Facts) -> bool:
    if condition.step is not None:
        if condition.step not in answers:
            return False
        value = answers[condition.step]
        if condition.answered is not None:
            return condition.answered
        if condition.has_item is not None:
            wanted = condition.has_item
            items = value if isinstance(value, list) else []
            return any(
                isinstance(item, dict) and all(item.get(k) == v for k, v in wanted.items())
                for item in items
            )
        return bool(value == condition.equals and type(value) is type(condition.equals))
    if condition.child_age_at_least is not None:
        # Unknown age: ask, rather than risk skipping a young person's own consent.
        return facts.child_age is None or facts.child_age >= condition.child_age_at_least
    if condition.rule is not None:
        return facts.rules[condition.rule](answers)
    if condition.all_ is not None:
        return all(holds(c, answers, facts) for c in condition.all_)
    if condition.any_ is not None:
        return any(holds(c, answers, facts) for c in condition.any_)
    assert condition.not_ is not None
    return not holds(condition.not_, answers, facts)


def applies(step: Step, answers: FlatAnswers, facts: Facts) -> bool:
    return step.when is None or holds(step.when, answers, facts)


def next_step(section: Section, answers: FlatAnswers, facts: Facts) -> Step | None:
    """The first step of the section that applies and has no answer yet."""
    for step in section.steps:
        if step.id not in answers and applies(step, answers, facts):
            return step
    return None


def section_outcome(section: Section, answers: FlatAnswers, facts: Facts) -> Outcome | None:
    """The section's outcome once every applicable step is answered, else None."""
    if next_step(section, answers, facts) is not None:
        return None
    for outcome in section.outcomes:
        if outcome.when is None or holds(outcome.when, answers, facts):
            return outcome
    return None


@dataclass(frozen=True)
class Position:
    """Where a walk stands: the next step to ask, or the end with its outcome."""

    section: Section
    step: Step | None
    outcome: Outcome | None

    @property
    def finished(self) -> bool:
        return self.step is None


def position(
    workflow: Workflow, answers: Answers, facts: Facts, last_section: int | None = None
) -> Position:
    flat = flatten(answers)
    sections = [s for s in workflow.sections if last_section is None or s.number <= last_section]
    last: Outcome | None = None
    for section in sections:
        step = next_step(section, flat, facts)
        if step is not None:
            return Position(section, step, None)
        outcome = section_outcome(section, flat, facts)
        if outcome is not None:
            last = outcome
            if outcome.stop:
                return Position(section, None, outcome)
    return Position(sections[-1], None, last)


def status(workflow: Workflow, answers: Answers, facts: Facts) -> CaseStatus:
    """The case status that the outcomes reached so far give."""
    flat = flatten(answers)
    current: CaseStatus = "bedomning-pagar"
    for section in workflow.sections:
        if next_step(section, flat, facts) is not None:
            return current
        outcome = section_outcome(section, flat, facts)
        if outcome is not None:
            current = outcome.status
            if outcome.stop:
                return current
    return current


def outcomes(workflow: Workflow, answers: Answers, facts: Facts) -> dict[str, Outcome]:
    """The outcome of every section finished so far, by section id, up to a stop."""
    flat = flatten(answers)
    reached: dict[str, Outcome] = {}
    for section in workflow.sections:
        outcome = section_outcome(section, flat, facts)
        if outcome is None:
            break
        reached[section.id] = outcome
        if outcome.stop:
            break
    return reached


def prune(workflow: Workflow, answers: Answers, facts: Facts) -> dict[str, dict[str, Any]]:
    """Drop answers that no longer apply: their condition fails, or an earlier section stopped."""
    kept: dict[str, Any] = {}
    stopped = False
    for section in workflow.sections:
        given = answers.get(section.id, {})
        if stopped:
            continue
        for step in section.steps:
            if step.id in given and applies(step, kept, facts):
                kept[step.id] = given[step.id]
        outcome = section_outcome(section, kept, facts)
        stopped = outcome is not None and outcome.stop
    result: dict[str, dict[str, Any]] = {}
    for section_id, given in answers.items():
        section_kept = {k: v for k, v in given.items() if k in kept}
        if section_kept:
            result[section_id] = section_kept
    return result


def go_back(
    workflow: Workflow, answers: Answers, first_section: int = 1
) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Remove the most recent answer (of the latest section from `first_section` on)."""
    result = {k: dict(v) for k, v in answers.items()}
    for section in reversed(workflow.sections):
        if section.number < first_section:
            break
        given = result.get(section.id)
        if given:
            last = next(reversed(given))
            del given[last]
            if not given:
                del result[section.id]
            return result, last
    return result, None
