"""The only module that talks to the terminal: renders steps with questionary and rich.

Every step offers "Tillbaka": a choice in lists, `<` in text fields. Ctrl-C raises
KeyboardInterrupt to the caller, after everything answered so far has been saved.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import questionary
from questionary import Choice
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from kronobarn_cli import engine, rules
from kronobarn_cli.case import STATUS_LABELS, Case, Child
from kronobarn_cli.checklist import OTHER_ORGANISATION, FieldSpec, Outcome, Section, Step, Workflow
from kronobarn_cli.errors import AnswerError
from kronobarn_cli.session import Walk, parse_child
from kronobarn_cli.text import swedish_date, terminal_safe


class _Back:
    """Marker returned by a prompt when the user chose to go back."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()
BACK_VALUE = "__tillbaka__"
BACK_TITLE = "← Tillbaka"
BACK_TEXT = "<"
SELECT_HINT = "(piltangenterna flyttar, Enter väljer)"
CHECKBOX_HINT = "(piltangenterna flyttar, mellanslag markerar, Enter går vidare)"


def safe(value: str) -> Text:
    """Typed text as a rich Text: never parsed as markup, control characters neutralised."""
    return Text(terminal_safe(value))


def _validator(check: Callable[[str], Any]) -> Callable[[str], bool | str]:
    def validate(raw: str) -> bool | str:
        if raw.strip() == BACK_TEXT:
            return True
        try:
            check(raw)
        except AnswerError as exc:
            return exc.message
        return True

    return validate


class Prompter:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    # -- basic prompts -------------------------------------------------------------------------

    def text(
        self, message: str, check: Callable[[str], Any], *, hint: str = "", back: bool = True
    ) -> str | _Back:
        parts = [hint] if hint else []
        if back:
            parts.append(f"{BACK_TEXT} = tillbaka")
        instruction = f"({'; '.join(parts)})" if parts else None
        raw = questionary.text(
            message, validate=_validator(check), instruction=instruction
        ).unsafe_ask()
        if back and raw.strip() == BACK_TEXT:
            return BACK
        return str(raw)

    def select(self, message: str, choices: list[tuple[str, Any]], *, back: bool = True) -> Any:
        options = [Choice(title=terminal_safe(title), value=value) for title, value in choices]
        if back:
            options.append(Choice(title=BACK_TITLE, value=BACK_VALUE))
        value = questionary.select(message, choices=options, instruction=SELECT_HINT).unsafe_ask()
        return BACK if value == BACK_VALUE else value

    def checkbox(
        self, message: str, choices: list[tuple[str, str]], *, required: bool, back: bool = True
    ) -> list[str] | _Back:
        options = [Choice(title=terminal_safe(title), value=value) for title, value in choices]
        if back:
            options.append(Choice(title=BACK_TITLE, value=BACK_VALUE))

        def validate(values: list[str]) -> bool | str:
            if required and not values:
                return "Välj minst ett alternativ (mellanslag markerar)."
            return True

        values = questionary.checkbox(
            message,
            choices=options,
            instruction=CHECKBOX_HINT,
            validate=validate,
            erase_when_done=True,  # questionary's own summary line is in English
        ).unsafe_ask()
        if BACK_VALUE in values:
            return BACK
        titles = [t for t, v in choices if v in values]
        line = Text("✔ ", style="green") + Text(message + " ", style="bold")
        self.console.print(line + safe(", ".join(titles) or "inget valt"))
        return list(values)

    # -- steps ---------------------------------------------------------------------------------

    def show_section(self, section: Section) -> None:
        body = Text()
        if section.intro:
            body.append(section.intro.strip() + "\n")
        for line in section.seed:
            body.append("• " + line + "\n", style="dim")
        body.rstrip()
        title = f"Avsnitt {section.number}: {section.title}"
        self.console.print(Panel(body, title=title, title_align="left"))

    def show_guidance(self, spec: FieldSpec) -> None:
        if spec.seed:
            body = Text("\n".join(spec.seed), style="dim")
            self.console.print(Panel(body, title="Ur arbetsgången", title_align="left"))
        if spec.help:
            self.console.print(Text(spec.help, style="italic"))

    def ask_field(self, spec: FieldSpec, walk: Walk) -> Any:
        """One answer, validated by the engine's rules, or BACK."""
        workflow, today = walk.workflow, walk.today
        self.show_guidance(spec)

        def check(raw: Any) -> Any:
            return engine.validate_answer(spec, raw, workflow, today)

        kind = spec.kind
        if kind == "text":
            hint = "" if spec.required else "lämna tomt om okänt"
            return self.text(spec.prompt, check, hint=hint)
        if kind == "date":
            hint = "ÅÅÅÅ-MM-DD eller idag"
            answer = self.text(spec.prompt, check, hint=hint)
            return answer if answer is BACK else check(answer)
        if kind == "confirm":
            return self.select(spec.prompt, [("Ja", True), ("Nej", False)])
        if kind == "info":
            return self.select(spec.prompt, [("Ja, klart", True)])
        if kind == "select":
            return self.select(spec.prompt, [(o.label, o.value) for o in spec.options])
        if kind == "checkbox":
            choices = [(o.label, o.value) for o in spec.options]
            return self.checkbox(spec.prompt, choices, required=spec.required)
        if kind == "areas":
            choices = [(f"{a.name} – {a.description}", a.id) for a in workflow.areas]
            return self.checkbox(spec.prompt, choices, required=spec.required)
        if kind == "organisation":
            return self._organisation(spec, workflow)
        if kind == "organisations":
            return self._organisations(spec, workflow)
        raise AssertionError(f"no prompt for {kind}")  # the schema admits no other kinds here

    def _other_name(self, workflow: Workflow, *, several: bool) -> str | _Back:
        def check(raw: str) -> None:
            for name in _split_names(raw) if several else [raw]:
                engine.validate_answer(
                    FieldSpec(id="annan", kind="organisation", prompt="-"),
                    {"id": OTHER_ORGANISATION, "name": name},
                    workflow,
                    date.today(),
                )

        message = "Namn på den andra verksamheten"
        if several:
            message += " (flera skiljs med komma)"
        return self.text(message, check)

    def _organisation(self, spec: FieldSpec, workflow: Workflow) -> Any:
        while True:
            choices = [(o.name, o.id) for o in workflow.organisations]
            org_id = self.select(spec.prompt, choices)
            if org_id is BACK:
                return BACK
            if org_id != OTHER_ORGANISATION:
                return org_id
            name = self._other_name(workflow, several=False)
            if name is not BACK:
                return {"id": OTHER_ORGANISATION, "name": name}

    def _organisations(self, spec: FieldSpec, workflow: Workflow) -> Any:
        while True:
            choices = [(o.name, o.id) for o in workflow.organisations]
            ids = self.checkbox(spec.prompt, choices, required=spec.required)
            if isinstance(ids, _Back):
                return BACK
            chosen: list[Any] = [i for i in ids if i != OTHER_ORGANISATION]
            if OTHER_ORGANISATION not in ids:
                return chosen
            names = self._other_name(workflow, several=True)
            if isinstance(names, str):
                chosen += [{"id": OTHER_ORGANISATION, "name": n} for n in _split_names(names)]
                return chosen

    def ask_repeat(self, step: Step, walk: Walk) -> Any:
        """A group answered once per item; progress is saved after every field."""
        items, current = walk.pending_items(step)
        self.show_guidance(step)
        for done in items:
            self._show_item(step, done)
        adding = not items or bool(current)
        while True:
            if adding:
                item = self._ask_item(step, walk, items, current)
                current = {}
                adding = False
                if item is not None:
                    items.append(item)
                    self._show_item(step, item)
                    walk.save_pending(step, items, {})
                elif not items:
                    return BACK
                continue
            note = walk.group_note(step, items)
            if note:
                self.console.print(Text(note, style="yellow"))
            choices: list[tuple[str, Any]] = [("Ja, lägg till", "more")]
            if len(items) >= step.min_items:
                choices.insert(0, ("Nej, klart", "done"))
            if items:
                choices.append(("Ta bort den senast tillagda", "remove"))
            choice = self.select(step.add_more or "", choices)
            if choice is BACK:
                return BACK
            if choice == "done":
                return items
            if choice == "remove":
                items.pop()
                walk.save_pending(step, items, {})
                self.console.print("Den senast tillagda posten är borttagen.")
            adding = choice == "more" or not items

    def _ask_item(
        self, step: Step, walk: Walk, items: list[dict[str, Any]], current: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Fields of one item in order; going back from the first field drops the item."""
        self.console.print(Text(f"{step.prompt} ({len(items) + 1})", style="bold"))
        index = len(current)
        fields = step.fields
        while index < len(fields):
            spec = fields[index]
            value = self.ask_field(spec, walk)
            if value is BACK:
                if index == 0:
                    walk.save_pending(step, items, {})
                    return None
                index -= 1
                current.pop(fields[index].id, None)
                continue
            current[spec.id] = engine.validate_answer(spec, value, walk.workflow, walk.today)
            walk.save_pending(step, items, current)
            index += 1
        return walk.validate_item(step, current)

    def _show_item(self, step: Step, item: dict[str, Any]) -> None:
        parts = []
        for spec in step.fields:
            if spec.id in item:
                parts.append(_display_value(spec, item[spec.id]))
        self.console.print(Text("  • ") + safe(" · ".join(p for p in parts if p)))

    def ask_step(self, step: Step, walk: Walk) -> Any:
        if step.kind == "repeat":
            return self.ask_repeat(step, walk)
        return self.ask_field(step, walk)

    # -- the walk ------------------------------------------------------------------------------

    def ask_child(self) -> Child:
        self.console.print(
            Panel(
                "Uppgifter om barnet. Skriv bara det som behövs: namn eller initialer och "
                "födelseår. Personnummer behövs inte.",
                title="Nytt ärende",
                title_align="left",
            )
        )
        while True:
            name = self.text("Barnets namn eller initialer", _validator_child_name, back=False)
            assert isinstance(name, str)
            year = self.text(
                "Barnets födelseår",
                functools.partial(_check_birth_year, name),
                hint="fyra siffror, lämna tomt om okänt",
            )
            if isinstance(year, str):
                return parse_child(name, year, date.today())

    def walk(self, walk: Walk) -> engine.Position:
        """Ask until the walk ends; every answer is saved by `walk` as it is given."""
        shown: str | None = None
        while True:
            pos = walk.position()
            if pos.finished:
                if pos.outcome is not None and pos.outcome.reopen and shown is None:
                    # A resumed case that stopped for want of consent: let the user add it.
                    self.show_outcome(walk.case, pos.outcome)
                    if self.select(
                        "Vill du registrera samtycke nu?",
                        [("Ja", True), ("Nej", False)],
                        back=False,
                    ):
                        walk.reopen()
                        shown = ""
                        continue
                return pos
            step = pos.step
            assert step is not None
            if pos.section.id != shown:
                finished = walk.outcome_of(shown) if shown else None
                if finished is not None:
                    self.console.print(Text(f"✔ {finished.title}", style="bold green"))
                self.show_section(pos.section)
                shown = pos.section.id
            answer = self.ask_step(step, walk)
            if answer is BACK:
                previous = walk.back()
                if previous is None:
                    self.console.print("Du är redan vid första frågan.")
                continue
            try:
                walk.answer(step.id, answer)
            except AnswerError as exc:
                self.console.print(Text(exc.message, style="red"))

    def show_outcome(self, case: Case, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        body = Text(outcome.text.strip())
        body.append(f"\n\nStatus: {STATUS_LABELS[case.status]}", style="bold")
        if case.status == "vantar-pa-samtycke" and case.consents is not None:
            missing = rules.missing_consents(case.consents, case.youth_mature)
            if missing:
                body.append(f"\nSamtycke saknas från: {', '.join(missing)}")
        self.console.print(Panel(body, title=outcome.title, title_align="left"))
        lines = rules.documentation_lines(case.decision, case.consents)
        if lines:
            self.console.print(Text("Att skriva i din dokumentation:", style="bold"))
            for line in lines:
                self.console.print(safe(line))


def _check_birth_year(name: str, raw: str) -> None:
    parse_child(name, raw, date.today())


def _validator_child_name(raw: str) -> None:
    parse_child(raw, "", date.today())


def _split_names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _display_value(spec: FieldSpec, value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if spec.kind == "select":
        return spec.option_label(str(value))
    if spec.kind == "date":
        return swedish_date(date.fromisoformat(str(value)))
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)
