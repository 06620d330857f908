"""One walk through a case: applies answers to the case, keeps derived data right, saves at once.

No terminal here: the prompts module asks, this module records. Every change is saved before
the next question is asked, so an interrupted walk loses at most the answer being typed.

Sections 1–2 belong to the case; sections 3–7 to a meeting, walked again at each follow-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kronobarn_cli.checklists.schema import FieldSpec, Outcome, Step, Workflow
from kronobarn_cli.checklists.vocabulary import FAMILY, MEETING_SECTION
from kronobarn_cli.domain import answer_checks, engine, meeting_record, rules
from kronobarn_cli.domain.case import (
    OLDEST_CHILD,
    STATUS_LABELS,
    Actor,
    Case,
    Child,
    Closure,
    ConsentWithdrawal,
    EarlierClosure,
    JournalEntry,
)
from kronobarn_cli.domain.consent import ConsentScope, status_on
from kronobarn_cli.domain.consent import giver_word as consent_giver_word
from kronobarn_cli.domain.meeting import Meeting, PlanAction
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, CaseGoneError, KronobarnError, UnknownCaseError
from kronobarn_cli.store import Store
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.profile import Profile
from kronobarn_cli.support.text import (
    IDENTITY_NUMBER_WARNING,
    has_identity_number,
    join_swedish,
    swedish_date,
)
from kronobarn_cli.support.validation import swedish_message

Clock = Callable[[], datetime]


def local_now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


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
    if has_identity_number(name):
        raise AnswerError(
            "Skriv bara namn eller initialer – personnummer behövs inte och sparas inte."
        )
    try:
        return Child(name=name, birth_year=year)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None


def refuse_if_handed_over(case: Case) -> None:
    """The sender's copy of a handed-over case is read-only: the new coordinator goes on."""
    handover = case.handed_over
    if handover is None:
        return
    to = handover.to.name + (f" ({handover.person})" if handover.person else "")
    raise KronobarnError(
        f"Ärendet {case.id} överlämnades till {to} den {swedish_date(handover.on.date())} och "
        f"kan inte ändras här. {handover.to.name} samordnar ärendet nu."
    )


def refuse_if_not_open(case: Case) -> None:
    """A walk goes on only in a case that is neither handed over nor closed."""
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är avslutat och kan inte ändras.")


def entries_since(read: Case, now: Case) -> list[JournalEntry]:
    """The journal entries `now` holds that were recorded after `read` was read: the other
    sessions' changes (the journal only grows, so they follow the entries both hold)."""
    common = 0
    for mine, theirs in zip(read.journal, now.journal, strict=False):
        if mine != theirs:
            break
        common += 1
    return now.journal[common:]


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


def check_closable(case: Case, reason: str) -> str:
    """What refuses a close before anything is asked; returns the reason as it is kept."""
    text = reason.strip()
    if not text:
        raise AnswerError("Skriv en anledning till att ärendet avslutas (--reason).")
    refuse_if_handed_over(case)
    if case.closed is not None:
        raise KronobarnError(f"Ärendet {case.id} är redan avslutat.")
    return text


def open_actions(case: Case) -> list[tuple[int, PlanAction]]:
    """The actions of the current Barnets plan still planned or going on, with their numbers."""
    found = next((m for m in reversed(case.meetings) if m.actions), None)
    actions = found.actions if found is not None else []
    return [(n, a) for n, a in enumerate(actions, 1) if a.is_open]


def close_case(store: Store, case: Case, reason: str, now: datetime) -> Case:
    """Close a case: it leaves the walk and the reminders; nothing recorded is removed (a group
    being filled in stays too, for `reopen`)."""
    text = check_closable(case, reason)
    data = case.model_dump()
    data.update(status="avslutad", closed=Closure(on=now.date(), reason=text))
    try:
        closed = Case.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None
    # The reason stays in the case (`closed.reason`), never in the journal.
    closed.log("Ärendet avslutades.", now, store.actor, ["status", "closed"])
    store.save(closed)
    return closed


REOPEN_DAYS = 30
"""How long after it was closed a case can be opened again (`reopen`); later, a new case."""


def reopen_case(store: Store, workflow: Workflow, case: Case, now: datetime) -> Case:
    """Open a closed case again within `REOPEN_DAYS`: its status is what its answers give
    today (consent as it stands now), and the closure with its reason is kept."""
    refuse_if_handed_over(case)
    closure = case.closed
    if closure is None:
        raise KronobarnError(f"Ärendet {case.id} är inte avslutat.")
    today = now.date()
    if (today - closure.on).days > REOPEN_DAYS:
        raise KronobarnError(
            f"Ärendet {case.id} avslutades den {swedish_date(closure.on)}, för mer än "
            f"{REOPEN_DAYS} dagar sedan, och kan inte öppnas igen. Öppna ett nytt ärende med "
            "kronobarn new-case."
        )
    answers = {k: dict(v) for k, v in case.answers.items()}
    if case.meetings:
        answers.update({k: dict(v) for k, v in case.meetings[-1].answers.items()})
    facts = engine.Facts(
        child_age=case.child.max_age(today),
        rules=rules.consent_context(workflow, case, today).rules(),
    )
    status = engine.status(workflow, engine.prune(workflow, answers, facts), facts)
    earlier = EarlierClosure(on=closure.on, reason=closure.reason, reopened_on=today)
    data = case.model_dump()
    data.update(
        status=status,
        closed=None,
        earlier_closures=[*data["earlier_closures"], earlier.model_dump()],
    )
    try:
        reopened = Case.model_validate(data)
    except ValidationError as exc:
        raise AnswerError(swedish_message(exc.errors()[0]).capitalize() + ".") from None
    reopened.log(
        f"Ärendet öppnades igen (avslutat {closure.on.isoformat()}). Status: "
        f"{STATUS_LABELS[status]}.",
        now,
        store.actor,
        ["status", "closed", "earlier_closures"],
    )
    store.save(reopened)
    return reopened


def _mentions_identity_number(value: Any) -> bool:
    """Free text anywhere in an answer (a group's items too) that holds an identity number."""
    if isinstance(value, str):
        return has_identity_number(value)
    if isinstance(value, list):
        return any(_mentions_identity_number(v) for v in value)
    if isinstance(value, dict):
        return any(_mentions_identity_number(v) for k, v in value.items() if k != "verksamhet")
    return False


REMEMBERED = "remembered"
REOPENED = "reopened"
"""Key in `Case.pending`: answers a jump back took out, to be given again where they hold."""


def walk_open(case: Case, today: date) -> bool:
    """Has the case a walk to go on with (`resume`): being assessed, waiting for consent (a
    consent run out too), or a meeting not finished? A finished meeting goes on with
    `follow-up` instead."""
    status = status_on(case, today)
    if status in ("bedomning-pagar", "vantar-pa-samtycke"):
        return True
    return status == "aktiverad" and not (case.meetings and case.meetings[-1].finished)


def _first_of_each_group(scope: ConsentScope) -> list[str]:
    """The givers to ask: a group any one giver satisfies (a county's routine) asks its first."""
    missing = scope.givers_without_consent()
    return [g for g in missing if not any(g in group[1:] for group in scope.required)]


PROFILE_STEPS = {"inbjudare": "name", "inbjudare-kontakt": "contact"}
"""The steps a coordinator's profile answers, and the profile's field for each."""


class Walk:
    """A case being walked through the checklists."""

    def __init__(
        self,
        workflow: Workflow,
        store: Store,
        case: Case,
        *,
        clock: Clock = local_now,
    ) -> None:
        refuse_if_not_open(case)
        self.workflow = workflow
        self.store = store
        self.case = case
        self.clock = clock
        self.wanted: set[str] = set()
        self.remembered: dict[str, Any] = dict(case.pending.get(REMEMBERED, {}))
        """Answers removed by a jump back, given again where they still hold. Saved with the
        case, so an interrupted walk loses none of them."""
        self.changing: dict[str, Any] = {}
        """The answer a jump back asks again, offered as the starting point."""
        self._filling: str | None = None
        """The group whose unfinished items this walk has journalled as being filled in."""
        self.given_parts: dict[str, str] = {}
        """A later step a date answer carried the answer to ("…, Rum 3" answers the place),
        until the walk comes to it."""
        self.profile: Profile | None = None
        """The coordinator's remembered profile, when this walk uses it: it answers "Ditt namn"
        and "Hur du nås" (shown, not asked)."""

    @property
    def today(self) -> date:
        return self.clock().date()

    # -- reading -------------------------------------------------------------------------------

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

    def default_for(self, step: Step) -> Any:
        """What a step starts from: a suggestion, or what was answered at the last meeting."""
        if step.id in self.changing and step.kind != "repeat":
            return self.changing.pop(step.id)  # the answer being changed after a jump back
        flat = engine.flatten(self.answers())
        if step.suggest == "coordinator":
            suggested = self.coordinator_suggestion()
            if len(suggested) == 1:
                return suggested[0].model_dump()
            previous = self.previous_meeting()
            coordinator = previous.coordinator if previous is not None else None
            return coordinator.model_dump() if coordinator is not None else None
        own = self.case.holder
        if step.id == "deltagare":  # the own organisation and those invited are likely there
            invited = [i["verksamhet"] for i in flat.get("inbjudna", [])]
            present = ([own.model_dump()] if own is not None else []) + invited
            return list({(o["id"], o["name"]): o for o in present}.values()) or None
        if step.id == "vardnadshavare-deltog":  # both, unless one is ticked off
            return ["vardnadshavare-1", "vardnadshavare-2"]
        if step.id == "nasta-deltagare":
            return flat.get("deltagare")
        if step.id == "ytterligare-parter":  # named for the next meeting, not at this one
            here = {OrganisationRef(**o).key() for o in flat.get("deltagare", [])}
            named = flat.get("nasta-deltagare", [])
            return [o for o in named if OrganisationRef(**o).key() not in here]
        previous = self.previous_meeting()
        if previous is not None and step.id == "mote-plats" and previous.next_place:
            return previous.next_place  # the room the last meeting agreed on
        if previous is not None and step.id == "omraden" and previous.areas_discussed:
            return list(previous.areas_discussed)  # what the last meeting took up
        if step.carry_over and previous is not None and step.kind != "repeat":
            return engine.flatten(previous.answers).get(step.id)
        if previous is not None and step.id == "mote-datum" and previous.next_meeting:
            return previous.next_meeting.isoformat()  # the date the last meeting agreed on
        if previous is not None and step.id == "mote-tid":
            return previous.next_starts_at or previous.starts_at
        if step.id == "omraden-motet":  # the areas in focus are likely those discussed
            return flat.get("omraden")
        if step.id == "inbjudare-verksamhet" and own is not None:
            return own.model_dump()
        return None

    def field_default(self, spec: FieldSpec) -> Any:
        """What a group's field is answered with when it is not asked, if the walk knows it."""
        if spec.single_from is not None:
            chosen = engine.flatten(self.answers()).get(spec.single_from)
            if isinstance(chosen, list) and len(chosen) == 1:
                return chosen[0]
        return None

    def automatic(self, step: Step) -> Any:
        """The answer to a step that is not asked (guidance, or a default the walk knows)."""
        if step.kind == "info":
            return True  # guidance shown with the section; nothing to choose
        if self.profile is not None and step.id in PROFILE_STEPS:
            return getattr(self.profile, PROFILE_STEPS[step.id])
        if step.id in self.given_parts:
            return self.given_parts[step.id]
        if step.ask:
            return None
        if step.id in self.wanted:
            return None  # the user asked for it (an extra choice in an earlier list)
        default = self.default_for(step)
        if default is None and not step.required:
            listed = ("organisations", "areas", "checkbox", "repeat")
            # Left empty: "" is an answer (None would ask the question).
            return [] if step.kind in listed else ("" if step.kind in ("text", "time") else None)
        return default

    def want(self, step_id: str) -> None:
        """Ask a step the walk would otherwise answer itself (chosen in an earlier list)."""
        self.wanted.add(step_id)

    def carried_items(self, step: Step) -> list[dict[str, Any]]:
        """Items a follow-up meeting starts a group from, without the fields asked again."""
        previous = self.previous_meeting()
        if previous is None or not step.carry_over or step.kind != "repeat":
            return []
        items = engine.flatten(previous.answers).get(step.id, [])
        again = {f.id for f in step.fields if f.ask_again}
        held_on = engine.flatten(self.answers()).get("mote-datum")
        carried = []
        for item in meeting_record.carried_items(step.records, items):
            if self._outside_consent(step, item) is not None:
                continue  # shown flagged (`carried_outside_consent`), never asked about
            kept = {k: v for k, v in item.items() if k not in again}
            if step.records == "action" and held_on and item.get("senast", held_on) < held_on:
                kept.pop("senast")  # its date passed before this meeting: asked again
            carried.append(kept)
        return carried

    def carried_outside_consent(self, step: Step) -> list[str]:
        """Why items of the last meeting are not carried into this one: the consent no longer
        covers their organisation (withdrawn or run out), one flag per item."""
        previous = self.previous_meeting()
        if previous is None or not step.carry_over or step.kind != "repeat":
            return []
        items = engine.flatten(previous.answers).get(step.id, [])
        return [
            flag
            for item in meeting_record.carried_items(step.records, items)
            if (flag := self._outside_consent(step, item)) is not None
        ]

    def _outside_consent(self, step: Step, item: dict[str, Any]) -> str | None:
        """An invitation from the last meeting to an organisation the consent no longer covers."""
        if step.records != "invitee":
            return None
        refusal = self._refusal(item.get("verksamhet"))
        return (
            None
            if refusal is None
            else f"{item['verksamhet']['name']} bjuds inte in igen: {refusal}"
        )

    def consent_flag(self, step: Step, item: dict[str, Any]) -> str | None:
        """A carried-over action whose owner the consent no longer covers: said beside it."""
        if step.records != "action":
            return None
        refusal = self._refusal(item.get("ansvarig"))
        if refusal is None:
            return None
        return f"{refusal} Sätt insatsen som avbruten eller klar, eller ge den en ny ansvarig."

    def _refusal(self, raw: Any) -> str | None:
        if not isinstance(raw, dict):
            return None
        entry = self.workflow.organisation(str(raw.get("id")))
        if entry is not None and entry.kind == "familj":
            return None  # the family needs no consent
        org = OrganisationRef.model_validate(raw)
        scope = self.consent_scope()
        return None if scope.covers(org) else scope.refusal(org)

    def keep_passed_date(self, step: Step, item: dict[str, Any]) -> dict[str, Any]:
        """A carried-over action finished or cancelled now keeps its old date: only an action
        that goes on needs a new one."""
        if step.records != "action" or "senast" in item or "status" not in item:
            return item
        if item["status"] in OPEN_STATUSES:
            return item
        old = self.previous_values(step, item)
        return {**item, "senast": old["senast"]} if "senast" in old else item

    def previous_values(self, step: Step, item: dict[str, Any]) -> dict[str, Any]:
        """What a carried-over item held at the last meeting in the fields asked again."""
        previous = self.previous_meeting()
        if previous is None:
            return {}
        again = {f.id for f in step.fields if f.ask_again}
        kept = {k: v for k, v in item.items() if k not in again}
        for full in engine.flatten(previous.answers).get(step.id, []):
            if all(full.get(k) == v for k, v in kept.items()):
                return {k: v for k, v in full.items() if k not in item}
        return {}

    def family_parties(self, spec: FieldSpec) -> list[OrganisationRef]:
        """The family and the young person, where a question may name them."""
        if not spec.family:
            return []
        return [
            OrganisationRef(id=o.id, name=o.name)
            for o in self.workflow.organisations
            if o.kind == "familj"
        ]

    def participant_items(self, step: Step) -> list[dict[str, Any]]:
        """For a group with one item per participant (the family first, where it belongs) or
        per area: the items to fill in."""
        first = step.fields[0]
        if step.for_each == "areas" and step.areas_from:
            chosen = engine.flatten(self.answers()).get(step.areas_from) or []
            return [{first.id: area} for area in chosen]
        if step.for_each != "participants":
            return []
        family = [o for o in self.family_parties(first) if o.id == FAMILY]
        participants = [*family, *(self.scopes().participants or [])]
        return [{first.id: o.model_dump()} for o in participants]

    def giver_items(self, step: Step) -> list[dict[str, Any]]:
        """For the consent group: one item per required giver whose consent is missing."""
        if step.records != "consent":
            return []
        items, _ = self.pending_items(step)
        scope = self.consent_context().scope({**engine.flatten(self.answers()), "samtycken": items})
        return [{step.fields[0].id: giver} for giver in _first_of_each_group(scope)]

    def missing_givers(self) -> list[str]:
        """Whose consent the case still needs (the first giver of each group still unmet)."""
        return _first_of_each_group(self.consent_scope())

    def group_complete(self, step: Step, items: list[dict[str, Any]]) -> bool:
        """A group with one item per participant has an item for each of them."""
        if step.for_each != "participants":
            return True
        named = {OrganisationRef(**i[step.fields[0].id]).key() for i in items}
        return all(o.key() in named for o in self.scopes().participants or [])

    def coordinator_suggestion(self) -> list[OrganisationRef]:
        flat = engine.flatten(self.answers())
        actions = [meeting_record.action_from_item(i) for i in flat.get("atgarder", [])]
        return rules.suggest_coordinator(actions)

    def suggestion_note(self, step: Step) -> str | None:
        if step.suggest != "coordinator":
            return None
        suggested = self.coordinator_suggestion()
        if len(suggested) == 1:
            return f"Förslag: {suggested[0].name}, som ansvarar för flest insatser i planen."
        if suggested:
            names = join_swedish(o.name for o in suggested)
            return f"{names} ansvarar för lika många insatser. Kom överens om vem som samordnar."
        return None

    def physical_meeting(self) -> bool:
        return str(engine.flatten(self.answers()).get("mote-form", "")).startswith("fysiskt")

    def presentation_order(self) -> list[str]:
        flat = engine.flatten(self.answers())
        return rules.presentation_order(
            rules.refs(i["verksamhet"] for i in flat.get("inbjudna", [])),
            self.case.holder,
        )

    def invitation_warning(self, item: dict[str, Any]) -> str | None:
        flat = engine.flatten(self.answers())
        if "mote-datum" not in flat or "skickad" not in item:
            return None
        section = self.workflow.section_of("inbjudna")
        return rules.invitation_too_late(
            date.fromisoformat(item["skickad"]),
            date.fromisoformat(flat["mote-datum"]),
            section.invitation_days,
        )

    def group_note(self, step: Step, items: list[dict[str, Any]]) -> str | None:
        """What the user should know before closing a group, e.g. consents still missing."""
        if step.records != "consent":
            return None
        flat = {**engine.flatten(self.answers()), "samtycken": items}
        scope = self.consent_context().scope(flat)
        if scope.complete():
            return None
        who = scope.missing_words()
        return f"Samtycke saknas ännu från {who}. Utan det kan samverkan inte aktiveras."

    def outcome_of(self, section_id: str) -> Outcome | None:
        return engine.outcomes(self.workflow, self.answers(), self.facts()).get(section_id)

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
        step = self.workflow.step("samtycken")
        field = next(f for f in step.fields if f.id == "namn")
        value = answer_checks.validate_answer(field, name or "", self.workflow, self.today) or None
        if value is not None and "\n" in value:
            raise AnswerError("Namnet ska stå på en rad.")
        answers = self.answers()
        section = self.workflow.section_of("samtycken").id
        items = answers.get(section, {}).get("samtycken", [])
        given = [i for i in items if isinstance(i, dict) and i.get("roll") == giver]
        if not given:
            raise AnswerError(f"Det finns inget samtycke från {consent_giver_word(giver)}.")
        for item in given:
            if value is None:
                item.pop("namn", None)
            else:
                item["namn"] = value
        # The journal says that a name was given, not the name (minimum data).
        what = "fick ett namn" if value else "har inte längre något namn"
        self._update(
            answers,
            f"Samtycke: {consent_giver_word(giver)} {what}.",
            pending=dict(self.case.pending),
        )

    def extend_consent(self, item: dict[str, Any]) -> None:
        """Record one more consent (a new giver, or more organisations) in section 2."""
        step = self.workflow.step("samtycken")
        flat = engine.flatten(self.answers())
        value = answer_checks.validate_item(step, item, self.workflow, self.today, answers=flat)
        given = date.fromisoformat(value["datum"])
        born = self.case.child.birth_year
        if born is not None and given.year < born:
            raise AnswerError(f"Samtycket kan inte ha lämnats före barnets födelseår ({born}).")
        for withdrawal in self.case.withdrawals:
            if withdrawal.giver == value["roll"] and given < withdrawal.on:
                raise AnswerError(
                    f"Samtycket återkallades den {swedish_date(withdrawal.on)}; ett nytt "
                    "samtycke har lämnats efter det. Ange dagen det lämnades."
                )
        answers = self.answers()
        section = self.workflow.section_of("samtycken").id
        consents = answers.setdefault(section, {})
        consents["samtycken"] = [*consents.get("samtycken", []), value]
        # The organisations are in the consent itself; the journal names none (an "annan
        # verksamhet" is typed text).
        count = len(value["verksamheter"])
        what = f"{count} verksamhet{'' if count == 1 else 'er'}"
        who = consent_giver_word(value["roll"])
        self._update(
            answers, f"Samtycke registrerades ({who}): {what}.", pending=dict(self.case.pending)
        )

    def withdraw_consent(
        self, giver: str, organisations: list[Any], on: date
    ) -> list[OrganisationRef]:
        """Record a withdrawal, whole (no organisations) or in part; nothing is deleted.

        Returns the organisations the withdrawal takes out of the scope.
        """
        given = [c for c in self.case.consents if c.giver == giver]
        if not given:
            raise AnswerError(f"Det finns inget samtycke från {consent_giver_word(giver)}.")
        if on > self.today:
            raise AnswerError("Datumet för återkallelsen får inte ligga i framtiden.")
        if on < min(c.given_on for c in given):
            raise AnswerError("Återkallelsen kan inte ligga före samtycket lämnades.")
        named = [
            OrganisationRef(**answer_checks.organisation_answer(o, self.workflow))
            for o in organisations
        ]
        before = self.consent_scope()
        covered = before.coverage(giver)
        for org in named:
            if org.key() not in covered:
                raise AnswerError(
                    f"Samtycket från {consent_giver_word(giver)} omfattar inte {org.name}."
                )
        if not covered:
            raise AnswerError(
                f"Samtycket från {consent_giver_word(giver)} är redan återkallat eller har gått ut."
            )
        withdrawal = ConsentWithdrawal(
            giver=given[0].giver,
            on=on,
            organisations=named,
            consents_before=len(self.case.consents),
            recorded=self.clock(),
        )
        self.case = self.case.model_copy(
            update={"withdrawals": [*self.case.withdrawals, withdrawal]}
        )
        lost = [o for o in before.organisations() if not self.consent_scope().covers(o)]
        count = len(named)
        what = f"{count} verksamhet{'' if count == 1 else 'er'}" if named else "hela samtycket"
        self._update(
            self.answers(),
            f"Samtycke återkallades ({consent_giver_word(giver)}, {on.isoformat()}): {what}.",
            pending=dict(self.case.pending),
            fields=["withdrawals"],
        )
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

    # -- derived data --------------------------------------------------------------------------

    def _update(
        self,
        answers: engine.Answers,
        event: str | None,
        *,
        pending: dict[str, Any],
        fields: list[str] | None = None,
    ) -> None:
        """Derive, journal and save. The journal entry for `event` lists the steps whose
        answers changed (and `fields`, for what lies outside the answers)."""
        self._filling = None
        if self.remembered:
            pending = {**pending, REMEMBERED: dict(self.remembered)}
        before_answers = engine.flatten(self.answers())
        before_pending = self.case.pending
        facts = self.facts()
        pruned = engine.prune(self.workflow, answers, facts)
        flat = engine.flatten(pruned)
        reached = engine.outcomes(self.workflow, pruned, facts)
        # A consent withdrawn or run out puts the case back to waiting for consent; the
        # meetings it already has are records and stay as they are until consent is back.
        consent_section = self.workflow.section_of("samtycken").id
        waiting = consent_section in reached and reached[consent_section].stop
        first = self.workflow.sections[0].id
        now = self.clock()
        before = self.case.status
        numbers = {s.id: s.number for s in self.workflow.sections}
        case_answers = {k: v for k, v in pruned.items() if numbers[k] < MEETING_SECTION}
        meeting_answers = {k: v for k, v in pruned.items() if numbers[k] >= MEETING_SECTION}

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
        meetings = data["meetings"]
        # A finished meeting is a record: only the meeting being walked (or a first one that
        # is just beginning) takes answers.
        closed_record = (self.meeting is None or waiting) and bool(meetings)
        if not closed_record and (meeting_answers or self.meeting is not None):
            if self.meeting is None:
                meetings.append(Meeting(number=len(meetings) + 1, started=now).model_dump())
            finished = engine.position(self.workflow, pruned, facts).finished
            meetings[-1].update(
                answers=meeting_answers,
                finished=finished,
                **meeting_record.meeting_fields(flat, meetings[-1].get("copy_records", [])),
            )
            if not meeting_answers and meetings[-1]["number"] == 1:
                meetings.pop()  # went back out of the first meeting before it began
        case = Case.model_validate(data)
        actor = self.store.actor
        if event:
            changed = self._changed_steps(before_answers, flat)
            step = pending.get("step")
            if pending != before_pending and isinstance(step, str) and step not in changed:
                changed.append(step)
            case.log(event, now, actor, [*changed, *(fields or [])])
        if case.status != before:
            case.log(f"Status: {STATUS_LABELS[case.status]}.", now, actor, ["status"])
        self.store.save(case)
        self.case = case

    def _changed_steps(self, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        """The steps whose answers differ, in the order of the walk."""
        return [
            step.id
            for section in self.workflow.sections
            for step in section.steps
            if (step.id in before, before.get(step.id)) != (step.id in after, after.get(step.id))
        ]


# -- changes outside the walk: the plan, and replayed answers ----------------------------------


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


def refuse_without_consent(case: Case, today: date) -> None:
    """One rule for going on with a case (a follow-up, an action added or kept open): it is
    activated, and every required giver's consent holds today. A consent withdrawn and one
    run out act alike."""
    if case.status != "aktiverad":
        raise KronobarnError(
            f"Ärendet {case.id} är inte aktiverat (status: {STATUS_LABELS[case.status]})."
        )
    scope = ConsentScope.of(case, today)
    if not scope.complete():
        raise KronobarnError(
            f"Ärendet {case.id} saknar ett samtycke som gäller i dag (från "
            f"{scope.missing_words()}): samtycket har återkallats eller gått ut. Registrera ett "
            f"nytt med: kronobarn consent {case.id} add"
        )


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
