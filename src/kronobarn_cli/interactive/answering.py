"""One walk through a case: applies answers to it (validates, prunes, saves at once).

No terminal here: the prompter asks, this module records. Every change is saved before the next
question is asked, so an interrupted walk loses at most the answer being typed. What the answers
derive (status, meetings, plan, journal) is `domain/derive.py`; what the walk offers each step
is `walk_view.py`.

Sections 1–2 belong to the case; sections 3–7 to a meeting, walked again at each follow-up.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kronobarn_cli.checklists.schema import Step, Workflow
from kronobarn_cli.domain import answer_checks, consent_records, engine, rules
from kronobarn_cli.domain.case import Case, JournalEntry
from kronobarn_cli.domain.derive import REMEMBERED, REOPENED
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, CaseGoneError, KronobarnError, UnknownCaseError
from kronobarn_cli.interactive.case_changes import (
    Clock,
    entries_since,
    local_now,
    refuse_if_not_open,
    refuse_without_consent,
)
from kronobarn_cli.interactive.walk_view import WalkView
from kronobarn_cli.store import Store
from kronobarn_cli.support.text import IDENTITY_NUMBER_WARNING, has_identity_number, swedish_date


def _mentions_identity_number(value: Any) -> bool:
    """Free text anywhere in an answer (a group's items too) that holds an identity number."""
    if isinstance(value, str):
        return has_identity_number(value)
    if isinstance(value, list):
        return any(_mentions_identity_number(v) for v in value)
    if isinstance(value, dict):
        return any(_mentions_identity_number(v) for k, v in value.items() if k != "verksamhet")
    return False


class Walk(WalkView):
    """A case being walked through the checklists: each answer validated, applied and saved.

    Built on `WalkView` (what the answers offer the next step) and `CaseDerivation` (what they
    derive), which read the same `case` this class replaces on every change."""

    def __init__(
        self,
        workflow: Workflow,
        store: Store,
        case: Case,
        *,
        clock: Clock = local_now,
    ) -> None:
        refuse_if_not_open(case)
        super().__init__(workflow, case, clock)
        self.store = store
        self.remembered: dict[str, Any] = dict(case.pending.get(REMEMBERED, {}))
        """Answers removed by a jump back, given again where they still hold. Saved with the
        case, so an interrupted walk loses none of them."""
        self._filling: str | None = None
        """The group whose unfinished items this walk has journalled as being filled in."""

    # -- validating ----------------------------------------------------------------------------

    def validate(self, spec: Any, raw: Any) -> Any:
        """One answer or field, with the consent and participant rules of this case."""
        flat = engine.flatten(self.answers())
        value = answer_checks.validate_answer(
            spec, raw, self.workflow, self.today, self.scopes(), answers=flat
        )
        if spec.id == "mote-datum" and isinstance(value, str):
            self._after_previous_meeting(date.fromisoformat(value))
        if spec.id == "deltagare" and isinstance(value, list) and "mote-datum" in flat:
            self._consented_on(date.fromisoformat(flat["mote-datum"]), value)
        return value

    def _after_previous_meeting(self, held_on: date) -> None:
        """A follow-up meeting is not held before the meeting it follows."""
        previous = self.previous_meeting()
        if previous is not None and previous.held_on is not None and held_on < previous.held_on:
            raise AnswerError(
                f"Mötet kan inte hållas före förra mötet ({swedish_date(previous.held_on)})."
            )

    def _consented_on(self, held_on: date, named: list[Any]) -> None:
        """Consent is checked as of the meeting's day too: a meeting registered afterwards
        cannot have had a party that consent covered only later (or no longer covered)."""
        if held_on >= self.today:
            return  # as of today is checked already; a day ahead is checked when it comes
        flat = engine.flatten(self.answers())
        scope = rules.consent_context(self.workflow, self.case, held_on).scope(flat)
        for raw in named:
            org = OrganisationRef.model_validate(raw)
            if not scope.covers(org):
                raise AnswerError(
                    f"Samtycket omfattade inte {org.name} den {swedish_date(held_on)}, "
                    "mötets datum. Kontrollera mötets datum eller samtyckets datum."
                )

    def validate_item(self, step: Step, item: dict[str, Any]) -> dict[str, Any]:
        flat = engine.flatten(self.answers())
        return answer_checks.validate_item(
            step, item, self.workflow, self.today, self.scopes(), answers=flat
        )

    # -- changes -------------------------------------------------------------------------------

    def answer(self, step_id: str, raw: Any) -> list[str]:
        """Validate and record an answer to the current step (AnswerError if it does not fit).

        Returns the warnings the answer gives (they do not stop it), e.g. an invitation that
        does not go out in good time.
        """
        current = self.position().step
        while current is not None and current.id != step_id:
            # What the walk answers itself (guidance, notes not asked for) comes first.
            automatic = self.automatic(current)
            if automatic is None:
                break
            self.answer(current.id, automatic)
            current = self.position().step
        if current is None or current.id != step_id:
            raise AnswerError(f"Steget '{step_id}' är inte aktuellt nu.")
        if current.kind == "date" and isinstance(raw, datetime):
            raw = f"{raw:%Y-%m-%d %H:%M}"  # an unquoted YAML timestamp: its time counts too
        value = self.validate(current, raw)
        self.given_parts.pop(step_id, None)
        section = self.workflow.section_of(step_id)
        answers = self.answers()
        answers.setdefault(section.id, {})[step_id] = value
        self._update(answers, f"Besvarade: {current.prompt}", pending={})
        if isinstance(raw, str):
            self._answer_date_parts(current, raw)
        warnings = [IDENTITY_NUMBER_WARNING] if _mentions_identity_number(value) else []
        if current.records == "invitee":
            warnings += [w for item in value if (w := self.invitation_warning(item))]
        return warnings

    def _answer_date_parts(self, step: Step, raw: str) -> None:
        """The time and place a date answer carried answer the steps that follow it; a part left
        out is asked, or left empty where the step is never asked."""
        _, time, place = answer_checks.date_parts(step, raw)
        for target, value in ((step.with_time, time), (step.with_place, place)):
            if target is None:
                continue
            self.given_parts.pop(target, None)  # a part of an earlier answer to the date
            following = self.position().step
            if following is not None and following.id == target:
                if value is None and following.ask:
                    continue  # left out: asked next
                self.answer(target, value if value is not None else self.automatic(following))
            elif value is not None:
                # A step asked later (the place, after the meeting's form): answered with this
                # when the walk comes to it.
                self.given_parts[target] = value

    def back(self) -> Step | None:
        """Remove the last answer; returns the step that is asked again, None at the start."""
        if self.meeting is None and self.case.meetings:
            return None  # the last meeting is finished; a follow-up starts the next one
        before = engine.flatten(self.answers())
        answers, removed = engine.go_back(self.workflow, self.answers(), self.first_section)
        if removed is None:
            return None
        step = self.workflow.step(removed)
        pending: dict[str, Any] = {}
        items = before.get(removed)
        if step.kind == "repeat" and isinstance(items, list) and items:
            # Back into a group: its items are kept, and the walk stands after the last one.
            pending = {"step": step.id, "items": items, "current": {}, "queue": [], REOPENED: True}
        self._update(answers, f"Gick tillbaka till: {step.prompt}", pending=pending)
        return step

    def back_to(self, step_id: str) -> Step | None:
        """Go back to a chosen earlier step so the walk asks it again. The later answers are
        remembered: those that still hold are given again without asking (`remembered`)."""
        if step_id not in {s.id for s in self.answered_steps()}:
            return None
        before = engine.flatten(self.answers())
        while True:
            removed = self.back()
            if removed is None or removed.id == step_id:
                break
        after = engine.flatten(self.answers())
        self.remembered = {k: v for k, v in before.items() if k not in after and k != step_id}
        self.changing = {step_id: before.get(step_id)}
        self._update(self.answers(), None, pending={})  # saves what is remembered
        return removed

    def remembered_answer(self, step: Step) -> Any:
        """A later answer kept from before a jump back, if the walk has one for this step."""
        return self.remembered.pop(step.id, None)

    def reopen(self) -> Step | None:
        """Open again the group a stopping outcome names (e.g. to add a missing consent)."""
        pos = self.position()
        if pos.outcome is None or pos.outcome.reopen is None:
            return None
        step = self.workflow.step(pos.outcome.reopen)
        answers = self.answers()
        items = answers.get(pos.section.id, {}).pop(step.id, [])
        pending = {"step": step.id, "items": items, "current": {}}
        self._update(answers, f"Öppnade igen: {step.prompt}", pending=pending)
        return step

    def name_giver(self, giver: str, name: str | None) -> None:
        """Give a consent giver a name or a role (`mamma`, a first name), or take it away: it is
        shown beside `vårdnadshavare 1` wherever the consents are."""
        answers = self.answers()
        event = consent_records.name_giver(self.workflow, answers, giver, name, self.today)
        self._update(answers, event, pending=dict(self.case.pending))

    def extend_consent(self, item: dict[str, Any]) -> None:
        """Record one more consent (a new giver, or more organisations) in section 2."""
        answers = self.answers()
        event = consent_records.extend_consent(self.workflow, self.case, answers, item, self.today)
        self._update(answers, event, pending=dict(self.case.pending))

    def withdraw_consent(
        self, giver: str, organisations: list[Any], on: date
    ) -> list[OrganisationRef]:
        """Record a withdrawal, whole (no organisations) or in part; nothing is deleted.

        Returns the organisations the withdrawal takes out of the scope.
        """
        before = self.consent_scope()
        withdrawal, event = consent_records.withdrawal(
            self.workflow, self.case, before, giver, organisations, on, self.today, self.clock()
        )
        self.case = self.case.model_copy(
            update={"withdrawals": [*self.case.withdrawals, withdrawal]}
        )
        lost = [o for o in before.organisations() if not self.consent_scope().covers(o)]
        self._update(self.answers(), event, pending=dict(self.case.pending), fields=["withdrawals"])
        return lost

    def reload(self) -> list[JournalEntry]:
        """Read the case again after a save was refused as stale (another session saved it
        after this walk read it); the walk goes on from the case as it is now. Returns the
        journal entries the other sessions recorded meanwhile. What this walk had not saved
        yet (the answer being given) is gone; CaseGoneError when the case is gone."""
        try:
            fresh = self.store.load(self.case.id)
        except UnknownCaseError:
            raise CaseGoneError(self.case.id) from None
        added = entries_since(self.case, fresh)
        self.case = fresh
        self.remembered = dict(fresh.pending.get(REMEMBERED, {}))
        self.changing = {}
        self._filling = None
        return added

    def save_pending(
        self,
        step: Step,
        items: list[dict[str, Any]],
        current: dict[str, Any],
        queue: list[dict[str, Any]] | None = None,
    ) -> None:
        """Save a group's progress item by item and field by field."""
        pending: dict[str, Any] = {"step": step.id, "items": items, "current": current}
        if queue is not None:
            pending["queue"] = queue
        # One entry per group and walk, not one per field typed.
        event = None if self._filling == step.id else f"Fyllde i (inte klart): {step.prompt}"
        self._update(self.answers(), event, pending=pending)
        self._filling = step.id

    def derive_again(self, event: str, fields: list[str]) -> None:
        """Derive and save the case anew from its answers, as after an answer: for a change
        the conditions depend on outside the answers (the child's birth year)."""
        self._update(self.answers(), event, pending=dict(self.case.pending), fields=fields)

    def start_follow_up(self) -> Meeting:
        """Open the next meeting of an activated case whose last meeting is finished."""
        case = self.case
        refuse_without_consent(case, self.today)
        latest = case.current_meeting
        if latest is None or not latest.finished:
            raise KronobarnError(
                f"Ärendets pågående möte är inte klart. Fortsätt med: kronobarn resume {case.id}"
            )
        now = self.clock()
        meeting = Meeting(number=latest.number + 1, started=now)
        data = case.model_dump()
        data["meetings"] = [*data["meetings"], meeting.model_dump()]
        self.case = Case.model_validate(data)
        self.case.log(
            f"Uppföljande möte {meeting.number} påbörjades.", now, self.store.actor, ["meetings"]
        )
        self.store.save(self.case)
        return meeting

    def _update(
        self,
        answers: engine.Answers,
        event: str | None,
        *,
        pending: dict[str, Any],
        fields: list[str] | None = None,
    ) -> None:
        """Derive, journal and save (`CaseDerivation.derived`)."""
        self._filling = None
        if self.remembered:
            pending = {**pending, REMEMBERED: dict(self.remembered)}
        actor = self.store.actor
        case = self.derived(answers, event, pending=pending, fields=fields, actor=actor)
        self.store.save(case)
        self.case = case
