"""A checklist field drawn as the widget its kind asks for, with its choices; the raw answer.

Checking the answer against the walk's rules is `questions.Questions`' part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.text import Text

from kronobarn_cli.interactive.screens import display_value, prompt_text
from kronobarn_cli.interactive.widgets import (
    BACK,
    END,
    END_TITLE,
    END_VALUE,
    OPT_IN_VALUE,
    Widgets,
    _Back,
)
from kronobarn_cli.support.lazy import LazyModule
from kronobarn_cli.support.text import swedish_date

if TYPE_CHECKING:
    from kronobarn_cli.checklists import schema as checklists
    from kronobarn_cli.checklists import vocabulary
    from kronobarn_cli.checklists.directory import Organisation
    from kronobarn_cli.checklists.schema import FieldSpec, Step, Workflow
    from kronobarn_cli.domain import answer_checks, engine
    from kronobarn_cli.interactive.walk import Walk
else:
    answer_checks = LazyModule("kronobarn_cli.domain.answer_checks")
    vocabulary = LazyModule("kronobarn_cli.checklists.vocabulary")
    checklists = LazyModule("kronobarn_cli.checklists.schema")
    engine = LazyModule("kronobarn_cli.domain.engine")


@dataclass(frozen=True)
class WithToday:
    """A select answered as "…, idag": the option, and today for the linked date field (and,
    as "…, idag, för samma verksamheter", the organisations field's offered answer too)."""

    value: Any
    also: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Folded:
    """A select answered with a choice that answers the select folded into it as well
    ("Brevet …, med mejl"): this field's option, and the folded field's."""

    value: Any
    folded: tuple[str, Any]


@dataclass(frozen=True)
class Combined:
    """A combined question's choice: the answers it gives, step by step, in order."""

    answers: tuple[tuple[str, Any], ...]


class FieldWidgets:
    """Draws one field (or a combined question) and returns what was typed or chosen: BACK,
    END (a group is complete), or the raw answer."""

    def __init__(self, widgets: Widgets) -> None:
        self.widgets = widgets

    def render(
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
        """With `ending`, the question also lets the user say the group is complete (END);
        `folded` and `same` are what a select offers besides its own options."""
        message = prompt_text(spec, item)
        kind = spec.kind
        if kind in ("text", "date", "time"):
            return self._typed(spec, walk, message, default, ending=ending)
        if kind == "confirm":
            return self.widgets.select(message, [("Ja", True), ("Nej", False)], default=default)
        if kind == "select":
            choices = _select_choices(spec, walk.workflow, folded, same)
            return self.widgets.select(message, choices, default=default)
        if kind == "checkbox":
            ticks = [(_named(o.label, o.value, walk), o.value) for o in spec.options]
            return self.widgets.checkbox(message, ticks, required=spec.required, checked=default)
        if kind in ("areas", "area"):
            return self._areas(spec, walk, message, default)
        if kind == "organisation" and spec.within == "participants":
            return self._participant(spec, walk, message, default, ending=ending)
        if kind == "organisation":
            return self.organisation(spec, walk.workflow, default, ending=ending)
        if kind == "organisations":
            return self._organisations(spec, walk.workflow, default)
        raise AssertionError(f"no prompt for {kind}")  # the schema admits no other kinds here

    def _typed(
        self, spec: FieldSpec, walk: Walk, message: str, default: Any, *, ending: bool
    ) -> Any:
        """A text, date or time field: typed, checked as it is typed."""

        def check(raw: Any) -> Any:
            if ending and not str(raw).strip():
                return None
            if spec.today_default and not str(raw).strip():
                raw = "idag"
            return walk.validate(spec, raw)

        if spec.kind == "time":
            return self.widgets.text(message, check, hint="TT:MM", default=default or "")
        if spec.kind == "text":
            hint = "tom rad: inga fler" if ending else ("" if spec.required else "kan lämnas tomt")
            answer = self.widgets.text(message, check, hint=hint, default=default or "")
            return END if ending and isinstance(answer, str) and not answer.strip() else answer
        hint = (
            "t.ex. 2026-12-05, 5/12, 5 dec, idag"
            + (" och tid 9.30" if spec.with_time else "")
            + (", plats efter kommatecken" if spec.with_place else "")
        )
        if not spec.required:
            hint += "; kan lämnas tomt"
        if spec.today_default:
            hint = f"Enter: idag, {swedish_date(walk.today)}; eller {hint}"
        answer = self.widgets.text(message, check, hint=hint, default=default or "")
        if spec.today_default and isinstance(answer, str) and not answer.strip():
            return "idag"
        return answer

    def _areas(self, spec: FieldSpec, walk: Walk, message: str, default: Any) -> Any:
        """One area of Barnets bästa-hjulet (those the meeting took up first), or several."""
        workflow = walk.workflow
        choices = [(f"{a.name} – {a.description}", a.id) for a in workflow.areas]
        if spec.kind == "area" and spec.single_from:
            choices = _discussed_first(
                choices, engine.flatten(walk.answers()).get(spec.single_from)
            )
        if spec.kind == "area":
            return self.widgets.select(message, choices, default=default)
        names = {a.id: a.name for a in workflow.areas}
        if workflow.areas_note:
            self.widgets.say(workflow.areas_note, "italic")
        if spec.opt_in and spec.opt_in_label:
            choices.append((f"✎ {spec.opt_in_label}", OPT_IN_VALUE))
        chosen = self.widgets.checkbox(
            message, choices, required=spec.required, checked=default, names=names
        )
        if isinstance(chosen, list) and OPT_IN_VALUE in chosen and spec.opt_in:
            walk.want(spec.opt_in)  # the step it names is asked after this one
            chosen = [c for c in chosen if c != OPT_IN_VALUE]
        return chosen

    def _participant(
        self, spec: FieldSpec, walk: Walk, message: str, default: Any, *, ending: bool
    ) -> Any:
        """Only those who took part can be named (and the family, where it may be)."""
        present = [*(walk.scopes().participants or []), *walk.family_parties(spec)]
        start = next((o.model_dump() for o in present if o.model_dump() == default), None)
        offered: list[tuple[str, Any]] = [(o.name, o.model_dump()) for o in present]
        if ending:
            offered.insert(0, (END_TITLE, END_VALUE))
        chosen = self.widgets.select(message, offered, default=start)
        return END if chosen == END_VALUE else chosen

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
        return self.widgets.text(message, check)

    def organisation(
        self, spec: FieldSpec, workflow: Workflow, default: Any, *, ending: bool = False
    ) -> Any:
        """One organisation from the directory, or another one named by the user."""
        while True:
            choices = [(o.name, o.id) for o in _offered(workflow, spec)]
            if ending:
                choices.insert(0, (END_TITLE, END_VALUE))
            start = default.get("id") if isinstance(default, dict) else None
            org_id = self.widgets.select(spec.prompt, choices, default=start)
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
            ticked = [
                organisation_id(o)
                for o in previous
                if organisation_id(o) != vocabulary.OTHER_ORGANISATION
            ]
            ids = self.widgets.checkbox(
                spec.prompt, choices, required=spec.required, checked=ticked
            )
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

    def combined(self, step: Step, walk: Walk) -> Any:
        """Several steps as one choice (their quotes from the workflow shown together)."""
        combined = step.combined
        assert combined is not None
        named = [walk.workflow.step(n) for c in combined.choices for n in c.answers]
        seeds = list(dict.fromkeys(line for s in named for line in s.seed))
        if seeds:
            body = Text("\n".join(seeds), style="dim")
            self.widgets.console.print(Panel(body, title="Ur arbetsgången", title_align="left"))
        if combined.help:
            self.widgets.say(combined.help, "italic")
        choices = [(c.label, Combined(tuple(c.answers.items()))) for c in combined.choices]
        # Changing it after `<<`: the choice the earlier answers make starts selected.
        known = {**walk.remembered, step.id: walk.default_for(step)}
        start = next(
            (value for _, value in choices if all(known.get(k) == v for k, v in value.answers)),
            None,
        )
        return self.widgets.select(combined.prompt, choices, default=start)


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
    today = [(f"{o.label}, idag", WithToday(o.value)) for o in spec.options]
    later = [(f"{o.label}, ett annat datum", o.value) for o in spec.options]
    if same is None:
        return today + later
    names = display_value(spec, same[1], workflow)
    both = [(f"{o.label}, idag, för samma verksamheter: {names}", WithToday(o.value, (same,)))
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
            choices.append((label, Folded(option.value, (folded.id, inner.value))))
    return choices


def _discussed_first(choices: list[tuple[str, Any]], discussed: Any) -> list[tuple[str, Any]]:
    """The areas the meeting took up first, in the order it took them up; the others after."""
    order = [a for a in discussed if isinstance(a, str)] if isinstance(discussed, list) else []
    first = sorted((c for c in choices if c[1] in order), key=lambda c: order.index(c[1]))
    return first + [c for c in choices if c[1] not in order]


def _offered(workflow: Workflow, spec: FieldSpec) -> list[Organisation]:
    """The directory as a list to choose from; the family only where it may be named."""
    return [o for o in workflow.organisations if o.kind != "familj" or spec.family]


def organisation_id(raw: Any) -> Any:
    """An organisation answer's id (a directory id is its own)."""
    return raw.get("id") if isinstance(raw, dict) else raw


def _split_names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _named(label: str, value: str, walk: Walk) -> str:
    """A guardian's option with the name or role recorded for them: `Vårdnadshavare 1 (mamma)`."""
    names = [c.giver_name for c in walk.case.consents if c.giver == value and c.giver_name]
    return f"{label} ({names[-1]})" if names else label
