"""A repeat group (invitees, contacts, actions, consents) asked item by item, saved as it goes.

The items the walk can foresee come first; then the user adds, edits and removes items until the
group is done. An item of the group being filled in can be changed after `<<`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kronobarn_cli.interactive.questions import Questions
from kronobarn_cli.interactive.screens import Screens
from kronobarn_cli.interactive.widgets import BACK, END, Widgets
from kronobarn_cli.support.text import swedish_date

if TYPE_CHECKING:
    from kronobarn_cli.checklists.schema import Step
    from kronobarn_cli.interactive.walk import Walk


class Groups:
    """Asks a group's items through `Questions` and keeps the walk's pending items saved."""

    def __init__(self, widgets: Widgets, screens: Screens, questions: Questions) -> None:
        self.widgets = widgets
        self.screens = screens
        self.questions = questions

    def ask_repeat(self, step: Step, walk: Walk) -> Any:
        """A group answered once per item; progress is saved after every field.

        Items the walk can foresee come first (one per participant, the open items of the last
        meeting, one per consent giver still missing); then the user adds items until the
        first question of a new one is answered with "no more".
        """
        items, current = walk.pending_items(step)
        queue = walk.pending_queue(step)
        carried = bool(walk.carried_items(step))
        if queue is None:
            queue = (
                walk.participant_items(step) or walk.carried_items(step) or walk.giver_items(step)
            )
            if queue and not items:
                walk.save_pending(step, items, current, queue)
        # Going back from the first foreseen item leaves the group; from a carried-over one,
        # drops that item.
        foreseen = step.for_each is not None or step.records == "consent"
        self.screens.show_guidance(step)
        if not items:
            for flag in walk.carried_outside_consent(step):
                self.widgets.say(f"Från förra mötet: {flag}", "yellow")
        for done in items:
            self.screens.show_item(step, done, walk)
        while queue:
            prefilled = {**queue[0], **current}
            defaults = self._introduce(step, walk, items, queue[0], prefilled)
            item = self.questions.ask_item(
                step, walk, items, prefilled, queue=queue[1:], carried=carried, defaults=defaults
            )
            if self.widgets.jumped:
                return BACK
            queue.pop(0)
            current = {}
            if isinstance(item, dict):
                items.append(item)
            elif foreseen and not items:
                walk.save_pending(step, [], {}, None)
                return BACK
            else:
                self.widgets.say("Posten togs inte med.")
            walk.save_pending(step, items, {}, queue)
        # Come back into the group from the question after it: every item stays, and the walk
        # stands after the last one instead of confirming the group again by itself.
        if not walk.reopened_group(step) and self._complete_by_itself(step, walk, items):
            return items
        return self._ask_more(step, walk, items, current)

    def _introduce(
        self,
        step: Step,
        walk: Walk,
        items: list[dict[str, Any]],
        queued: dict[str, Any],
        prefilled: dict[str, Any],
    ) -> dict[str, Any]:
        """Say whose consent, or what the last meeting recorded, a foreseen item is about; the
        answers it starts from."""
        if step.records == "consent":
            # A second person starts from the organisations the first one's consent covers
            # (ticked, each can be unticked): often the family agrees on them together.
            scope = walk.consent_scope()
            self.widgets.say(f"Samtycke från {scope.word(str(prefilled.get('roll')))}", "bold")
            if items and "verksamheter" in items[0]:
                return {"verksamheter": items[0]["verksamheter"]}
            return {}
        if step.for_each is not None:
            return {}
        previous = walk.previous_values(step, queued)
        self.widgets.say("Från förra mötet:", "bold")
        self.screens.show_item(step, {**queued, **previous}, walk)
        if outside := walk.consent_flag(step, queued):
            self.widgets.say(outside, "yellow")
        # What is asked again starts from last time (the status), but never an old
        # date: keeping one must be typed, not an Enter on what is already there.
        dates = {f.id for f in step.fields if f.kind == "date"}
        defaults = {k: v for k, v in previous.items() if k not in dates}
        if "senast" in previous and step.records == "action":
            passed = swedish_date(date.fromisoformat(previous["senast"]))
            self.widgets.say(
                f"Senast-datumet {passed} har passerat. Ange ett nytt datum (skriv "
                "samma datum för att behålla det).",
                "yellow",
            )
        return defaults

    def _ask_more(
        self, step: Step, walk: Walk, items: list[dict[str, Any]], current: dict[str, Any]
    ) -> Any:
        """Items the user adds: until the first question of a new one says "no more"."""
        inline_end = step.fields[0].kind in ("text", "organisation") and step.for_each is None
        if not inline_end:
            if not items and step.for_each is None:
                first = self.questions.ask_item(step, walk, items, current, queue=[])
                if self.widgets.jumped or not isinstance(first, dict):
                    return BACK
                items.append(first)
                walk.save_pending(step, items, {}, [])
                if self._complete_by_itself(step, walk, items):
                    return items
            return self._menu(step, walk, items)
        while True:
            enough = len(items) >= step.min_items or not step.required
            item = self.questions.ask_item(step, walk, items, current, queue=[], ending=enough)
            current = {}
            if item is END:
                return items
            if self.widgets.jumped:
                return BACK
            if not isinstance(item, dict):
                if not items:
                    return BACK
                return self._menu(step, walk, items)
            items.append(item)
            walk.save_pending(step, items, {}, [])

    def _complete_by_itself(self, step: Step, walk: Walk, items: list[dict[str, Any]]) -> bool:
        """A copy for each participant, or every consent the case needs: nothing to confirm."""
        if step.for_each is not None:
            return walk.group_complete(step, items)
        if step.records == "consent" and items and walk.group_note(step, items) is None:
            self.widgets.say("Alla samtycken som krävs är registrerade.", "green")
            return True
        return False

    def _menu(self, step: Step, walk: Walk, items: list[dict[str, Any]]) -> Any:
        """Done, add one more, edit or remove an item."""
        while True:
            note = walk.group_note(step, items)
            if note:
                self.widgets.say(note, "yellow")
            choices: list[tuple[str, Any]] = []
            if len(items) >= step.min_items or not step.required:
                choices.append(("Nej, klart" if step.for_each is None else "Ja, klart", "done"))
            if step.for_each is None:
                choices.append(("Ja, lägg till", "more"))
            if items:
                choices.append(("Ändra en post", "edit"))
            if items and step.for_each is None:
                choices.append(("Ta bort en post", "remove"))
            choice = self.widgets.select(step.add_more or "", choices)
            if choice is BACK:
                if not items or self._confirm_losing(len(items)):
                    return BACK
                continue
            if choice == "done":
                return items
            if choice == "more":
                item = self.questions.ask_item(step, walk, items, {}, queue=[])
                if isinstance(item, dict):
                    items.append(item)
            elif choice in ("edit", "remove"):
                index = self._pick_item(step, walk, items)
                if index is None:
                    continue
                if choice == "remove":
                    items.pop(index)
                    self.widgets.say("Posten är borttagen.")
                else:
                    edited = self.questions.ask_item(
                        step, walk, items[:index], {}, defaults=items[index], save=False
                    )
                    if isinstance(edited, dict):
                        items[index] = edited
            walk.save_pending(step, items, {}, [])

    def _pick_item(self, step: Step, walk: Walk, items: list[dict[str, Any]]) -> int | None:
        choices = [(self.screens.item_summary(step, item, walk), i) for i, item in enumerate(items)]
        index = self.widgets.select("Vilken post?", choices)
        return None if index is BACK else int(index)

    def _confirm_losing(self, count: int) -> bool:
        """Going back from a group loses the items added in it: only when the user says so."""
        return bool(
            self.widgets.select(
                f"Går du tillbaka försvinner de {count} poster du lagt till här. Gå tillbaka ändå?",
                [("Nej, stanna kvar", False), ("Ja, gå tillbaka", True)],
                back=False,
            )
        )

    # -- changing an item after `<<` -----------------------------------------------------------

    def being_filled(self, walk: Walk) -> tuple[Step, list[dict[str, Any]]] | None:
        """The group the walk stands in, with the items entered so far (none: None)."""
        step = walk.position().step
        if step is None or step.kind != "repeat":
            return None
        items, _ = walk.pending_items(step)
        return (step, items) if items else None

    def edit_pending_item(self, walk: Walk, step: Step, index: int) -> None:
        """Edit one item of the group being filled in; the others, and the item half typed when
        `<<` was given, stay as they were."""
        items, current = walk.pending_items(step)
        queue = walk.pending_queue(step)
        edited = self.questions.ask_item(
            step, walk, items[:index], {}, defaults=items[index], save=False
        )
        self.widgets.jumped = False  # a `<<` inside the edit ends the edit, nothing more
        if isinstance(edited, dict):
            items[index] = edited
            walk.save_pending(step, items, current, queue)

    def leave(self, walk: Walk) -> bool:
        """A group being filled in is left only when the user confirms losing its items."""
        count = len(walk.case.pending.get("items") or [])
        if not count:
            return True
        return self._confirm_losing(count)
