"""Replaying answers from a file through a `Walk` (`new-case --answers`, `follow-up
--answers`), by exactly the rules of the prompts; nothing is written unless the whole file fits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kronobarn_cli.checklists.schema import Step, Workflow
from kronobarn_cli.domain.case import Actor, Case, Child
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, KronobarnError
from kronobarn_cli.interactive.answering import Walk
from kronobarn_cli.interactive.case_changes import Clock, local_now
from kronobarn_cli.store.case_files import CaseStore


class _ScratchStore(CaseStore):
    """Keeps a replayed case in memory, so nothing is written unless the whole file fits."""

    def __init__(self, actor: Actor | None) -> None:
        super().__init__(Path(), actor=actor)

    def save(self, case: Case) -> None:
        pass


@dataclass
class Replay:
    case: Case
    next_step: Step | None
    """The first question the file left open, or None when the walk is complete."""
    warnings: list[str]
    """What the answers were warned about (they do not stop the replay), as `step: text`."""


def replay(  # noqa: PLR0917 - what a replay starts from
    workflow: Workflow,
    child: Child,
    answers: dict[str, Any],
    source: str,
    clock: Clock = local_now,
    own: OrganisationRef | None = None,
    *,
    actor: Actor | None = None,
) -> Replay:
    """Walk the checklists with answers from a file, by exactly the rules of the prompts.

    The journal of the result names `actor` (see `CaseStore`) for each answer."""
    now = clock()
    scratch = Case(id="aaaaaa", created=now, updated=now, child=child, own_organisation=own)
    store = _ScratchStore(actor)
    return _replay_walk(Walk(workflow, store, scratch, clock=clock), answers, source)


def replay_follow_up(
    workflow: Workflow,
    case: Case,
    answers: dict[str, Any],
    source: str,
    clock: Clock = local_now,
    *,
    actor: Actor | None = None,
) -> Replay:
    """The next meeting of a case from a file, by the rules of the prompts; nothing is saved.

    Items carried over from the last meeting are named by `tidigare:` (their number, or their
    text or organisation) with the fields asked again; every open action must be named.
    """
    walk = Walk(workflow, _ScratchStore(actor), case.model_copy(deep=True), clock=clock)
    walk.start_follow_up()
    return _replay_walk(walk, answers, source)


CARRIED_KEY = "tidigare"
"""In an answers file: the item of the last meeting that a follow-up item continues."""


def _carried(walk: Walk, step: Step, given: Any, source: str) -> Any:
    """A follow-up group from a file: `tidigare: N` items continue the last meeting's."""
    carried = walk.carried_items(step)
    if not carried or not isinstance(given, list):
        return given
    labels = [_item_label(step, item) for item in carried]
    used: set[int] = set()
    resolved = []
    for item in given:
        if not isinstance(item, dict) or CARRIED_KEY not in item:
            resolved.append(item)
            continue
        ref = item[CARRIED_KEY]
        if isinstance(ref, int) and not isinstance(ref, bool) and 1 <= ref <= len(carried):
            index = ref - 1
        elif isinstance(ref, str) and ref.casefold() in [x.casefold() for x in labels]:
            index = [x.casefold() for x in labels].index(ref.casefold())
        else:
            raise ReplayError(
                source, step.id, f"'{CARRIED_KEY}: {ref}' finns inte bland förra mötets poster"
            )
        used.add(index)
        merged = {**carried[index], **{k: v for k, v in item.items() if k != CARRIED_KEY}}
        resolved.append(walk.keep_passed_date(step, merged))
    if step.records == "action":
        missing = [f"{i + 1} ({labels[i]})" for i in range(len(carried)) if i not in used]
        if missing:
            raise ReplayError(
                source,
                step.id,
                f"förra mötets öppna insats {missing[0]} saknas; ange den med "
                f"'{CARRIED_KEY}' och dess status (avbruten om den inte ska fortsätta)",
            )
    return resolved


def _item_label(step: Step, item: dict[str, Any]) -> str:
    first = item.get(step.fields[0].id)
    return str(first.get("name", "")) if isinstance(first, dict) else str(first or "")


def _replay_walk(walk: Walk, answers: dict[str, Any], source: str) -> Replay:
    workflow = walk.workflow
    warnings: list[str] = []
    unknown = [key for key in answers if not workflow.has_step(key)]
    if unknown:
        raise ReplayError(source, unknown[0], "det finns inget sådant steg")
    pending = dict(answers)
    while True:
        step = walk.position().step
        if step is None:
            break
        if step.id not in pending:
            automatic = walk.automatic(step)
            if automatic is None and not step.required and pending:
                # An optional question the file leaves out, answering later ones: not recorded
                # (a file written before the question existed still plays).
                pending = {step.id: "" if step.kind == "text" else None, **pending}
            elif automatic is None:
                break
            else:
                pending = {step.id: automatic, **pending}
        given = pending.pop(step.id)
        if step.kind == "repeat":
            given = _carried(walk, step, given, source)
        try:
            warned = walk.answer(step.id, given)
        except AnswerError as exc:
            raise ReplayError(source, step.id, exc.message) from None
        warnings += [f"{source}: steget '{step.id}': {w}" for w in warned]
    stopped = walk.position()
    if pending and stopped.finished and stopped.outcome is not None and stopped.outcome.stop:
        reason = stopped.outcome.title
        if stopped.outcome.status == "vantar-pa-samtycke":
            reason += f": samtycke saknas från {walk.consent_scope().missing_words()}"
        later = next(iter(pending))
        raise ReplayError(source, later, f"gäller inte – {reason}")
    if pending:
        waiting = walk.position().step
        if waiting is not None and not any(walk.workflow.step(k) is waiting for k in pending):
            later = next(iter(pending))
            raise ReplayError(source, waiting.id, f"svar saknas (filen svarar på '{later}' senare)")
        first = next(iter(pending))
        raise ReplayError(source, first, "steget gäller inte med de svar som getts före det")
    return Replay(walk.case, walk.position().step, warnings)


class ReplayError(KronobarnError):
    def __init__(self, source: str, step_id: str, reason: str) -> None:
        super().__init__(f"{source}: steget '{step_id}': {reason}")
