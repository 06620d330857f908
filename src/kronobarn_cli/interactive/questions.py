"""A field, a group's item or a consent asked until the walk accepts the answer.

A refused answer is said and asked again; an organisation outside the consent's scope can get
the missing consent on the spot; specialist care offers its primary-care counterparts.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from kronobarn_cli.errors import AnswerError, OutsideScopeError, SpecialistError
from kronobarn_cli.interactive.fields import FieldWidgets, Folded, WithToday, organisation_id
from kronobarn_cli.interactive.screens import Screens, item_header
from kronobarn_cli.interactive.widgets import BACK, END, Widgets, _End
from kronobarn_cli.support.lazy import LazyModule
from kronobarn_cli.support.text import swedish_date

if TYPE_CHECKING:
    from kronobarn_cli.checklists import schema as checklists
    from kronobarn_cli.checklists.schema import FieldSpec, Step
    from kronobarn_cli.domain import answer_checks, consent, engine, parts
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.interactive.walk import Walk
else:
    answer_checks = LazyModule("kronobarn_cli.domain.answer_checks")
    parts = LazyModule("kronobarn_cli.domain.parts")
    cases = LazyModule("kronobarn_cli.domain.case")
    checklists = LazyModule("kronobarn_cli.checklists.schema")
    consent = LazyModule("kronobarn_cli.domain.consent")
    engine = LazyModule("kronobarn_cli.domain.engine")


class Questions:
    """Asks through the field widgets and checks every answer with the walk."""

    def __init__(self, widgets: Widgets, screens: Screens, fields: FieldWidgets) -> None:
        self.widgets = widgets
        self.screens = screens
        self.fields = fields
        self._refused: dict[str, str] | None = None

    def ask_field(
        self,
        spec: FieldSpec,
        walk: Walk,
        default: Any = None,
        *,
        ending: bool = False,
        item: dict[str, Any] | None = None,
        folded: tuple[FieldSpec, str] | None = None,
        same: tuple[str, list[Any]] | None = None,
    ) -> Any:
        """One answer, checked by the engine's rules (consent, participants), or BACK.

        With `ending`, the question also lets the user say the group is complete (END). With
        `folded` (a later select, and the option of this one it depends on), that select's
        options are offered in this one's list.
        """
        self.screens.show_guidance(spec, item or {})
        if folded is not None:
            self.screens.show_guidance(folded[0], item or {})
        if spec.show == "presentation-order":
            self.screens.show_presentation_order(walk)
        if isinstance(spec, checklists.Step):
            note = walk.suggestion_note(spec)
            if note:
                self.widgets.say(note, "yellow")
        while True:
            raw = self.fields.render(
                spec, walk, default, ending=ending, item=item or {}, folded=folded, same=same
            )
            if raw is BACK or raw is END:
                return raw
            today = isinstance(raw, WithToday)
            if isinstance(raw, Folded):
                return raw  # both options are the checklist's own: nothing to check
            self._refused = None
            checked = self._checked(spec, walk, raw.value if today else raw)
            if checked is None:
                # Ask again; a list keeps what was ticked, less what was refused.
                refused = self._refused["id"] if self._refused else None
                default = (
                    [o for o in raw if organisation_id(o) != refused]
                    if spec.kind == "organisations" and isinstance(raw, list)
                    else None
                )
                continue
            if spec.show == "contact-routes":
                self.screens.show_contact_routes(checked[0], walk.workflow)
            if spec.kind == "date" and checked[0]:
                self._echo_date(spec, checked[0], raw)
                if isinstance(raw, str) and answer_checks.date_parts(spec, raw)[1:] != (None, None):
                    return raw.strip()  # the walk records the time and place too
            return WithToday(checked[0], raw.also) if today else checked[0]

    def _echo_date(self, spec: FieldSpec, value: str, raw: Any) -> None:
        """Say the date as understood, in words, before moving on."""
        shown = swedish_date(date.fromisoformat(value))
        _, time, place = (
            answer_checks.date_parts(spec, raw) if isinstance(raw, str) else ("", None, None)
        )
        if time is not None:
            shown += f" kl. {answer_checks.validate_time(time)}"
        if place is not None:
            shown += f", {place}"
        self.widgets.say(f"  → {shown}", "cyan")

    def _checked(self, spec: FieldSpec, walk: Walk, raw: Any) -> tuple[Any] | None:
        """The validated answer, after recording an extended consent if the user wants to."""
        while True:
            try:
                return (walk.validate(spec, raw),)
            except OutsideScopeError as exc:
                self.widgets.say(exc.message, "red")
                self._refused = exc.organisation
                if exc.scope != "consent" or not self._offer_consent(
                    walk, exc.organisation, exc.givers
                ):
                    return None
            except AnswerError as exc:
                self.widgets.say(exc.message, "red")
                return None

    # -- consents ------------------------------------------------------------------------------

    def _offer_consent(self, walk: Walk, org: dict[str, str], givers: list[str]) -> bool:
        """Record the extended consent of exactly the givers it lacks, so `org` can be named."""
        ref = parts.OrganisationRef(**org)
        scope = walk.consent_scope()
        if not self.widgets.select(
            f"Vill du registrera samtycke för {org['name']} från {scope.missing_words(ref)} nu?",
            [("Ja", True), ("Nej, ändra valet", False)],
            back=False,
        ):
            return False
        step = walk.workflow.step("samtycken")
        for giver in givers:
            if walk.consent_scope().covers(ref):
                break  # one guardian's consent was enough by the county's routine
            self.widgets.say(f"Samtycke från {consent.giver_word(giver, scope.consents)}", "bold")
            start = {"roll": giver, "verksamheter": [org]}
            item = self.ask_item(step, walk, [], start, save=False)
            if not isinstance(item, dict):
                return False
            walk.extend_consent(item)
        self.widgets.say(f"Samtycket omfattar nu {org['name']}.", "green")
        return True

    def add_missing_consents(self, walk: Walk) -> bool:
        """Ask for the consent of each giver the case still needs; False if none was given."""
        step = walk.workflow.step("samtycken")
        self.screens.show_guidance(step)
        added = False
        for giver in walk.missing_givers():
            self.widgets.say(f"Samtycke från {walk.consent_scope().word(giver)}", "bold")
            item = self.ask_item(step, walk, [], {step.fields[0].id: giver}, save=False)
            if not isinstance(item, dict):
                break
            try:
                walk.extend_consent(item)
            except AnswerError as exc:
                self.widgets.say(exc.message, "red")
                break
            added = True
        return added

    def ask_consent(self, walk: Walk) -> dict[str, Any] | None:
        """One new or extended consent, asked field by field (None if the user goes back)."""
        step = walk.workflow.step("samtycken")
        self.screens.show_guidance(step)
        item = self.ask_item(step, walk, [], {}, save=False)
        return item if isinstance(item, dict) else None

    # -- one item of a group -------------------------------------------------------------------

    def ask_item(
        self,
        step: Step,
        walk: Walk,
        items: list[dict[str, Any]],
        current: dict[str, Any],
        *,
        queue: list[dict[str, Any]] | None = None,
        defaults: dict[str, Any] | None = None,
        save: bool = True,
        carried: bool = False,
        ending: bool = False,
    ) -> dict[str, Any] | _End | None:
        """Ask the fields an item still lacks; going back from its first question drops it.

        With `ending`, the item's first question also offers "no more" (END).
        """
        self.widgets.say(item_header(step, current, len(items) + 1, walk.workflow), "bold")
        asked: list[str] = []
        editing = defaults is not None and step.fields[0].id in defaults
        while True:
            missing = self._next_missing(step, walk, current, editing=editing, carried=carried)
            try:
                answer_checks.check_partial_item(step, current, walk.workflow)
                item = walk.validate_item(step, current) if missing is None else None
            except SpecialistError as exc:
                self.widgets.say(exc.message, "red")
                current = self._counterpart(step, walk, exc, current)
                asked = [a for a in asked if a in current]
                continue
            except AnswerError as exc:
                self.widgets.say(exc.message, "red")
                if exc.field is None or exc.field not in current:
                    return None
                current.pop(exc.field)
                continue
            if item is not None:
                warning = walk.invitation_warning(item) if step.records == "invitee" else None
                if warning:
                    self.widgets.say(warning, "yellow")
                self.screens.show_item(step, item, walk)
                return item
            assert missing is not None  # validated above when nothing was missing
            first = not asked and not current
            default, folded, same = _offers(step, missing, current, defaults, editing=editing)
            value = self.ask_field(
                missing,
                walk,
                default,
                ending=ending and first,
                item=current,
                folded=folded,
                same=same,
            )
            if isinstance(value, _End):
                return value
            if value is BACK and self.widgets.jumped:
                return None  # the walk offers the earlier answers to change
            if value is BACK:
                if not asked:
                    if save:
                        walk.save_pending(step, items, {}, queue)
                    return None
                _forget(step, current, asked.pop())
                continue
            _record(missing, current, value, walk.today)
            if carried:
                current = walk.keep_passed_date(step, current)
            asked.append(missing.id)
            if save:
                walk.save_pending(step, items, current, queue)

    def _next_missing(
        self, step: Step, walk: Walk, current: dict[str, Any], *, editing: bool, carried: bool
    ) -> FieldSpec | None:
        """The next field the item lacks (None: it is complete); one the walk knows the answer
        to is filled in unasked, e.g. the one area the meeting discussed."""
        while True:
            fields = answer_checks.item_fields(step, current, walk.workflow)
            # Editing asks the optional fields too; what is asked again only for what was
            # carried over from the last meeting (status, how it has gone).
            wanted = [
                f
                for f in fields
                if f.ask or (editing and not f.ask_again) or (f.ask_again and carried)
            ]
            missing = next((f for f in wanted if f.id not in current), None)
            if missing is None or editing or (known := walk.field_default(missing)) is None:
                return missing
            current[missing.id] = known

    def _counterpart(
        self, step: Step, walk: Walk, exc: SpecialistError, current: dict[str, Any]
    ) -> dict[str, Any]:
        """Specialist care refused: offer its primary-care counterparts instead."""
        org_field = step.fields[0].id
        choices: list[tuple[str, Any]] = []
        for counterpart in exc.counterparts:
            org = walk.workflow.organisation(counterpart)
            if org is not None:
                choices.append((f"Bjud in {org.name} i stället", org.id))
        choices.append(("Välj en annan verksamhet", None))
        chosen = self.widgets.select("Vad vill du göra?", choices, back=False)
        # Keep what does not depend on the organisation: person, method, date.
        general = {f.id for f in step.fields if f.for_kind is None and f.id != org_field}
        kept = {k: v for k, v in current.items() if k in general}
        if chosen is not None:
            checked = self._checked(step.fields[0], walk, chosen)
            if checked is not None:
                kept[org_field] = checked[0]
                self.screens.show_contact_routes(checked[0], walk.workflow)
        return kept


def _record(spec: FieldSpec, item: dict[str, Any], value: Any, today: date) -> None:
    """Put an answer into an item; "…, idag" answers the linked date field as well."""
    if isinstance(value, WithToday):
        item[spec.id] = value.value
        if spec.today_for:
            item[spec.today_for] = today.isoformat()
        item.update(value.also)
    elif isinstance(value, Folded):
        item[spec.id] = value.value
        item[value.folded[0]] = value.folded[1]
    else:
        item[spec.id] = value


def _forget(step: Step, item: dict[str, Any], field_id: str) -> None:
    """Going back: drop an answer, with the date an "…, idag" answer gave."""
    item.pop(field_id, None)
    spec = step.field(field_id)
    if spec is not None and spec.today_for:
        item.pop(spec.today_for, None)
    if spec is not None and spec.fold:
        item.pop(spec.fold, None)


def _offers(
    step: Step,
    spec: FieldSpec,
    current: dict[str, Any],
    defaults: dict[str, Any] | None,
    *,
    editing: bool,
) -> tuple[Any, tuple[FieldSpec, str] | None, tuple[str, list[Any]] | None]:
    """What a group's field is offered with: its default, the later select folded into it
    (not once that is answered by itself, in an item saved half-way before), and for a second
    person's consent the organisations of the first ("…, idag, för samma verksamheter")."""
    given = defaults or {}
    default = given.get(spec.id)
    folded = step.folded_value(spec)
    if folded is not None and folded[0].id in current:
        folded = None
    if folded is not None and default == folded[1] and folded[0].id in given:
        default = Folded(default, (folded[0].id, given[folded[0].id]))
    same = None
    if spec.today_for and not editing:
        same = next(
            ((f.id, given[f.id]) for f in step.fields
             if f.kind == "organisations" and given.get(f.id) and f.id not in current),
            None,
        )  # fmt: skip
    return default, folded, same
