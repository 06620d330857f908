"""The only module that talks to the terminal: renders steps with questionary and rich.

Every step offers "Tillbaka": a choice in lists, `<` in text fields. Ctrl-C raises
KeyboardInterrupt to the caller, after everything answered so far has been saved.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import questionary
from prompt_toolkit.application.current import get_app_or_none
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from questionary import Choice
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from kronobarn_cli.errors import AnswerError, OutsideScopeError, SpecialistError, StaleCaseError
from kronobarn_cli.support.lazy import LazyModule
from kronobarn_cli.support.text import IDENTITY_NUMBER_WARNING, swedish_date, terminal_safe

# The first question of `new-case` is drawn before the case model and the checklists exist
# (pydantic and the YAML cost a few hundred milliseconds): they are imported when first used.
if TYPE_CHECKING:
    from kronobarn_cli.checklists import schema as checklists
    from kronobarn_cli.checklists import vocabulary
    from kronobarn_cli.checklists.directory import Organisation
    from kronobarn_cli.checklists.schema import (
        FieldSpec,
        Outcome,
        Section,
        Step,
        Workflow,
    )
    from kronobarn_cli.domain import answer_checks, consent, engine, parts, rules
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain.case import Case, Child, JournalEntry
    from kronobarn_cli.domain.meeting import Meeting
    from kronobarn_cli.domain.parts import OrganisationRef
    from kronobarn_cli.interactive import walk as session
    from kronobarn_cli.interactive.walk import Walk
    from kronobarn_cli.store.profile import Profile
else:
    cases = LazyModule("kronobarn_cli.domain.case")
    parts = LazyModule("kronobarn_cli.domain.parts")
    checklists = LazyModule("kronobarn_cli.checklists.schema")
    vocabulary = LazyModule("kronobarn_cli.checklists.vocabulary")
    consent = LazyModule("kronobarn_cli.domain.consent")
    answer_checks = LazyModule("kronobarn_cli.domain.answer_checks")
    engine = LazyModule("kronobarn_cli.domain.engine")
    rules = LazyModule("kronobarn_cli.domain.rules")
    session = LazyModule("kronobarn_cli.interactive.walk")


class _Back:
    """Marker returned by a prompt when the user chose to go back."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()
BACK_VALUE = "__tillbaka__"
BACK_TITLE = "← Tillbaka"
BACK_TEXT = "<"
OWN_ORGANISATION = "Vilken verksamhet arbetar du i (öppnar ärendet)?"
SHORT_HINTS = {"select": "(↑↓ Enter)", "checkbox": "(↑↓ mellanslag Enter, < tillbaka)"}
SELECT_HINT = "(piltangenterna flyttar, Enter väljer)"
CHECKBOX_HINT = "(piltangenterna flyttar, mellanslag markerar, Enter går vidare, < tillbaka)"
STALE_ENTRIES_SHOWN = 5
"""Another session's changes a walk lists when it reads the case again; `log` has them all."""


def safe(value: str) -> Text:
    """Typed text as a rich Text: never parsed as markup, control characters neutralised."""
    return Text(terminal_safe(value))


def _validator(check: Callable[[str], Any]) -> Callable[[str], bool | str]:
    def validate(raw: str) -> bool | str:
        if raw.strip() in (BACK_TEXT, "<<"):
            return True
        try:
            check(raw)
        except AnswerError as exc:
            _select_refused()
            return exc.message
        return True

    return validate


def _select_refused() -> None:
    """A refused answer stays in the field, selected: what is typed next replaces it instead of
    being added to it (prompt_toolkit's shift-selection, as a text editor does)."""
    app = get_app_or_none()
    if app is None:
        return
    buffer = app.current_buffer
    if not buffer.text:
        return
    buffer.exit_selection()
    buffer.cursor_position = 0
    buffer.start_selection()
    assert buffer.selection_state is not None
    buffer.selection_state.enter_shift_mode()
    buffer.cursor_position = len(buffer.text)  # prompt_toolkit puts it there too


class _Jump:
    """Marker: the user wants to change an earlier answer of the walk (typed `<<`)."""

    def __repr__(self) -> str:
        return "JUMP"


JUMP: _Jump = _Jump()


@dataclass(frozen=True)
class _ItemChoice:
    """In the `<<` list: an item of the group being filled in, by its index."""

    index: int


JUMP_TEXT = "<<"


class _End:
    """Marker returned by the first question of a new group item: the group is complete."""

    def __repr__(self) -> str:
        return "END"


END: _End = _End()
END_VALUE = "__klart__"
OPT_IN_VALUE = "__anteckna__"
END_TITLE = "✓ Inga fler – klart"


@dataclass(frozen=True)
class _WithToday:
    """A select answered as "…, idag": the option, and today for the linked date field (and,
    as "…, idag, för samma verksamheter", the organisations field's offered answer too)."""

    value: Any
    also: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class _Folded:
    """A select answered with a choice that answers the select folded into it as well
    ("Brevet …, med mejl"): this field's option, and the folded field's."""

    value: Any
    folded: tuple[str, Any]


@dataclass(frozen=True)
class _Combined:
    """A combined question's choice: the answers it gives, step by step, in order."""

    answers: tuple[tuple[str, Any], ...]


class Prompter:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self.asked = 0
        """Questions answered at the terminal: every one costs time with the family."""
        self._refused: dict[str, str] | None = None
        self._jump = False
        """Set when the user asked to change an earlier answer; the walk offers the steps."""
        self._hinted: set[str] = set()
        self.once_drawn: Callable[[], None] | None = None
        """Called once, when the next question is on the screen (work that may wait until the
        user reads it)."""

    def say(self, message: str, style: str = "") -> None:
        self.console.print(Text(message, style=style))

    def _hint(self, kind: str, text: str) -> str:
        """Key help in full once per session, then short: a long hint makes questions wrap
        (and no hint at all would let questionary print its English one)."""
        if kind in self._hinted:
            return SHORT_HINTS[kind]
        self._hinted.add(kind)
        return text

    # -- basic prompts -------------------------------------------------------------------------

    def text(
        self,
        message: str,
        check: Callable[[str], Any],
        *,
        hint: str = "",
        back: bool = True,
        default: str = "",
    ) -> str | _Back:
        parts = [hint] if hint else []
        if back:
            parts.append(f"{BACK_TEXT} = tillbaka, {JUMP_TEXT} = ändra ett tidigare svar")
        instruction = f"({'; '.join(parts)})" if parts else None
        self.asked += 1
        question = questionary.text(
            message, validate=_validator(check), instruction=instruction, default=default
        )
        self._when_drawn(question)
        raw = question.unsafe_ask()
        if back and raw.strip() == BACK_TEXT:
            return BACK
        if back and raw.strip() == JUMP_TEXT:
            self._jump = True
            return BACK
        return str(raw)

    def _when_drawn(self, question: questionary.Question) -> None:
        hook, self.once_drawn = self.once_drawn, None
        if hook is None:
            return
        pending = [hook]

        def drawn(_: object) -> None:
            while pending:
                pending.pop()()

        question.application.after_render += drawn

    def select(
        self,
        message: str,
        choices: list[tuple[str, Any]],
        *,
        back: bool = True,
        default: Any = None,
    ) -> Any:
        options = [Choice(title=terminal_safe(title), value=value) for title, value in choices]
        if back:
            options.append(Choice(title=BACK_TITLE, value=BACK_VALUE))
        start = (
            next((o for o in options if o.value == default), None) if default is not None else None
        )
        self.asked += 1
        value = questionary.select(
            message, choices=options, instruction=self._hint("select", SELECT_HINT), default=start
        ).unsafe_ask()
        return BACK if value == BACK_VALUE else value

    def checkbox(
        self,
        message: str,
        choices: list[tuple[str, str]],
        *,
        required: bool,
        back: bool = True,
        checked: list[str] | None = None,
        names: dict[str, str] | None = None,
    ) -> list[str] | _Back:
        ticked = set(checked or [])
        options = [
            Choice(title=terminal_safe(title), value=value, checked=value in ticked)
            for title, value in choices
        ]

        def validate(values: list[str]) -> bool | str:
            if required and not values:
                return "Välj minst ett alternativ (mellanslag markerar)."
            return True

        question = questionary.checkbox(
            message,
            choices=options,
            instruction=self._hint("checkbox", CHECKBOX_HINT),
            validate=validate,
            erase_when_done=True,  # questionary's own summary line is in English
        )
        if back:
            # "Tillbaka" is a key, not a choice: ticked with real choices it would lose them.
            bindings = KeyBindings()

            @bindings.add(BACK_TEXT, eager=True)
            def _go_back(event: KeyPressEvent) -> None:
                event.app.exit(result=BACK_VALUE)

            app = question.application
            app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
        self.asked += 1
        values = question.unsafe_ask()
        if values == BACK_VALUE:
            return BACK
        titles = [(names or {}).get(v, t) for t, v in choices if v in values and v != OPT_IN_VALUE]
        line = Text("✔ ", style="green") + Text(message + " ", style="bold")
        self.console.print(line + safe(", ".join(titles) or "inget valt"))
        return list(values)

    # -- steps ---------------------------------------------------------------------------------

    def show_section(self, section: Section) -> None:
        body = Text()
        if section.intro:
            body.append(section.intro.strip() + "\n")
        for line in section.guidance:
            body.append("! " + line + "\n", style="bold")
        for line in section.seed:
            body.append("• " + line + "\n", style="dim")
        body.rstrip()
        title = f"Avsnitt {section.number}: {section.title}"
        if body.plain:
            self.console.print(Panel(body, title=title, title_align="left"))
        else:
            self.console.rule(Text(title, style="bold"), align="left")

    def show_guidance(self, spec: FieldSpec, item: dict[str, Any] | None = None) -> None:
        relevant = spec.seed_when is None or engine.holds(
            spec.seed_when, item or {}, engine.Facts()
        )
        if spec.seed and relevant:
            body = Text("\n".join(spec.seed), style="dim")
            self.console.print(Panel(body, title="Ur arbetsgången", title_align="left"))
        if spec.help:
            self.say(spec.help, "italic")

    def show_contact_routes(self, org: dict[str, str], workflow: Workflow) -> None:
        entry = workflow.organisation(org["id"])
        contact = entry.contact if entry is not None else None
        routes = [
            (label, value)
            for label, value in (
                ("Mejl", contact.email if contact else ""),
                ("Telefon", contact.phone if contact else ""),
                ("Post", contact.address if contact else ""),
            )
            if value
        ]
        text = Text(f"Kontaktvägar till {org['name']}: ", style="bold")
        if routes:
            text += safe("; ".join(f"{label} {value}" for label, value in routes))
        else:
            text += Text(
                "saknas i katalogen; se Kontaktvägar inom Kronobarnsmodellen.", style="italic"
            )
        self.console.print(text)

    def show_presentation_order(self, walk: Walk) -> None:
        order = walk.presentation_order()
        body = Text()
        if walk.physical_meeting():
            body += Text("Låt familjen sätta sig först i rummet.\n")
        body += Text("Presentationsordning:\n", style="bold")
        for number, name in enumerate(order, 1):
            body += Text(f"  {number}. ") + safe(name) + Text("\n")
        body.rstrip()
        self.console.print(Panel(body, title="Mötesguide", title_align="left"))

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
        self.show_guidance(spec, item or {})
        if folded is not None:
            self.show_guidance(folded[0], item or {})
        if spec.show == "presentation-order":
            self.show_presentation_order(walk)
        if isinstance(spec, checklists.Step):
            note = walk.suggestion_note(spec)
            if note:
                self.say(note, "yellow")
        while True:
            raw = self._render(
                spec, walk, default, ending=ending, item=item or {}, folded=folded, same=same
            )
            if raw is BACK or raw is END:
                return raw
            today = isinstance(raw, _WithToday)
            if isinstance(raw, _Folded):
                return raw  # both options are the checklist's own: nothing to check
            self._refused = None
            checked = self._checked(spec, walk, raw.value if today else raw)
            if checked is None:
                # Ask again; a list keeps what was ticked, less what was refused.
                refused = self._refused["id"] if self._refused else None
                default = (
                    [o for o in raw if _org_id(o) != refused]
                    if spec.kind == "organisations" and isinstance(raw, list)
                    else None
                )
                continue
            if spec.show == "contact-routes":
                self.show_contact_routes(checked[0], walk.workflow)
            if spec.kind == "date" and checked[0]:
                self._echo_date(spec, checked[0], raw)
                if isinstance(raw, str) and answer_checks.date_parts(spec, raw)[1:] != (None, None):
                    return raw.strip()  # the walk records the time and place too
            return _WithToday(checked[0], raw.also) if today else checked[0]

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
        self.say(f"  → {shown}", "cyan")

    def _checked(self, spec: FieldSpec, walk: Walk, raw: Any) -> tuple[Any] | None:
        """The validated answer, after recording an extended consent if the user wants to."""
        while True:
            try:
                return (walk.validate(spec, raw),)
            except OutsideScopeError as exc:
                self.say(exc.message, "red")
                self._refused = exc.organisation
                if exc.scope != "consent" or not self._offer_consent(
                    walk, exc.organisation, exc.givers
                ):
                    return None
            except AnswerError as exc:
                self.say(exc.message, "red")
                return None

    def _render(
        self,
        spec: FieldSpec,
        walk: Walk,
        default: Any,
        *,
        ending: bool,
        item: dict[str, Any],
        folded: tuple[FieldSpec, str] | None = None,
        same: tuple[str, list[Any]] | None = None,
    ) -> Any:
        workflow = walk.workflow
        message = _prompt_text(spec, item)

        def check(raw: Any) -> Any:
            if ending and not str(raw).strip():
                return None
            if spec.today_default and not str(raw).strip():
                raw = "idag"
            return walk.validate(spec, raw)

        kind = spec.kind
        if kind == "text":
            hint = "tom rad: inga fler" if ending else ("" if spec.required else "kan lämnas tomt")
            answer = self.text(message, check, hint=hint, default=default or "")
            return END if ending and isinstance(answer, str) and not answer.strip() else answer
        if kind == "date":
            hint = (
                "t.ex. 2026-12-05, 5/12, 5 dec, idag"
                + (" och tid 9.30" if spec.with_time else "")
                + (", plats efter kommatecken" if spec.with_place else "")
            )
            if not spec.required:
                hint += "; kan lämnas tomt"
            if spec.today_default:
                hint = f"Enter: idag, {swedish_date(walk.today)}; eller {hint}"
            answer = self.text(message, check, hint=hint, default=default or "")
            if spec.today_default and isinstance(answer, str) and not answer.strip():
                return "idag"
            return answer
        if kind == "time":
            return self.text(message, check, hint="TT:MM", default=default or "")
        if kind == "confirm":
            return self.select(message, [("Ja", True), ("Nej", False)], default=default)
        if kind == "select":
            choices: list[tuple[str, Any]] = _select_choices(spec, workflow, folded, same)
            return self.select(message, choices, default=default)
        if kind == "checkbox":
            choices = [(_named(o.label, o.value, walk), o.value) for o in spec.options]
            return self.checkbox(message, choices, required=spec.required, checked=default)
        if kind in ("areas", "area"):
            choices = [(f"{a.name} – {a.description}", a.id) for a in workflow.areas]
            if kind == "area" and spec.single_from:
                choices = _discussed_first(
                    choices, engine.flatten(walk.answers()).get(spec.single_from)
                )
            if kind == "area":
                return self.select(message, choices, default=default)
            names = {a.id: a.name for a in workflow.areas}
            if workflow.areas_note:
                self.say(workflow.areas_note, "italic")
            if spec.opt_in and spec.opt_in_label:
                choices.append((f"✎ {spec.opt_in_label}", OPT_IN_VALUE))
            chosen = self.checkbox(
                message, choices, required=spec.required, checked=default, names=names
            )
            if isinstance(chosen, list) and OPT_IN_VALUE in chosen and spec.opt_in:
                walk.want(spec.opt_in)  # the step it names is asked after this one
                chosen = [c for c in chosen if c != OPT_IN_VALUE]
            return chosen
        if kind == "organisation" and spec.within == "participants":
            # Only those who took part can be named (and the family, where it may be).
            present = [*(walk.scopes().participants or []), *walk.family_parties(spec)]
            start = next((o.model_dump() for o in present if o.model_dump() == default), None)
            offered: list[tuple[str, Any]] = [(o.name, o.model_dump()) for o in present]
            if ending:
                offered.insert(0, (END_TITLE, END_VALUE))
            chosen = self.select(message, offered, default=start)
            return END if chosen == END_VALUE else chosen
        if kind == "organisation":
            return self._organisation(spec, workflow, default, ending=ending)
        if kind == "organisations":
            return self._organisations(spec, workflow, default)
        raise AssertionError(f"no prompt for {kind}")  # the schema admits no other kinds here

    def _offer_consent(self, walk: Walk, org: dict[str, str], givers: list[str]) -> bool:
        """Record the extended consent of exactly the givers it lacks, so `org` can be named."""
        ref = parts.OrganisationRef(**org)
        scope = walk.consent_scope()
        if not self.select(
            f"Vill du registrera samtycke för {org['name']} från {scope.missing_words(ref)} nu?",
            [("Ja", True), ("Nej, ändra valet", False)],
            back=False,
        ):
            return False
        step = walk.workflow.step("samtycken")
        for giver in givers:
            if walk.consent_scope().covers(ref):
                break  # one guardian's consent was enough by the county's routine
            self.say(f"Samtycke från {consent.giver_word(giver, scope.consents)}", "bold")
            start = {"roll": giver, "verksamheter": [org]}
            item = self._ask_item(step, walk, [], start, save=False)
            if not isinstance(item, dict):
                return False
            walk.extend_consent(item)
        self.say(f"Samtycket omfattar nu {org['name']}.", "green")
        return True

    def _add_missing_consents(self, walk: Walk) -> bool:
        """Ask for the consent of each giver the case still needs; False if none was given."""
        step = walk.workflow.step("samtycken")
        self.show_guidance(step)
        added = False
        for giver in walk.missing_givers():
            self.say(f"Samtycke från {walk.consent_scope().word(giver)}", "bold")
            item = self._ask_item(step, walk, [], {step.fields[0].id: giver}, save=False)
            if not isinstance(item, dict):
                break
            try:
                walk.extend_consent(item)
            except AnswerError as exc:
                self.say(exc.message, "red")
                break
            added = True
        return added

    def ask_consent(self, walk: Walk) -> dict[str, Any] | None:
        """One new or extended consent, asked field by field (None if the user goes back)."""
        step = walk.workflow.step("samtycken")
        self.show_guidance(step)
        item = self._ask_item(step, walk, [], {}, save=False)
        return item if isinstance(item, dict) else None

    def _other_name(self, walk_workflow: Workflow, *, several: bool) -> str | _Back:
        other = checklists.FieldSpec(id="annan", kind="organisation", prompt="-")

        def check(raw: str) -> None:
            for name in _split_names(raw) if several else [raw]:
                answer_checks.validate_answer(
                    other,
                    {"id": vocabulary.OTHER_ORGANISATION, "name": name},
                    walk_workflow,
                    date.today(),
                )

        message = "Namn på den andra verksamheten"
        if several:
            message += " (flera skiljs med komma)"
        return self.text(message, check)

    def _organisation(
        self, spec: FieldSpec, workflow: Workflow, default: Any, *, ending: bool = False
    ) -> Any:
        while True:
            choices = [(o.name, o.id) for o in _offered(workflow, spec)]
            if ending:
                choices.insert(0, (END_TITLE, END_VALUE))
            start = default.get("id") if isinstance(default, dict) else None
            org_id = self.select(spec.prompt, choices, default=start)
            if org_id is BACK or org_id == END_VALUE:
                return BACK if org_id is BACK else END
            if org_id != vocabulary.OTHER_ORGANISATION:
                return org_id
            name = self._other_name(workflow, several=False)
            if name is not BACK:
                return {"id": vocabulary.OTHER_ORGANISATION, "name": name}

    def _organisations(self, spec: FieldSpec, workflow: Workflow, default: Any) -> Any:
        previous = default if isinstance(default, list) else []
        while True:
            choices = [(o.name, o.id) for o in _offered(workflow, spec)]
            ticked = [_org_id(o) for o in previous if _org_id(o) != vocabulary.OTHER_ORGANISATION]
            ids = self.checkbox(spec.prompt, choices, required=spec.required, checked=ticked)
            if isinstance(ids, _Back):
                return BACK
            chosen: list[Any] = [i for i in ids if i != vocabulary.OTHER_ORGANISATION]
            if vocabulary.OTHER_ORGANISATION not in ids:
                return chosen
            names = self._other_name(workflow, several=True)
            if isinstance(names, str):
                chosen += [
                    {"id": vocabulary.OTHER_ORGANISATION, "name": n} for n in _split_names(names)
                ]
                return chosen

    # -- groups --------------------------------------------------------------------------------

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
        self.show_guidance(step)
        if not items:
            for flag in walk.carried_outside_consent(step):
                self.say(f"Från förra mötet: {flag}", "yellow")
        for done in items:
            self._show_item(step, done, walk)
        while queue:
            prefilled = {**queue[0], **current}
            defaults: dict[str, Any] = {}
            if step.records == "consent":
                # A second person starts from the organisations the first one's consent covers
                # (ticked, each can be unticked): often the family agrees on them together.
                scope = walk.consent_scope()
                self.say(f"Samtycke från {scope.word(str(prefilled.get('roll')))}", "bold")
                if items and "verksamheter" in items[0]:
                    defaults = {"verksamheter": items[0]["verksamheter"]}
            elif step.for_each is None:
                previous = walk.previous_values(step, queue[0])
                self.say("Från förra mötet:", "bold")
                self._show_item(step, {**queue[0], **previous}, walk)
                if outside := walk.consent_flag(step, queue[0]):
                    self.say(outside, "yellow")
                # What is asked again starts from last time (the status), but never an old
                # date: keeping one must be typed, not an Enter on what is already there.
                dates = {f.id for f in step.fields if f.kind == "date"}
                defaults = {k: v for k, v in previous.items() if k not in dates}
                if "senast" in previous and step.records == "action":
                    passed = swedish_date(date.fromisoformat(previous["senast"]))
                    self.say(
                        f"Senast-datumet {passed} har passerat. Ange ett nytt datum (skriv "
                        "samma datum för att behålla det).",
                        "yellow",
                    )
            item = self._ask_item(
                step, walk, items, prefilled, queue=queue[1:], carried=carried, defaults=defaults
            )
            if self._jump:
                return BACK
            queue.pop(0)
            current = {}
            if isinstance(item, dict):
                items.append(item)
            elif foreseen and not items:
                walk.save_pending(step, [], {}, None)
                return BACK
            else:
                self.say("Posten togs inte med.")
            walk.save_pending(step, items, {}, queue)
        # Come back into the group from the question after it: every item stays, and the walk
        # stands after the last one instead of confirming the group again by itself.
        if not walk.reopened_group(step) and self._complete_by_itself(step, walk, items):
            return items
        return self._ask_more(step, walk, items, current)

    def _ask_more(
        self, step: Step, walk: Walk, items: list[dict[str, Any]], current: dict[str, Any]
    ) -> Any:
        """Items the user adds: until the first question of a new one says "no more"."""
        inline_end = step.fields[0].kind in ("text", "organisation") and step.for_each is None
        if not inline_end:
            if not items and step.for_each is None:
                first = self._ask_item(step, walk, items, current, queue=[])
                if self._jump or not isinstance(first, dict):
                    return BACK
                items.append(first)
                walk.save_pending(step, items, {}, [])
                if self._complete_by_itself(step, walk, items):
                    return items
            return self._group_menu(step, walk, items)
        while True:
            enough = len(items) >= step.min_items or not step.required
            item = self._ask_item(step, walk, items, current, queue=[], ending=enough)
            current = {}
            if item is END:
                return items
            if self._jump:
                return BACK
            if not isinstance(item, dict):
                if not items:
                    return BACK
                return self._group_menu(step, walk, items)
            items.append(item)
            walk.save_pending(step, items, {}, [])

    def _complete_by_itself(self, step: Step, walk: Walk, items: list[dict[str, Any]]) -> bool:
        """A copy for each participant, or every consent the case needs: nothing to confirm."""
        if step.for_each is not None:
            return walk.group_complete(step, items)
        if step.records == "consent" and items and walk.group_note(step, items) is None:
            self.say("Alla samtycken som krävs är registrerade.", "green")
            return True
        return False

    def _group_menu(self, step: Step, walk: Walk, items: list[dict[str, Any]]) -> Any:
        while True:
            note = walk.group_note(step, items)
            if note:
                self.say(note, "yellow")
            choices: list[tuple[str, Any]] = []
            if len(items) >= step.min_items or not step.required:
                choices.append(("Nej, klart" if step.for_each is None else "Ja, klart", "done"))
            if step.for_each is None:
                choices.append(("Ja, lägg till", "more"))
            if items:
                choices.append(("Ändra en post", "edit"))
            if items and step.for_each is None:
                choices.append(("Ta bort en post", "remove"))
            choice = self.select(step.add_more or "", choices)
            if choice is BACK:
                if not items or self.select(
                    f"Går du tillbaka försvinner de {len(items)} poster du lagt till här. "
                    "Gå tillbaka ändå?",
                    [("Nej, stanna kvar", False), ("Ja, gå tillbaka", True)],
                    back=False,
                ):
                    return BACK
                continue
            if choice == "done":
                return items
            if choice == "more":
                item = self._ask_item(step, walk, items, {}, queue=[])
                if isinstance(item, dict):
                    items.append(item)
            elif choice in ("edit", "remove"):
                index = self._pick_item(step, walk, items)
                if index is None:
                    continue
                if choice == "remove":
                    items.pop(index)
                    self.say("Posten är borttagen.")
                else:
                    edited = self._ask_item(
                        step, walk, items[:index], {}, defaults=items[index], save=False
                    )
                    if isinstance(edited, dict):
                        items[index] = edited
            walk.save_pending(step, items, {}, [])

    def _pick_item(self, step: Step, walk: Walk, items: list[dict[str, Any]]) -> int | None:
        choices = [(self._item_summary(step, item, walk), i) for i, item in enumerate(items)]
        index = self.select("Vilken post?", choices)
        return None if index is BACK else int(index)

    def _ask_item(
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
        self.say(_item_header(step, current, len(items) + 1, walk.workflow), "bold")
        asked: list[str] = []
        editing = defaults is not None and step.fields[0].id in defaults
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
            if (
                missing is not None
                and not editing
                and (known := walk.field_default(missing)) is not None
            ):
                current[missing.id] = known  # e.g. the one area the meeting discussed
                continue
            try:
                answer_checks.check_partial_item(step, current, walk.workflow)
                item = walk.validate_item(step, current) if missing is None else None
            except SpecialistError as exc:
                self.say(exc.message, "red")
                current = self._counterpart(step, walk, exc, current)
                asked = [a for a in asked if a in current]
                continue
            except AnswerError as exc:
                self.say(exc.message, "red")
                if exc.field is None or exc.field not in current:
                    return None
                current.pop(exc.field)
                continue
            if item is not None:
                warning = walk.invitation_warning(item) if step.records == "invitee" else None
                if warning:
                    self.say(warning, "yellow")
                self._show_item(step, item, walk)
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
            if value is BACK and self._jump:
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
        chosen = self.select("Vad vill du göra?", choices, back=False)
        # Keep what does not depend on the organisation: person, method, date.
        general = {f.id for f in step.fields if f.for_kind is None and f.id != org_field}
        kept = {k: v for k, v in current.items() if k in general}
        if chosen is not None:
            checked = self._checked(step.fields[0], walk, chosen)
            if checked is not None:
                kept[org_field] = checked[0]
                self.show_contact_routes(checked[0], walk.workflow)
        return kept

    def _item_summary(self, step: Step, item: dict[str, Any], walk: Walk) -> str:
        parts = [_display_value(spec, item[spec.id], walk.workflow, item) for spec in step.fields
                 if spec.id in item]  # fmt: skip
        return " · ".join(p for p in parts if p)

    def _show_item(self, step: Step, item: dict[str, Any], walk: Walk) -> None:
        self.console.print(Text("  • ") + safe(self._item_summary(step, item, walk)))

    def ask_step(self, step: Step, walk: Walk) -> Any:
        if step.kind == "repeat":
            return self.ask_repeat(step, walk)
        if step.combined is not None:
            return self._ask_combined(step, walk)
        return self.ask_field(step, walk, walk.default_for(step))

    def _ask_combined(self, step: Step, walk: Walk) -> Any:
        """Several steps as one choice (their quotes from the workflow shown together)."""
        combined = step.combined
        assert combined is not None
        named = [walk.workflow.step(n) for c in combined.choices for n in c.answers]
        seeds = list(dict.fromkeys(line for s in named for line in s.seed))
        if seeds:
            body = Text("\n".join(seeds), style="dim")
            self.console.print(Panel(body, title="Ur arbetsgången", title_align="left"))
        if combined.help:
            self.say(combined.help, "italic")
        choices = [(c.label, _Combined(tuple(c.answers.items()))) for c in combined.choices]
        # Changing it after `<<`: the choice the earlier answers make starts selected.
        known = {**walk.remembered, step.id: walk.default_for(step)}
        start = next(
            (value for _, value in choices if all(known.get(k) == v for k, v in value.answers)),
            None,
        )
        return self.select(combined.prompt, choices, default=start)

    # -- the walk ------------------------------------------------------------------------------

    def ask_child(self, recorded: Child | None = None) -> Child:
        """The child's minimum data; with `recorded`, starting from what the case holds."""
        self.console.print(
            Panel(
                "Uppgifter om barnet. Skriv bara det som behövs: namn eller initialer och "
                "födelseår. Personnummer behövs inte.",
                title="Nytt ärende" if recorded is None else "Rätta barnets uppgifter",
                title_align="left",
            )
        )
        while True:
            typed = self.text(
                "Barnets namn eller initialer",
                _validator_child_name,
                hint="gärna med födelseåret efter ett kommatecken, t.ex. E. K., 2014",
                back=False,
                default=recorded.name if recorded else "",
            )
            assert isinstance(typed, str)
            name, given = split_birth_year(typed)
            if given is not None:
                return session.parse_child(name, given, date.today())
            known = recorded.birth_year if recorded is not None else None
            year = self.text(
                "Barnets födelseår",
                functools.partial(_check_birth_year, name),
                hint="fyra siffror, lämna tomt om okänt",
                default=str(known) if known else "",
            )
            if isinstance(year, str):
                return session.parse_child(name, year, date.today())

    def ask_passphrase(self) -> str:
        """The passphrase a handover file was encrypted with (never echoed)."""
        self.asked += 1
        return str(questionary.password("Lösenfras för filen:").unsafe_ask())

    def ask_new_passphrase(
        self, minimum: int, generate: Callable[[], str], weakness: Callable[[str], str | None]
    ) -> str:
        """Ask twice until both agree; an empty answer gets a generated passphrase, shown once."""
        self.say(
            "Filen krypteras med en lösenfras. Skicka lösenfrasen på ett annat sätt än filen, "
            "t.ex. per telefon."
        )

        def long_enough(raw: str) -> bool | str:
            why = weakness(raw) if raw else None
            return f"{why} Lämna tomt så föreslår kronobarn en." if why else True

        while True:
            self.asked += 1
            first = str(
                questionary.password(
                    f"Lösenfras (minst {minimum} tecken; tomt = kronobarn föreslår en):",
                    validate=long_enough,
                ).unsafe_ask()
            )
            if not first:
                made = generate()
                self.console.print(Text("Lösenfras: ") + Text(made, style="bold"))
                self.say(
                    "Skriv upp den eller läs upp den för mottagaren; kronobarn sparar den inte."
                )
                return made
            self.asked += 1
            again = str(questionary.password("Skriv lösenfrasen igen:").unsafe_ask())
            if again == first:
                return first
            self.say("Lösenfraserna var inte lika. Försök igen.", "red")

    def ask_use_profile(self, saved: Profile) -> bool | _Back:
        """Whether this case is opened with the remembered profile (Enter), or another
        organisation and other details for this case alone."""
        choices: list[tuple[str, Any]] = [
            ("Ja, använd profilen", True),
            ("Nej, ange verksamhet och uppgifter för det här ärendet", False),
        ]
        return cast("bool | _Back", self.select(f"Du är {saved.words()}. Stämmer det?", choices))

    def offer_profile(self, saved: Profile) -> bool:
        """After a first case: remember the coordinator's details for the next one?"""
        choices: list[tuple[str, Any]] = [("Ja, spara profilen", True), ("Nej", False)]
        question = f"Spara {saved.words()} som din profil till nästa ärende?"
        return self.select(question, choices, back=False) is True

    def ask_own_organisation(self, workflow: Workflow) -> OrganisationRef | _Back:
        """The organisation that opens the case: always within the consent's scope."""
        spec = checklists.FieldSpec(
            id="egen-verksamhet", kind="organisation", prompt=OWN_ORGANISATION
        )
        self.say(
            "Din verksamhet har redan uppgifterna om barnet och ingår alltid i samtycket.", "italic"
        )
        raw: Any = self._organisation(spec, workflow, None)
        if isinstance(raw, _Back):
            return BACK
        return parts.OrganisationRef(**answer_checks.organisation_answer(raw, workflow))

    def walk(self, walk: Walk) -> engine.Position:
        """Ask until the walk ends; every answer is saved by `walk` as it is given. A save
        refused because another session saved the case meanwhile reads the case again and
        goes on from where it stands (`_reload`)."""
        shown: str | None = None
        while True:
            try:
                pos = walk.position()
                if pos.finished:
                    if shown is None and self._reopened(walk, pos):
                        shown = ""
                        continue
                    return pos
                step = pos.step
                assert step is not None
                if pos.section.id != shown:
                    finished = walk.outcome_of(shown) if shown else None
                    if finished is not None:
                        self.say(f"✔ {finished.title}", "bold green")
                    returning = any(s.id in walk.remembered for s in pos.section.steps)
                    if (
                        pos.section.pause
                        and not returning
                        and (shown is not None or _meeting_ahead(walk))
                        and not _meeting_begun(walk)
                    ):
                        go_on = self._go_on(pos.section.pause, walk)
                        if go_on == "change-date":
                            walk.back_to("mote-datum")
                            shown = None
                            continue
                        if not go_on:
                            return pos
                    self.show_section(pos.section)
                    shown = pos.section.id
                if self._given_again(walk, step):
                    continue
                automatic = walk.automatic(step)
                if automatic is not None:
                    self._show_automatic(step, walk, automatic)
                    walk.answer(step.id, automatic)
                    continue
                answer = self.ask_step(step, walk)
                if answer is BACK:
                    self._go_back(walk)
                    continue
                given = answer.answers if isinstance(answer, _Combined) else ((step.id, answer),)
                for step_id, _ in given[1:]:
                    walk.remembered.pop(step_id, None)  # answered now, not from before a jump
                try:
                    warnings = [w for step_id, value in given for w in walk.answer(step_id, value)]
                except AnswerError as exc:
                    self.say(exc.message, "red")  # the steps left are asked one by one
                    continue
                for warning in warnings:
                    if warning == IDENTITY_NUMBER_WARNING:  # the others were said at the item
                        self.say(warning, "yellow")
            except StaleCaseError:
                self._reload(walk)

    def _reload(self, walk: Walk) -> None:
        """The case was saved in another session after this walk read it: nothing of that is
        overwritten. Read it again, say what the other session changed (as `kronobarn log`
        says it: no typed text), and go on from there; stop where the case cannot go on."""
        before = walk.position().step
        case_id = walk.case.id
        self.say(
            f"Ditt senaste svar kunde inte sparas: ärendet {case_id} har ändrats i en annan "
            "session medan du svarade. Inget sparat skrevs över.",
            "bold yellow",
        )
        added = walk.reload()
        if added:
            self.say("Ändrat i den andra sessionen:")
            shown = added[-STALE_ENTRIES_SHOWN:]
            for entry in shown:
                self.console.print(Text("  • ") + safe(_journal_line(entry)))
            if len(added) > len(shown):
                more = len(added) - len(shown)
                self.say(f"  … och {more} till (kronobarn log {case_id}).")
        session.refuse_if_not_open(walk.case)
        after = walk.position().step
        again = before is not None and after is not None and before.id == after.id
        self.say(
            "Ärendet är inläst på nytt; bara svaret du just gav gick förlorat. "
            + ("Svara på frågan igen." if again else "Du fortsätter där ärendet står nu."),
            "yellow",
        )

    def _reopened(self, walk: Walk, pos: engine.Position) -> bool:
        """A resumed case that stopped for want of consent: let the user add it now."""
        if pos.outcome is None or pos.outcome.reopen is None:
            return False
        self.say(f"{pos.outcome.title}.", "bold")
        choices: list[tuple[str, Any]] = [("Ja", True), ("Nej", False)]
        if not self.select("Vill du registrera samtycke nu?", choices, back=False):
            return False
        group = walk.workflow.step(pos.outcome.reopen)
        if group.records != "consent":
            walk.reopen()
            return True
        # Added to, never changed: what was recorded (and perhaps withdrawn since) stays.
        return self._add_missing_consents(walk)

    def _go_back(self, walk: Walk) -> None:
        """One question back, or (after `<<`) to an answer the user picks."""
        if self._jump:
            self._jump = False
            self._jump_back(walk)
            return
        previous = walk.back()
        # Going back past what was never asked (guidance, a known default), and to the
        # question that answered several steps at once.
        while previous is not None and (
            walk.automatic(previous) is not None or _answered_together(walk, previous)
        ):
            previous = walk.back()
        if previous is None:
            self.say("Du är redan vid första frågan.")

    def show_header(self, walk: Walk) -> None:
        """Where a resumed walk stands: the child as recorded, the section, what comes next."""
        case = walk.case
        born = f" (född {case.child.birth_year})" if case.child.birth_year else ""
        body = Text("Barn: ", style="bold") + safe(case.child.name + born)
        status = consent.status_on(case, walk.today)
        body += Text(f"\nStatus: {cases.STATUS_LABELS[status]}")
        pos = walk.position()
        meeting = walk.meeting
        if meeting is not None:
            body += Text(f"\nMöte {meeting.number}")
        if pos.step is not None:
            body += Text(f"\nAvsnitt {pos.section.number}: {pos.section.title}")
            body += Text("\nNu: ", style="bold") + safe(walk.progress() or pos.step.prompt)
        self.console.print(Panel(body, title=f"Ärende {case.id}", title_align="left"))

    def _given_again(self, walk: Walk, step: Step) -> bool:
        """After a jump back: an answer from before that still holds is kept, unasked."""
        if step.id not in walk.remembered:
            return False
        value = walk.remembered_answer(step)
        try:
            walk.answer(step.id, value)
        except AnswerError:
            return False  # it no longer fits: asked again
        self.console.print(Text("↺ ", style="dim") + safe(f"{step.prompt} (som tidigare)"))
        return True

    def _jump_back(self, walk: Walk) -> None:
        """Change an earlier answer without going back one question at a time: an item of the
        group being filled in (edited where it is, every other item kept), or an earlier step."""
        steps = [
            s
            for s in walk.answered_steps()
            if walk.automatic(s) is None and not _answered_together(walk, s)
        ]
        group = self._group_being_filled(walk)
        choices: list[tuple[str, Any]] = []
        if group is not None:
            step, items = group
            choices += [
                (f"{_item_header(step, item, n, walk.workflow)} · "
                 f"{self._item_summary(step, item, walk)}", _ItemChoice(n - 1))
                for n, item in reversed(list(enumerate(items, 1)))
            ]  # fmt: skip
        choices += [(s.combined.prompt if s.combined else s.prompt, s.id) for s in reversed(steps)]
        if not choices:
            self.say("Det finns inget tidigare svar att ändra här.")
            return
        chosen = self.select(
            "Vilket svar vill du ändra? (senare svar behålls om de fortfarande gäller)", choices
        )
        if chosen is BACK:
            return
        if isinstance(chosen, _ItemChoice):
            assert group is not None
            self._edit_pending_item(walk, group[0], chosen.index)
            return
        if not self._leave_group(walk):
            return
        # The chosen answer is asked again (starting from the old one), the later ones kept.
        walk.back_to(str(chosen))

    def _group_being_filled(self, walk: Walk) -> tuple[Step, list[dict[str, Any]]] | None:
        """The group the walk stands in, with the items entered so far (none: None)."""
        step = walk.position().step
        if step is None or step.kind != "repeat":
            return None
        items, _ = walk.pending_items(step)
        return (step, items) if items else None

    def _edit_pending_item(self, walk: Walk, step: Step, index: int) -> None:
        """Edit one item of the group being filled in; the others, and the item half typed when
        `<<` was given, stay as they were."""
        items, current = walk.pending_items(step)
        queue = walk.pending_queue(step)
        edited = self._ask_item(step, walk, items[:index], {}, defaults=items[index], save=False)
        self._jump = False  # a `<<` inside the edit ends the edit, nothing more
        if isinstance(edited, dict):
            items[index] = edited
            walk.save_pending(step, items, current, queue)

    def _leave_group(self, walk: Walk) -> bool:
        """A group being filled in is left only when the user confirms losing its items."""
        count = len(walk.case.pending.get("items") or [])
        if not count:
            return True
        return bool(
            self.select(
                f"Går du tillbaka försvinner de {count} poster du lagt till här. Gå tillbaka ändå?",
                [("Nej, stanna kvar", False), ("Ja, gå tillbaka", True)],
                back=False,
            )
        )

    def _show_automatic(self, step: Step, walk: Walk, value: Any) -> None:
        """What the walk records without asking: guidance to follow, or a known answer."""
        if step.kind == "info":
            self.show_guidance(step)
            if step.show == "presentation-order":
                self.show_presentation_order(walk)
            self.say(f"• {step.prompt}", "bold")
            return
        shown = _display_value(step, value, walk.workflow)
        if shown:
            self.console.print(Text(f"{step.prompt}: ", style="bold") + safe(shown))

    def _go_on(self, question: str, walk: Walk) -> Any:
        """Before the meeting itself: go on now, or save and go on at the meeting."""
        meeting = walk.meeting
        held_on = meeting.held_on if meeting is not None else None
        if held_on is not None and _meeting_ahead(walk):
            # A meeting weeks ahead cannot have been held: recording it now would be wrong.
            self.say(f"Mötet är planerat till {swedish_date(held_on)}.", "yellow")
            choices: list[tuple[str, Any]] = [
                ("Spara och fortsätt vid mötet", False),
                ("Mötet hålls tidigare – ändra datumet", "change-date"),
            ]
            return self.select(
                "Mötet har inte hållits ännu. Vad vill du göra?", choices, back=False
            )
        choices = [("Ja, fortsätt nu", True), ("Nej, spara och fortsätt senare", False)]
        return self.select(question, choices, back=False)

    def show_outcome(self, case: Case, outcome: Outcome | None, workflow: Workflow) -> None:
        if outcome is None:
            return
        body = Text(outcome.text.strip())
        body.append(f"\n\nStatus: {cases.STATUS_LABELS[case.status]}", style="bold")
        if case.status == "vantar-pa-samtycke":
            scope = consent.ConsentScope.of(case, date.today())
            if not scope.complete():
                body.append(f"\nSamtycke saknas från: {scope.missing_words()}")
        self.console.print(Panel(body, title=outcome.title, title_align="left"))
        self.show_documentation_lines(case)

    def show_meeting_done(self, case: Case, meeting: Meeting) -> None:
        body = Text(f"Möte {meeting.number} är registrerat.")
        if meeting.coordinator is not None:
            body += Text("\nSamordnare till nästa möte: ") + safe(meeting.coordinator.name)
        if meeting.next_meeting_text is not None:
            body += Text("\nNästa möte: ") + safe(meeting.next_meeting_text)
        body += Text(f"\n\nNästa möte startar du med: kronobarn follow-up {case.id}")
        handover = _handover_command(case, meeting)
        if handover is not None:
            body += Text("\nLämna över samordningen med: ") + safe(handover)
        waiting = [c for c in meeting.copies if not c.handled]
        if waiting:
            first = waiting[0].organisation
            party = first.id
            if party == vocabulary.OTHER_ORGANISATION:
                party = f"{party}:{first.name}"
            body += (
                Text(
                    "\nNär en kopia av planen har skickats eller kommit fram: "
                    f"kronobarn plan {case.id} copy "
                )
                + safe(shlex.quote(party))
                + Text(" --sent (eller --received)")
            )
        self.console.print(Panel(body, title="Barnets plan är sparad", title_align="left"))
        self.show_documentation_lines(case)

    def show_documentation_lines(self, case: Case) -> None:
        lines = rules.documentation_lines(case.decision, case.consents)
        if lines:
            self.say("Att skriva i din dokumentation:", "bold")
            for line in lines:
                self.console.print(safe(line))


def _handover_command(case: Case, meeting: Meeting) -> str | None:
    """`kronobarn handover ID --to ORG` when another organisation than the one holding the case
    coordinates from the next meeting on; None when the coordination stays (or who holds the
    case is not known)."""
    coordinator, holder = meeting.coordinator, case.holder
    if coordinator is None or holder is None or coordinator.key() == holder.key():
        return None
    to = coordinator.id
    if to == vocabulary.OTHER_ORGANISATION:
        to = f"{to}:{coordinator.name}"
    return f"kronobarn handover {case.id} --to {shlex.quote(to)}"


def _journal_line(entry: JournalEntry) -> str:
    """One journal entry as `kronobarn log` shows it: when, who, which command, what, fields."""
    who = entry.user or "okänd användare"
    if entry.command:
        who += f" ({entry.command})"
    fields = f" [{', '.join(entry.fields)}]" if entry.fields else ""
    return f"{entry.at:%Y-%m-%d %H:%M} {who}: {entry.text}{fields}"


def _check_birth_year(name: str, raw: str) -> None:
    session.parse_child(name, raw, date.today())


def _validator_child_name(raw: str) -> None:
    name, year = split_birth_year(raw)
    session.parse_child(name, year or "", date.today())


_BIRTH_YEAR_AFTER_NAME = re.compile(r"^(?P<name>.*?\S)\s*,\s*(?P<year>\d{4})\s*$")


def split_birth_year(raw: str) -> tuple[str, str | None]:
    """`E. K., 2014` → (`E. K.`, `2014`): the birth year typed after the name saves a question;
    without one, (`raw`, None) and the year is asked for by itself."""
    match = _BIRTH_YEAR_AFTER_NAME.match(raw)
    if match is None:
        return raw, None
    return match["name"], match["year"]


def _offered(workflow: Workflow, spec: FieldSpec) -> list[Organisation]:
    """The directory as a list to choose from; the family only where it may be named."""
    return [o for o in workflow.organisations if o.kind != "familj" or spec.family]


def _meeting_ahead(walk: Walk) -> bool:
    """Is the meeting being walked more than a day away (so it cannot have been held)?"""
    meeting = walk.meeting
    held_on = meeting.held_on if meeting is not None else None
    return held_on is not None and (held_on - walk.today).days > 1


def _answered_together(walk: Walk, step: Step) -> bool:
    """Was this step answered by an earlier step's combined question (which is answered)?"""
    combiner = walk.workflow.section_of(step.id).combined_into(step.id)
    return combiner is not None and combiner.id in engine.flatten(walk.answers())


def _meeting_begun(walk: Walk) -> bool:
    """Has the meeting being walked begun by its date and time (an earlier day, or today at a
    time that has come)? Then whether it has begun needs no asking."""
    meeting = walk.meeting
    held_on = meeting.held_on if meeting is not None else None
    if held_on is None or held_on > walk.today:
        return False
    if held_on < walk.today:
        return True
    starts = meeting.starts_at if meeting is not None else None
    return bool(starts) and str(starts) <= f"{walk.clock():%H:%M}"


def _item_header(step: Step, item: dict[str, Any], number: int, workflow: Workflow) -> str:
    """`Insats i Barnets plan (2)`, or for one item per participant or area, its name."""
    first = item.get(step.fields[0].id) if step.for_each else None
    if isinstance(first, dict):
        return f"{step.prompt}: {first.get('name', '')}"
    area = workflow.area(first) if isinstance(first, str) else None
    if area is not None:
        return f"{step.prompt}: {area.name}"
    return f"{step.prompt} ({number})"


def _record(spec: FieldSpec, item: dict[str, Any], value: Any, today: date) -> None:
    """Put an answer into an item; "…, idag" answers the linked date field as well."""
    if isinstance(value, _WithToday):
        item[spec.id] = value.value
        if spec.today_for:
            item[spec.today_for] = today.isoformat()
        item.update(value.also)
    elif isinstance(value, _Folded):
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
        default = _Folded(default, (folded[0].id, given[folded[0].id]))
    same = None
    if spec.today_for and not editing:
        same = next(
            ((f.id, given[f.id]) for f in step.fields
             if f.kind == "organisations" and given.get(f.id) and f.id not in current),
            None,
        )  # fmt: skip
    return default, folded, same


def _select_choices(
    spec: FieldSpec,
    workflow: Workflow,
    folded: tuple[FieldSpec, str] | None,
    same: tuple[str, list[Any]] | None,
) -> list[tuple[str, Any]]:
    """A select's choices: its options, with a later select folded in, or offered as
    "…, idag" (and "…, idag, för samma verksamheter: …" where those are known)."""
    choices: list[tuple[str, Any]] = [(o.label, o.value) for o in spec.options]
    if folded is not None:
        choices = _folded_choices(spec, *folded)
    if not spec.today_for:
        return choices
    today = [(f"{o.label}, idag", _WithToday(o.value)) for o in spec.options]
    later = [(f"{o.label}, ett annat datum", o.value) for o in spec.options]
    if same is None:
        return today + later
    names = _display_value(spec, same[1], workflow)
    both = [(f"{o.label}, idag, för samma verksamheter: {names}", _WithToday(o.value, (same,)))
            for o in spec.options]  # fmt: skip
    return both + today + later


def _folded_choices(spec: FieldSpec, folded: FieldSpec, stands_for: str) -> list[tuple[str, Any]]:
    """`spec`'s options, with the one `folded` depends on replaced by one choice per option of
    `folded`: "Brevet Samverkansmöte enligt Kronobarnsmodellen, med mejl"."""
    choices: list[tuple[str, Any]] = []
    for option in spec.options:
        if option.value != stands_for:
            choices.append((option.label, option.value))
            continue
        for inner in folded.options:
            label = f"{option.label}, {inner.label[:1].lower()}{inner.label[1:]}"
            choices.append((label, _Folded(option.value, (folded.id, inner.value))))
    return choices


def _discussed_first(choices: list[tuple[str, Any]], discussed: Any) -> list[tuple[str, Any]]:
    """The areas the meeting took up first, in the order it took them up; the others after."""
    order = [a for a in discussed if isinstance(a, str)] if isinstance(discussed, list) else []
    first = sorted((c for c in choices if c[1] in order), key=lambda c: order.index(c[1]))
    return first + [c for c in choices if c[1] not in order]


def _prompt_text(spec: FieldSpec, item: dict[str, Any]) -> str:
    """The question, naming the item's party where the checklist writes `{part}`."""
    org = next((v for v in item.values() if isinstance(v, dict) and "name" in v), None)
    return spec.prompt.replace("{part}", str(org["name"]) if org else "parten")


def _org_id(raw: Any) -> Any:
    return raw.get("id") if isinstance(raw, dict) else raw


def _split_names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _named(label: str, value: str, walk: Walk) -> str:
    """A guardian's option with the name or role recorded for them: `Vårdnadshavare 1 (mamma)`."""
    names = [c.giver_name for c in walk.case.consents if c.giver == value and c.giver_name]
    return f"{label} ({names[-1]})" if names else label


def _display_value(
    spec: FieldSpec, value: Any, workflow: Workflow, item: dict[str, Any] | None = None
) -> str:
    if isinstance(value, bool):
        return f"{_prompt_text(spec, item or {}).rstrip('?')}: {'ja' if value else 'nej'}"
    if spec.kind == "select":
        return spec.option_label(str(value))
    if spec.kind == "date":
        return swedish_date(date.fromisoformat(str(value)))
    if spec.kind == "area":
        area = workflow.area(str(value))
        return area.name if area else str(value)
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)
