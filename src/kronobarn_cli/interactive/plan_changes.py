"""Changes to Barnets plan outside the walk: an action added, corrected or given a new status,
each by the rules of the meeting that made the plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import answer_checks, engine, meeting_record, rules
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.consent import ConsentScope
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.errors import AnswerError, KronobarnError
from kronobarn_cli.interactive.case_changes import refuse_if_handed_over, refuse_without_consent
from kronobarn_cli.store import Store
from kronobarn_cli.support.validation import swedish_message


def plan_meeting(case: Case) -> Meeting:
    """The meeting that holds the current Barnets plan."""
    found = next((m for m in reversed(case.meetings) if m.actions), None)
    if found is None:
        raise KronobarnError(f"Ärendet {case.id} har ingen Barnets plan ännu.")
    return found


OPEN_STATUSES = ("planerad", "pagaende")


def _plan_items(workflow: Workflow, meeting: Meeting) -> list[dict[str, Any]]:
    section = workflow.section_of("atgarder").id
    return [dict(i) for i in meeting.answers.get(section, {}).get("atgarder", [])]


def _check_action_scope(
    workflow: Workflow, case: Case, meeting: Meeting, item: dict[str, Any], today: date
) -> None:
    """An action being added, or opened again, needs a responsible organisation that took part
    in the meeting and that the consent covers today."""
    step = workflow.step("atgarder")
    established = rules.established_specialists(case.meetings)
    scope = ConsentScope.of(case, today)
    scopes = rules.Scopes(scope, list(meeting.attendees), established)
    answer_checks.validate_item(step, item, workflow, today, scopes)


def _save_plan(
    store: Store,
    workflow: Workflow,
    case: Case,
    meeting: Meeting,
    items: list[dict[str, Any]],
    *,
    event: str,
    now: datetime,
) -> Case:
    """Replace the plan's actions; each must still be a sound action of that meeting."""
    step = workflow.step("atgarder")
    section = workflow.section_of("atgarder").id
    checked = answer_checks.validate_answer(step, items, workflow, now.date())
    answers = {k: dict(v) for k, v in meeting.answers.items()}
    answers.setdefault(section, {})["atgarder"] = checked
    data = case.model_dump()
    index = case.meetings.index(meeting)
    records = data["meetings"][index].get("copy_records", [])
    fields = meeting_record.meeting_fields(engine.flatten(answers), records)
    data["meetings"][index].update(answers=answers, **fields)
    try:
        updated = Case.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None
    updated.log(event, now, store.actor, ["atgarder"])
    store.save(updated)
    return updated


def _open_for_changes(case: Case) -> Meeting:
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är avslutat och kan inte ändras.")
    return plan_meeting(case)


def add_action(  # noqa: PLR0917 - the fields of one action
    store: Store,
    workflow: Workflow,
    case: Case,
    what: str,
    organisation: str,
    due: str,
    area: str,
    *,
    person: str | None = None,
    status: str = "planerad",
    goal: str | None = None,
    now: datetime,
) -> tuple[Case, int]:
    """Add an action to the current Barnets plan; returns the case and the action's number."""
    meeting = _open_for_changes(case)
    item: dict[str, Any] = {"vad": what, "ansvarig": organisation, "senast": due,
                            "omrade": area, "status": status}  # fmt: skip
    if person:
        item["person"] = person
    if goal:
        item["mal"] = goal
    refuse_without_consent(case, now.date())
    _check_action_scope(workflow, case, meeting, item, now.date())
    items = [*_plan_items(workflow, meeting), item]
    updated = _save_plan(
        store, workflow, case, meeting, items, event=f"Insats {len(items)} lades till.", now=now
    )
    return updated, len(items)


ACTION_FIELDS = {
    "vad": "vad",
    "mal": "mål",
    "ansvarig": "ansvarig",
    "person": "person",
    "senast": "senast",
    "omrade": "område",
}
"""The fields of an action `edit_action` changes, and their words in the journal."""
OPTIONAL_ACTION_FIELDS = ("mal", "person")


def edit_action(
    store: Store,
    workflow: Workflow,
    case: Case,
    number: int,
    changes: dict[str, str],
    *,
    now: datetime,
) -> tuple[Case, list[str]]:
    """Correct an action of the current Barnets plan (`changes` by field id; an empty optional
    field is removed), by the rules of adding one. Returns the case and the words of the fields
    changed; the journal names the fields, never their values."""
    meeting = _open_for_changes(case)
    items = _plan_items(workflow, meeting)
    if not 1 <= number <= len(items):
        raise KronobarnError(f"Det finns ingen insats nummer {number} (planen har {len(items)}).")
    if not changes:
        raise AnswerError(
            "Ange vad som ska ändras: --what, --goal, --organisation, --person, --due eller --area."
        )
    before = items[number - 1]
    item = dict(before)
    for field, value in changes.items():
        if field in OPTIONAL_ACTION_FIELDS and not value.strip():
            item.pop(field, None)
        else:
            item[field] = value
    refuse_without_consent(case, now.date())
    today = now.date()
    moved = "ansvarig" in changes
    if moved or before.get("status") in OPEN_STATUSES:
        _check_action_scope(workflow, case, meeting, item, today)
    step = workflow.step("atgarder")
    checked = answer_checks.validate_item(step, item, workflow, today)
    changed = [f for f in ACTION_FIELDS if before.get(f) != checked.get(f)]
    if not changed:
        return case, []
    items[number - 1] = checked
    words = ", ".join(ACTION_FIELDS[f] for f in changed)
    updated = _save_plan(
        store, workflow, case, meeting, items, event=f"Insats {number} ändrades: {words}.", now=now
    )
    return updated, [ACTION_FIELDS[f] for f in changed]


def set_action_status(
    store: Store, workflow: Workflow, case: Case, number: int, status: str, *, now: datetime
) -> tuple[Case, str]:
    """Change an action's status; returns the case and what the action is."""
    meeting = _open_for_changes(case)
    items = _plan_items(workflow, meeting)
    if not 1 <= number <= len(items):
        raise KronobarnError(f"Det finns ingen insats nummer {number} (planen har {len(items)}).")
    item = {**items[number - 1], "status": status}
    if status in OPEN_STATUSES:
        # Keeping an action open keeps its organisation working with the child's data.
        refuse_without_consent(case, now.date())
        _check_action_scope(workflow, case, meeting, item, now.date())
    items[number - 1] = item
    label = workflow.label("atgarder", "status", status).lower()
    updated = _save_plan(
        store, workflow, case, meeting, items, event=f"Insats {number}: {label}.", now=now
    )
    return updated, str(item["vad"])
