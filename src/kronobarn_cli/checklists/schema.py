"""The section files' schema (questions, steps, outcomes, sections) and the loaded Workflow."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from kronobarn_cli.checklists.base import MODEL_CONFIG, Slug, Text
from kronobarn_cli.checklists.conditions import Condition
from kronobarn_cli.checklists.directory import Area, Organisation
from kronobarn_cli.checklists.vocabulary import (
    RECORD_FIELDS,
    CaseStatus,
    OrganisationKind,
    RecordKind,
)
from kronobarn_cli.support.text import folded

StepKind = Literal[
    "text",  # free text
    "confirm",  # ja/nej
    "select",  # one of `options`
    "checkbox",  # several of `options`
    "date",  # a calendar date
    "time",  # a time of day, HH:MM
    "info",  # guidance the user confirms having read or done
    "organisation",  # one organisation from the directory, or "annan verksamhet"
    "organisations",  # several organisations from the directory
    "areas",  # areas of Barnets bästa-hjulet
    "area",  # one area of Barnets bästa-hjulet
    "repeat",  # a group of fields answered once per item
]
FIELD_KINDS = (
    "text",
    "confirm",
    "select",
    "checkbox",
    "date",
    "time",
    "organisation",
    "organisations",
    "area",
)


class _Model(BaseModel):
    model_config = MODEL_CONFIG


class Option(_Model):
    value: Slug
    label: Text


class FieldSpec(_Model):
    """One question: a step of a section, or a field of a repeated group."""

    id: Slug
    kind: StepKind
    prompt: Text
    help: str | None = None
    seed: list[Text] = []
    required: bool = True
    options: list[Option] = []
    date_range: Literal["past", "future", "any"] = "any"
    # A date that must come after the answer to this (earlier) date step.
    after: Slug | None = None
    # Organisations the answer may name: those the consent covers, or the meeting's
    # participants (who are within the consent too). Outside them an answer is refused.
    within: Literal["consent", "participants"] | None = None
    # Specialist care may be named only where the child has an established, relevant care
    # contact (recorded with an invitation); otherwise its primary-care counterpart is offered.
    specialist_rule: bool = False
    # The family and the young person may be named here (an action they own, their copy).
    family: bool = False
    # A checkbox may offer one more choice that makes the walk ask this (otherwise not asked)
    # step: a question no one pays for unless they want it.
    opt_in: Slug | None = None
    opt_in_label: str | None = None
    # In a group: ask this field only when the item's organisation is of this kind.
    for_kind: OrganisationKind | None = None
    # In a group carried over to a follow-up meeting: ask this field again.
    ask_again: bool = False
    # False: not asked in the walk (every question costs time with the family in the room).
    # An optional field is left out, or takes `default`; a step takes the default the program
    # knows (the own organisation, say) and is asked only when there is none. Answers files and
    # command options can still give it. With `ask_again`, asked only for carried-over items.
    ask: bool = True
    # The value stored when the question is not asked (`ask: false`, or its `when` fails).
    default: str | bool | None = None
    # A group's field: asked only when this condition on the item's earlier fields holds.
    when: Condition | None = None
    # A group's field: its quotes from the workflow are shown only when this holds.
    seed_when: Condition | None = None
    # A date that may carry a time ("2026-12-20 9.30"), which then answers this time step.
    with_time: Slug | None = None
    # A date that may carry a place after a comma ("20 jan kl 13, Centralskolan"): this step.
    with_place: Slug | None = None
    # A select whose options are also offered as "…, idag", answering this date field too.
    today_for: Slug | None = None
    # A select that offers, in place of its option that the later select FIELD of the group
    # depends on (`when: {step: <this>, equals: VALUE}`), each of that select's options as
    # "<option>, <its option>": one choice answers both fields, stored apart as before.
    fold: Slug | None = None
    # A date field left empty is today (said in words by the question): Enter accepts it.
    today_default: bool = False
    # Answered without asking when this step's answer holds exactly one value (an area).
    single_from: Slug | None = None
    # Something the program shows with the step (before asking, or after the answer).
    show: Literal["presentation-order", "contact-routes"] | None = None

    @model_validator(mode="after")
    def _kind_fits(self) -> Self:
        if self.kind in ("select", "checkbox"):
            if len(self.options) < (2 if self.kind == "select" else 1):
                raise ValueError(f"'{self.kind}' behöver alternativ under 'options'")
            values = [o.value for o in self.options]
            if len(set(values)) != len(values):
                raise ValueError("två alternativ har samma 'value'")
        elif self.options:
            raise ValueError(f"'options' gäller bara select och checkbox, inte '{self.kind}'")
        if (self.date_range != "any" or self.after) and self.kind != "date":
            raise ValueError("'date_range' och 'after' gäller bara steg av typen date")
        if (self.within or self.specialist_rule) and self.kind not in (
            "organisation",
            "organisations",
        ):
            raise ValueError(
                "'within' och 'specialist_rule' gäller bara organisation och organisations"
            )
        if (self.with_time or self.with_place) and self.kind != "date":
            raise ValueError("'with_time' och 'with_place' gäller bara steg av typen date")
        if (self.today_for or self.fold) and self.kind != "select":
            raise ValueError("'today_for' och 'fold' gäller bara select")
        if self.today_default and self.kind != "date":
            raise ValueError("'today_default' gäller bara steg av typen date")
        if self.single_from and self.kind != "area":
            raise ValueError("'single_from' gäller bara area")
        if self.show == "contact-routes" and self.kind != "organisation":
            raise ValueError("'show: contact-routes' gäller bara organisation")
        return self

    def option_values(self) -> list[str]:
        return [o.value for o in self.options]

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


class CombinedChoice(_Model):
    label: Text
    # The answers this choice gives: this step's first, then later steps of its section.
    answers: dict[Slug, str | bool] = Field(min_length=1)


class Combined(_Model):
    """A step asked together with the steps after it: one choice answers each of them, and
    every answer is stored as its own step's, as when they are asked one by one."""

    prompt: Text
    help: str | None = None
    choices: list[CombinedChoice] = Field(min_length=2)


class Step(FieldSpec):
    fields: list[FieldSpec] = []
    combined: Combined | None = None
    add_more: str | None = None
    min_items: Annotated[int, Field(ge=0)] = 1
    records: RecordKind | None = None
    # A follow-up meeting starts from the previous meeting's answer to this step.
    carry_over: bool = False
    # A group with one item per participant (the first field names the organisation).
    for_each: Literal["participants", "areas"] | None = None
    # With `for_each: areas`: the step whose areas get one item each.
    areas_from: Slug | None = None
    # A default the program works out (the organisation with most actions in the plan).
    suggest: Literal["coordinator"] | None = None

    @model_validator(mode="after")
    def _group_fits(self) -> Self:
        if self.kind == "repeat":
            if not self.fields:
                raise ValueError("'repeat' behöver fält under 'fields'")
            if not self.add_more:
                raise ValueError("'repeat' behöver frågan 'add_more'")
            ids = [f.id for f in self.fields]
            if len(set(ids)) != len(ids):
                raise ValueError("två fält har samma id")
            for f in self.fields:
                if f.kind not in FIELD_KINDS:
                    raise ValueError(f"fältet '{f.id}' kan inte vara av typen '{f.kind}'")
            first_kind = "organisation" if self.for_each == "participants" else "area"
            if self.for_each and self.fields[0].kind != first_kind:
                raise ValueError(
                    f"'for_each: {self.for_each}' kräver att första fältet är {first_kind}"
                )
            if (self.for_each == "areas") != (self.areas_from is not None):
                raise ValueError("'for_each: areas' och 'areas_from' hör ihop")
            earlier: set[str] = set()
            for f in self.fields:
                conditions = [c for c in (f.when, f.seed_when) if c is not None]
                for ref in (r for c in conditions for r in c.step_references()):
                    if ref.step not in earlier:
                        raise ValueError(
                            f"fältet '{f.id}': villkoret ska nämna ett tidigare fält, "
                            f"inte '{ref.step}'"
                        )
                for linked in (f.today_for, f.fold):
                    if linked is not None and linked not in {g.id for g in self.fields}:
                        raise ValueError(f"fältet '{f.id}': '{linked}' finns inte i gruppen")
                if f.fold is not None:
                    self._check_fold(f)
                if not f.ask and f.required and f.default is None and not f.ask_again:
                    raise ValueError(
                        f"fältet '{f.id}': 'ask: false' kräver 'required: false' eller 'default'"
                    )
                earlier.add(f.id)
        elif self.fields or self.add_more or self.records or self.for_each:
            raise ValueError("'fields', 'add_more', 'records' och 'for_each' gäller bara 'repeat'")
        if self.suggest and self.kind != "organisation":
            raise ValueError("'suggest: coordinator' gäller bara organisation")
        if self.records:
            by_id = {f.id: f for f in self.fields}
            for fid, (kind, values) in RECORD_FIELDS[self.records].items():
                spec = by_id.get(fid)
                if spec is None or spec.kind != kind:
                    raise ValueError(f"'records: {self.records}' kräver fältet '{fid}' ({kind})")
                if values and set(spec.option_values()) != set(values):
                    raise ValueError(f"fältet '{fid}' ska ha alternativen {', '.join(values)}")
        return self

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def _check_fold(self, spec: FieldSpec) -> None:
        folded = self.field(str(spec.fold))
        ids = [f.id for f in self.fields]
        when = folded.when if folded is not None else None
        if (
            folded is None
            or ids.index(folded.id) <= ids.index(spec.id)
            or folded.kind != "select"
            or when is None
            or when.step != spec.id
            or not isinstance(when.equals, str)
            or when.equals not in spec.option_values()
        ):
            raise ValueError(
                f"fältet '{spec.id}': 'fold: {spec.fold}' ska nämna ett senare select-fält med "
                f"'when: {{step: {spec.id}, equals: ...}}' på ett av fältets alternativ"
            )

    def folded_value(self, spec: FieldSpec) -> tuple[FieldSpec, str] | None:
        """The select folded into `spec`, and the option of `spec` it stands in for."""
        folded = self.field(spec.fold) if spec.fold is not None else None
        if folded is None or folded.when is None:
            return None
        return folded, str(folded.when.equals)


class Outcome(_Model):
    id: Slug
    when: Condition | None = None
    status: CaseStatus
    title: Text
    text: str = ""
    seed: list[Text] = []
    stop: bool = False
    # A group step of this section that a later session opens again, keeping its items
    # (e.g. consents, so a missing consent can be added when the case is resumed).
    reopen: Slug | None = None


def _check_combined(section: Section) -> None:
    """Each choice of a combined step answers the step itself and then later steps of the
    section, in their order, with answers that fit them."""
    ids = [s.id for s in section.steps]
    for index, step in enumerate(section.steps):
        if step.combined is None:
            continue
        if step.kind not in ("confirm", "select"):
            raise ValueError(f"steget '{step.id}': 'combined' gäller bara confirm och select")
        for choice in step.combined.choices:
            named = list(choice.answers)
            positions = [ids.index(n) if n in ids else -1 for n in named]
            if named[0] != step.id or positions != sorted(positions) or min(positions) < index:
                raise ValueError(
                    f"steget '{step.id}': varje val i 'combined' ska svara på steget självt "
                    "först och sedan på senare steg i avsnittet, i deras ordning"
                )
            for name, value in choice.answers.items():
                target = section.steps[ids.index(name)]
                fits = (
                    isinstance(value, bool)
                    if target.kind == "confirm"
                    else target.kind == "select" and value in target.option_values()
                )
                if not fits:
                    raise ValueError(
                        f"steget '{step.id}': svaret '{value}' passar inte steget '{name}'"
                    )


class Section(_Model):
    id: Slug
    number: Annotated[int, Field(ge=1)]
    title: Text
    intro: str | None = None
    # "In good time": warn when an invitation goes out fewer days than this before the meeting.
    invitation_days: Annotated[int, Field(ge=0, le=365)] | None = None
    # A natural stop before this section (e.g. the meeting itself): the user may save and
    # continue later. The text is the question asked.
    pause: str | None = None
    # Consent (section 2): with two guardians with custody, must both consent (the county's
    # routine)? And how many days a consent is valid unless the user gives an end date.
    consent_from_each_guardian: bool | None = None
    consent_valid_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    seed: list[Text] = []
    # Guidance in the county's own words, shown with the section (not a quote of the workflow).
    guidance: list[Text] = []
    steps: list[Step] = Field(min_length=1)
    outcomes: list[Outcome] = []

    @model_validator(mode="after")
    def _combined_fit(self) -> Self:
        _check_combined(self)
        return self

    def combined_into(self, step_id: str) -> Step | None:
        """The earlier step whose combined question answers this one, if any."""
        for step in self.steps:
            if step.id == step_id:
                return None
            if step.combined is not None and any(
                step_id in c.answers for c in step.combined.choices
            ):
                return step
        return None


@dataclass(frozen=True)
class Workflow:
    """All checklists of one directory, validated."""

    directory: Path
    sections: tuple[Section, ...]
    organisations: tuple[Organisation, ...]
    areas: tuple[Area, ...]
    areas_note: str = ""
    """Shown with the areas while their names are preliminary (empty when official)."""
    _steps: dict[str, tuple[Section, Step]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for step in section.steps:
                self._steps[step.id] = (section, step)

    def step(self, step_id: str) -> Step:
        return self._steps[step_id][1]

    def section_of(self, step_id: str) -> Section:
        return self._steps[step_id][0]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def organisation(self, org_id: str) -> Organisation | None:
        return next((o for o in self.organisations if o.id == org_id), None)

    def organisations_named(self, text: str) -> list[Organisation]:
        """The organisations `text` may mean, as a user types one: its id, or its id or name in
        any case and with or without diacritics (`Vårdcentral`, `VARDCENTRAL`)."""
        exact = self.organisation(text)
        if exact is not None:
            return [exact]
        wanted = folded(text)
        return [o for o in self.organisations if wanted in (folded(o.id), folded(o.name))]

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def label(self, step_id: str, field_id: str | None, value: str) -> str:
        """The words shown for a stored option value (`mote-form`: `fysiskt` → `Fysiskt möte`)."""
        if not self.has_step(step_id):
            return value
        step = self.step(step_id)
        spec = step.field(field_id) if field_id else step
        return spec.option_label(value) if spec is not None else value

    def area_names(self, ids: list[str]) -> list[str]:
        return [area.name if (area := self.area(i)) else i for i in ids]
