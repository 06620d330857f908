"""The walk: `Walk` and every change a coordinator makes to a case, by one name each.

Where each part lives: applying answers in `answering.py` (`Walk`), what a walk offers each
step in `walk_view.py`, what the answers derive in `domain/derive.py`, consents recorded in
`domain/consent_records.py`; changes outside a walk in `case_changes.py` (child, close,
reopen) and `plan_changes.py` (Barnets plan); answers files in `walk_replay.py`. Here: those
names for the commands (imported as `session`), and the changes that run through a `Walk`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.derive import REMEMBERED, REOPENED
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.interactive.answering import Walk
from kronobarn_cli.interactive.case_changes import (
    REOPEN_DAYS,
    Clock,
    check_closable,
    close_case,
    entries_since,
    local_now,
    open_actions,
    parse_child,
    refuse_if_handed_over,
    refuse_if_not_open,
    refuse_without_consent,
    reopen_case,
    walk_open,
)
from kronobarn_cli.interactive.plan_changes import (
    ACTION_FIELDS,
    OPEN_STATUSES,
    OPTIONAL_ACTION_FIELDS,
    add_action,
    edit_action,
    plan_meeting,
    set_action_status,
)
from kronobarn_cli.interactive.walk_replay import (
    CARRIED_KEY,
    Replay,
    ReplayError,
    replay,
    replay_follow_up,
)
from kronobarn_cli.interactive.walk_view import PROFILE_STEPS
from kronobarn_cli.store import Store

__all__ = [
    "ACTION_FIELDS",
    "CARRIED_KEY",
    "OPEN_STATUSES",
    "OPTIONAL_ACTION_FIELDS",
    "PROFILE_STEPS",
    "REMEMBERED",
    "REOPENED",
    "REOPEN_DAYS",
    "Clock",
    "Replay",
    "ReplayError",
    "Walk",
    "add_action",
    "check_closable",
    "close_case",
    "edit_action",
    "edit_child",
    "entries_since",
    "local_now",
    "name_giver",
    "open_actions",
    "parse_child",
    "plan_meeting",
    "record_consent",
    "refuse_if_handed_over",
    "refuse_if_not_open",
    "refuse_without_consent",
    "reopen_case",
    "replay",
    "replay_follow_up",
    "set_action_status",
    "walk_open",
    "withdraw_consent",
]


def edit_child(  # noqa: PLR0917 - what an edit says
    store: Store,
    case: Case,
    name: str | None,
    birth_year: str | None,
    now: datetime,
    workflow: Workflow | None = None,
) -> tuple[Case, list[str]]:
    """Correct the child's name/initials or birth year; the journal says what, not to what.

    A changed birth year goes through the walk's rules at once (with `workflow`): a child who
    may now be 12 brings in the question of the young person's maturity, and the case waits
    for consent until it is answered (`ConsentScope.maturity_to_judge`)."""
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är avslutat och kan inte ändras.")
    current_year = "" if case.child.birth_year is None else str(case.child.birth_year)
    child = parse_child(
        case.child.name if name is None else name,
        current_year if birth_year is None else birth_year,
        now.date(),
    )
    changed = [
        (label, field)
        for label, field, before, after in (
            ("namn", "child.name", case.child.name, child.name),
            ("födelseår", "child.birth_year", case.child.birth_year, child.birth_year),
        )
        if before != after
    ]
    if not changed:
        return case, []
    labels = [label for label, _ in changed]
    edited = case.model_copy(update={"child": child}, deep=True)
    text = f"Barnets uppgifter ändrades: {', '.join(labels)}."
    fields = [field for _, field in changed]
    if workflow is not None and child.birth_year != case.child.birth_year and case.answers:
        walk = Walk(workflow, store, edited, clock=lambda: now)
        walk.derive_again(text, fields)
        return walk.case, labels
    edited.log(text, now, store.actor, fields)
    store.save(edited)
    return edited, labels


def record_consent(
    store: Store, workflow: Workflow, case: Case, item: dict[str, Any], *, clock: Clock
) -> Case:
    """Record a new or extended consent outside the walk (same rules as in it)."""
    walk = Walk(workflow, store, case, clock=clock)
    walk.extend_consent(item)
    return walk.case


def name_giver(
    store: Store, workflow: Workflow, case: Case, giver: str, name: str | None, *, clock: Clock
) -> Case:
    """Name a consent giver (or take the name away) outside the walk."""
    walk = Walk(workflow, store, case, clock=clock)
    walk.name_giver(giver, name)
    return walk.case


def withdraw_consent(  # noqa: PLR0917 - what a withdrawal says
    store: Store,
    workflow: Workflow,
    case: Case,
    giver: str,
    organisations: list[str],
    on: date,
    *,
    clock: Clock,
) -> tuple[Case, list[OrganisationRef]]:
    """Record a withdrawal; returns the case and the organisations that left the scope."""
    walk = Walk(workflow, store, case, clock=clock)
    lost = walk.withdraw_consent(giver, list(organisations), on)
    return walk.case, lost
