"""Deriving a case's data from its answers, with no store: what the answers so far say (the
position, the status, the consent's scope) and the case they make (status, decision, consents,
meetings and plan, journal entries).

`Walk` (`interactive/walk.py`) applies answers on top of this and saves what it derives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from kronobarn_cli.checklists.schema import Outcome, Step, Workflow
from kronobarn_cli.checklists.vocabulary import MEETING_SECTION
from kronobarn_cli.domain import engine, meeting_record, rules
from kronobarn_cli.domain.case import STATUS_LABELS, Actor, Case
from kronobarn_cli.domain.consent import ConsentScope
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.domain.parts import OrganisationRef

Clock = Callable[[], datetime]

REMEMBERED = "remembered"
REOPENED = "reopened"
"""Key in `Case.pending`: answers a jump back took out, to be given again where they hold."""


def first_of_each_group(scope: ConsentScope) -> list[str]:
    """The givers to ask: a group any one giver satisfies (a county's routine) asks its first."""
    missing = scope.givers_without_consent()
    return [g for g in missing if not any(g in group[1:] for group in scope.required)]


class CaseDerivation:
    """A case and its checklists as of the clock: what its answers say, and what they make."""

    def __init__(self, workflow: Workflow, case: Case, clock: Clock) -> None:
        self.workflow = workflow
        self.case = case
        self.clock = clock

    @property
    def today(self) -> date:
        return self.clock().date()

    @property
    def meeting(self) -> Meeting | None:
        """The meeting being walked: the latest one, unless it is finished."""
        latest = self.case.current_meeting
        return latest if latest is not None and not latest.finished else None

    @property
    def first_section(self) -> int:
        """A follow-up meeting cannot go back into the case's consent; nor can any walk once a
        consent was withdrawn (the history is added to, never changed)."""
        meeting = self.meeting
        follow_up = meeting is not None and meeting.number > 1
        return MEETING_SECTION if follow_up or self.case.withdrawals else 1

    def answers(self) -> dict[str, dict[str, Any]]:
        """Answers the engine sees: the case's sections, then the current meeting's."""
        combined = {k: dict(v) for k, v in self.case.answers.items()}
        if self.meeting is not None:
            combined.update({k: dict(v) for k, v in self.meeting.answers.items()})
        elif self.case.meetings:
            # The last meeting is finished: its sections count as answered.
            combined.update({k: dict(v) for k, v in self.case.meetings[-1].answers.items()})
        return combined

    def consent_context(self) -> rules.ConsentContext:
        return rules.consent_context(self.workflow, self.case, self.today)

    def consent_scope(self) -> ConsentScope:
        """The consent's scope today, from the consents answered so far."""
        return self.consent_context().scope(engine.flatten(self.answers()))

    def facts(self) -> engine.Facts:
        # A young person judged to consent themselves stays so when the birth year is
        # corrected downwards: the age no longer rules the question out, and their consent
        # (and any withdrawal of it) keeps counting.
        age = None if self.case.youth_mature else self.case.child.max_age(self.today)
        return engine.Facts(child_age=age, rules=self.consent_context().rules())

    def position(self) -> engine.Position:
        return engine.position(self.workflow, self.answers(), self.facts())

    def scopes(self) -> rules.Scopes:
        flat = engine.flatten(self.answers())
        participants = rules.refs(flat.get("deltagare")) if "deltagare" in flat else None
        established = rules.established_specialists(self.case.meetings)
        return rules.Scopes(self.consent_scope(), participants, established)

    def previous_meeting(self) -> Meeting | None:
        meeting = self.meeting
        if meeting is None or meeting.number < 2:
            return None
        return self.case.meetings[meeting.number - 2]

    def outcome_of(self, section_id: str) -> Outcome | None:
        return engine.outcomes(self.workflow, self.answers(), self.facts()).get(section_id)

    def pending_items(self, step: Step) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Items and the half-filled item of a group being answered, to continue from."""
        pending = self.case.pending
        if pending.get("step") != step.id:
            return [], {}
        return list(pending.get("items", [])), dict(pending.get("current", {}))

    def pending_queue(self, step: Step) -> list[dict[str, Any]] | None:
        """Prefilled items still to go through (carried over, or one per participant)."""
        pending = self.case.pending
        if pending.get("step") != step.id:
            return None
        queue = pending.get("queue")
        return list(queue) if isinstance(queue, list) else None

    def reopened_group(self, step: Step) -> bool:
        """Whether the walk came back into this group from the question after it."""
        pending = self.case.pending
        return pending.get("step") == step.id and bool(pending.get(REOPENED))

    def progress(self) -> str | None:
        """What is being filled in, for a resumed walk: `Bjud in en verksamhet: Socialtjänst,
        2 av 3`."""
        step = self.position().step
        if step is None:
            return None
        if step.kind != "repeat" or self.case.pending.get("step") != step.id:
            return step.prompt
        items, current = self.pending_items(step)
        self.pending_queue(step) or []
        first = current.get(step.fields[0].id)
        named = first.get("name") if isinstance(first, dict) else first
        about = f": {named}" if named else ""
        return f"{step.prompt}{about} (nr {len(items) + 1})"

    def answered_steps(self) -> list[Step]:
        """The steps of this walk answered so far that going back can reach, in walk order."""
        answers = self.answers()
        return [
            step
            for section in self.workflow.sections
            if section.number >= self.first_section
            for step in section.steps
            if step.id in answers.get(section.id, {})
        ]

    def missing_givers(self) -> list[str]:
        """Whose consent the case still needs (the first giver of each group still unmet)."""
        return first_of_each_group(self.consent_scope())

    def coordinator_suggestion(self) -> list[OrganisationRef]:
        flat = engine.flatten(self.answers())
        actions = [meeting_record.action_from_item(i) for i in flat.get("atgarder", [])]
        return rules.suggest_coordinator(actions)

    def physical_meeting(self) -> bool:
        return str(engine.flatten(self.answers()).get("mote-form", "")).startswith("fysiskt")

    def presentation_order(self) -> list[str]:
        flat = engine.flatten(self.answers())
        return rules.presentation_order(
            rules.refs(i["verksamhet"] for i in flat.get("inbjudna", [])),
            self.case.holder,
        )

    # -- the case the answers make -------------------------------------------------------------

    def derived(
        self,
        answers: engine.Answers,
        event: str | None,
        *,
        pending: dict[str, Any],
        fields: list[str] | None,
        actor: Actor,
    ) -> Case:
        """The case `answers` make, pruned to what still applies, with `pending` kept and the
        journal told: `event` lists the steps whose answers changed (and `fields`, for what lies
        outside the answers), and a new status is journalled too. Nothing is saved."""
        before_answers = engine.flatten(self.answers())
        before_pending = self.case.pending
        facts = self.facts()
        pruned = engine.prune(self.workflow, answers, facts)
        flat = engine.flatten(pruned)
        reached = engine.outcomes(self.workflow, pruned, facts)
        first = self.workflow.sections[0].id
        now = self.clock()
        before = self.case.status
        numbers = {s.id: s.number for s in self.workflow.sections}
        case_answers = {k: v for k, v in pruned.items() if numbers[k] < MEETING_SECTION}
        data = self.case.model_dump()
        data.update(
            answers=case_answers,
            pending=pending,
            status=engine.status(self.workflow, pruned, facts),
            decision=rules.decision_from_answers(
                flat, reached[first].id if first in reached else None
            ),
            youth_mature=flat.get("ungdom-mogen"),
            guardians=rules.guardians_from_answers(flat),
            consent_from_each_guardian=self.consent_context().each_guardian,
            consents=rules.consents_from_answers(flat),
            updated=now,
        )
        self._derive_meeting(data["meetings"], pruned, reached, facts, now)
        case = Case.model_validate(data)
        if event:
            changed = self.changed_steps(before_answers, flat)
            step = pending.get("step")
            if pending != before_pending and isinstance(step, str) and step not in changed:
                changed.append(step)
            case.log(event, now, actor, [*changed, *(fields or [])])
        if case.status != before:
            case.log(f"Status: {STATUS_LABELS[case.status]}.", now, actor, ["status"])
        return case

    def _derive_meeting(
        self,
        meetings: list[dict[str, Any]],
        pruned: engine.Answers,
        reached: dict[str, Outcome],
        facts: engine.Facts,
        now: datetime,
    ) -> None:
        """The meeting being walked takes the meeting sections' answers (in the case's data)."""
        numbers = {s.id: s.number for s in self.workflow.sections}
        meeting_answers = {k: v for k, v in pruned.items() if numbers[k] >= MEETING_SECTION}
        # A consent withdrawn or run out puts the case back to waiting for consent; the
        # meetings it already has are records and stay as they are until consent is back.
        consent_section = self.workflow.section_of("samtycken").id
        waiting = consent_section in reached and reached[consent_section].stop
        # A finished meeting is a record: only the meeting being walked (or a first one that
        # is just beginning) takes answers.
        closed_record = (self.meeting is None or waiting) and bool(meetings)
        if closed_record or not (meeting_answers or self.meeting is not None):
            return
        if self.meeting is None:
            meetings.append(Meeting(number=len(meetings) + 1, started=now).model_dump())
        finished = engine.position(self.workflow, pruned, facts).finished
        meetings[-1].update(
            answers=meeting_answers,
            finished=finished,
            **meeting_record.meeting_fields(
                engine.flatten(pruned), meetings[-1].get("copy_records", [])
            ),
        )
        if not meeting_answers and meetings[-1]["number"] == 1:
            meetings.pop()  # went back out of the first meeting before it began

    def changed_steps(self, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        """The steps whose answers differ, in the order of the walk."""
        return [
            step.id
            for section in self.workflow.sections
            for step in section.steps
            if (step.id in before, before.get(step.id)) != (step.id in after, after.get(step.id))
        ]
