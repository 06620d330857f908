"""One walk through a case: applies answers to the case, keeps derived data right, saves at once.

No terminal here: the prompts module asks, this module records. Every change is saved before
the next question is asked, so an interrupted walk loses at most the answer being typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from kronobarn_cli import engine, rules
from kronobarn_cli.case import OLDEST_CHILD, STATUS_LABELS, Case, Child
from kronobarn_cli.checklist import Outcome, Step, Workflow
from kronobarn_cli.errors import AnswerError
from kronobarn_cli.store import CaseStore
from kronobarn_cli.validation import swedish_message

Clock = Callable[[], datetime]


def local_now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


CONSENT_SECTIONS = 2
"""Until the invitation sections are built, a walk ends after consent (section 2)."""


def parse_child(name: str, birth_year: str, today: date) -> Child:
    """The child's minimum data from typed text, with Swedish errors."""
    year: int | None = None
    text = birth_year.strip()
    if text:
        if not text.isdigit() or len(text) != 4:
            raise AnswerError("Skriv födelseåret med fyra siffror, t.ex. 2014, eller lämna tomt.")
        year = int(text)
        if not today.year - OLDEST_CHILD <= year <= today.year:
            raise AnswerError(
                f"Födelseåret ska ligga mellan {today.year - OLDEST_CHILD} och {today.year}."
            )
    try:
        return Child(name=name, birth_year=year)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None


class Walk:
    """A case being walked through the checklists."""

    def __init__(
        self,
        workflow: Workflow,
        store: CaseStore,
        case: Case,
        *,
        clock: Clock = local_now,
        last_section: int | None = CONSENT_SECTIONS,
    ) -> None:
        self.workflow = workflow
        self.store = store
        self.case = case
        self.clock = clock
        self.last_section = last_section

    @property
    def today(self) -> date:
        return self.clock().date()

    def facts(self) -> engine.Facts:
        return engine.Facts(child_age=self.case.child.max_age(self.today), rules=rules.RULES)

    def position(self) -> engine.Position:
        return engine.position(self.workflow, self.case.answers, self.facts(), self.last_section)

    # -- changes -------------------------------------------------------------------------------

    def answer(self, step_id: str, raw: Any) -> None:
        """Validate and record an answer to the current step (AnswerError if it does not fit)."""
        current = self.position().step
        if current is None or current.id != step_id:
            raise AnswerError(f"Steget '{step_id}' är inte aktuellt nu.")
        value = engine.validate_answer(current, raw, self.workflow, self.today)
        section = self.workflow.section_of(step_id)
        answers = {k: dict(v) for k, v in self.case.answers.items()}
        answers.setdefault(section.id, {})[step_id] = value
        self._update(answers, f"Besvarade: {current.prompt}", pending={})

    def back(self) -> Step | None:
        """Remove the last answer; returns the step that is asked again, None at the start."""
        answers, removed = engine.go_back(self.workflow, self.case.answers)
        if removed is None:
            return None
        step = self.workflow.step(removed)
        self._update(answers, f"Gick tillbaka till: {step.prompt}", pending={})
        return step

    def reopen(self) -> Step | None:
        """Open again the group a stopping outcome names (e.g. to add a missing consent)."""
        pos = self.position()
        if pos.outcome is None or pos.outcome.reopen is None:
            return None
        step = self.workflow.step(pos.outcome.reopen)
        answers = {k: dict(v) for k, v in self.case.answers.items()}
        items = answers.get(pos.section.id, {}).pop(step.id, [])
        pending = {"step": step.id, "items": items, "current": {}}
        self._update(answers, f"Öppnade igen: {step.prompt}", pending=pending)
        return step

    def pending_items(self, step: Step) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Items and the half-filled item of a group being answered, to continue from."""
        pending = self.case.pending
        if pending.get("step") != step.id:
            return [], {}
        return list(pending.get("items", [])), dict(pending.get("current", {}))

    def save_pending(
        self, step: Step, items: list[dict[str, Any]], current: dict[str, Any]
    ) -> None:
        """Save a group's progress item by item and field by field."""
        pending = {"step": step.id, "items": items, "current": current}
        self._update(self.case.answers, None, pending=pending)

    def group_note(self, step: Step, items: list[dict[str, Any]]) -> str | None:
        """What the user should know before closing a group, e.g. consents still missing."""
        if step.records != "consent":
            return None
        youth = engine.flatten(self.case.answers).get("ungdom-mogen") is True
        missing = rules.missing_consents(rules.consents_from_items(items), youth)
        if not missing:
            return None
        return (
            f"Samtycke saknas ännu från {' och '.join(missing)}. Utan det kan samverkan "
            "inte aktiveras."
        )

    def outcome_of(self, section_id: str) -> Outcome | None:
        return engine.outcomes(self.workflow, self.case.answers, self.facts()).get(section_id)

    def validate_item(self, step: Step, item: dict[str, Any]) -> dict[str, Any]:
        return engine.validate_item(step, item, self.workflow, self.today)

    # -- derived data --------------------------------------------------------------------------

    def _update(
        self, answers: engine.Answers, event: str | None, *, pending: dict[str, Any]
    ) -> None:
        facts = self.facts()
        pruned = engine.prune(self.workflow, answers, facts)
        flat = engine.flatten(pruned)
        reached = engine.outcomes(self.workflow, pruned, facts)
        first = self.workflow.sections[0].id
        now = self.clock()
        before = self.case.status
        data = self.case.model_dump()
        data.update(
            answers=pruned,
            pending=pending,
            status=engine.status(self.workflow, pruned, facts),
            decision=rules.decision_from_answers(
                flat, reached[first].id if first in reached else None
            ),
            youth_mature=flat.get("ungdom-mogen"),
            consents=rules.consents_from_answers(flat),
            updated=now,
        )
        case = Case.model_validate(data)
        if event:
            case.log(event, now)
        if case.status != before:
            case.log(f"Status: {STATUS_LABELS[case.status]}.", now)
        self.store.save(case)
        self.case = case
