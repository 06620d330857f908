"""What the walk offers each step, from the answers so far: where a question starts from,
what the walk answers itself, the items a group is filled with, and the notes and flags shown
beside them. Nothing here changes the case (`Walk` does)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from kronobarn_cli.checklists.schema import FieldSpec, Step, Workflow
from kronobarn_cli.checklists.vocabulary import FAMILY
from kronobarn_cli.domain import engine, meeting_record, rules
from kronobarn_cli.domain.case import Case
from kronobarn_cli.domain.derive import CaseDerivation, first_of_each_group
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.interactive.plan_changes import OPEN_STATUSES
from kronobarn_cli.store.profile import Profile
from kronobarn_cli.support.text import join_swedish

PROFILE_STEPS = {"inbjudare": "name", "inbjudare-kontakt": "contact"}
"""The steps a coordinator's profile answers, and the profile's field for each."""


class WalkView(CaseDerivation):
    """A case being walked, read: the answers so far and what they offer the next step."""

    def __init__(self, workflow: Workflow, case: Case, clock: Callable[[], datetime]) -> None:
        super().__init__(workflow, case, clock)
        self.wanted: set[str] = set()
        self.changing: dict[str, Any] = {}
        """The answer a jump back asks again, offered as the starting point."""
        self.given_parts: dict[str, str] = {}
        """A later step a date answer carried the answer to ("…, Rum 3" answers the place),
        until the walk comes to it."""
        self.profile: Profile | None = None
        """The coordinator's remembered profile, when this walk uses it: it answers "Ditt namn"
        and "Hur du nås" (shown, not asked)."""

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
        return [{step.fields[0].id: giver} for giver in first_of_each_group(scope)]

    def group_complete(self, step: Step, items: list[dict[str, Any]]) -> bool:
        """A group with one item per participant has an item for each of them."""
        if step.for_each != "participants":
            return True
        named = {OrganisationRef(**i[step.fields[0].id]).key() for i in items}
        return all(o.key() in named for o in self.scopes().participants or [])

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
