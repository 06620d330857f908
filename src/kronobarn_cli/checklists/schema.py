"""The checklist files: their schema, and loading them with every problem as `path:line: msg`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kronobarn_cli.errors import ChecklistError, InputFileError
from kronobarn_cli.support import safe_yaml
from kronobarn_cli.support.text import folded
from kronobarn_cli.support.validation import describe

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, Field(min_length=1)]

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

CaseStatus = Literal[
    "bedomning-pagar",
    "ej-aktiverad",
    "ej-aktiverad-hanvisad",
    "vantar-pa-samtycke",
    "aktiverad",
    "avslutad",
    "overlamnad",
]

# Conditions that cannot be expressed as data because they are rules of law or of the model;
# they live as functions in `rules` and are named here so checklists can refer to them.
RuleName = Literal["samtycke-komplett"]

OrganisationKind = Literal[
    "specialistvard",
    "primarvard",
    "barnhalsovard",
    "elevhalsa",
    "forskola",
    "skola",
    "socialtjanst",
    "polis",
    "frivillig",
    "familjecentral",
    "annan",
    "familj",  # the family or the young person, for actions they own (no consent needed)
]

OTHER_ORGANISATION = "annan"
"""The directory id of "annan verksamhet": the user names it in free text."""
FAMILY = "familjen"
YOUTH_ITSELF = "barnet"
FAMILY_PARTIES = (FAMILY, YOUTH_ITSELF)
"""Directory ids (kind `familj`) for the family and the child/young person: they may own an
action and receive a copy of Barnets plan, and need no consent; they are never invited."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(_Model):
    """When a step is asked or an outcome applies. Exactly one form:

    `{step: ID, equals: VALUE}`, `{step: ID, answered: true}`,
    `{step: ID, has_item: {FIELD: VALUE}}`,
    `{child_age_at_least: N}`, `{rule: NAME}`, `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.
    """

    step: Slug | None = None
    equals: str | bool | None = None
    answered: bool | None = None
    has_item: dict[Slug, str | bool] | None = None
    child_age_at_least: Annotated[int, Field(ge=0, le=25)] | None = None
    rule: RuleName | None = None
    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        given = self.model_fields_set
        step_tests = given & {"equals", "answered", "has_item"}
        others = given & {"child_age_at_least", "rule", "all_", "any_", "not_"}
        if "step" in given:
            if len(step_tests) != 1 or others:
                raise ValueError("'step' ska följas av precis en av equals, answered, has_item")
        elif step_tests:
            raise ValueError(f"'{sorted(step_tests)[0]}' kräver 'step'")
        elif len(others) != 1:
            raise ValueError(
                "ett villkor ska ha precis en form: step, child_age_at_least, rule, all, any, not"
            )
        if self.has_item is not None and not self.has_item:
            raise ValueError("'has_item' får inte vara tomt")
        return self

    def step_references(self) -> Iterator[Condition]:
        """Every `{step: ...}` condition inside this one."""
        if self.step is not None:
            yield self
        for child in (self.all_ or []) + (self.any_ or []) + ([self.not_] if self.not_ else []):
            yield from child.step_references()


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


RecordKind = Literal["consent", "invitee", "action", "copy", "wheel-note"]
ACTION_STATUSES = ("planerad", "pagaende", "klar", "avbruten")

# What the program reads out of a group that `records` a domain object: field id → kind, options.
CONSENT_GIVERS = ("vardnadshavare-1", "vardnadshavare-2", "ungdom")
RECORD_FIELDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "consent": {
        "roll": ("select", CONSENT_GIVERS),
        "namn": ("text", ()),
        "form": ("select", ("skriftlig", "muntlig")),
        "datum": ("date", ()),
        "giltigt-till": ("date", ()),
        "verksamheter": ("organisations", ()),
    },
    "invitee": {
        "verksamhet": ("organisation", ()),
        "person": ("text", ()),
        "satt": ("select", ("link", "blankett")),
        "skickad": ("date", ()),
        "etablerad-kontakt": ("confirm", ()),
        "kontakt-relevant": ("confirm", ()),
    },
    "action": {
        "vad": ("text", ()),
        "ansvarig": ("organisation", ()),
        "person": ("text", ()),
        "senast": ("date", ()),
        "omrade": ("area", ()),
        "status": ("select", ACTION_STATUSES),
    },
    "wheel-note": {
        "omrade": ("area", ()),
        "fungerar": ("text", ()),
        "utmanande": ("text", ()),
    },
    "copy": {
        "verksamhet": ("organisation", ()),
        "satt": ("select", ("utskriven", "hamtar", "post", "mejl")),
        "har-fatt": ("confirm", ()),
    },
}


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


class Contact(_Model):
    email: str = ""
    phone: str = ""
    address: str = ""


class Organisation(_Model):
    id: Slug
    name: Text
    kind: OrganisationKind
    counterparts: list[Slug] = []
    contact: Contact = Contact()


class OrganisationsFile(_Model):
    note: str = ""
    organisations: list[Organisation] = Field(min_length=1)


class Area(_Model):
    id: Slug
    name: Text
    description: Text


class AreasFile(_Model):
    note: str = ""
    # The area names are not yet the county's official ones: the interface says so.
    preliminary: bool = False
    areas: list[Area] = Field(min_length=1)


ORGANISATIONS_FILE = "organisationer.yaml"
AREAS_FILE = "barnets-basta-hjulet.yaml"

# Steps the program itself reads (to record the decision and the consents): id → kind.
REQUIRED_STEPS: dict[str, str] = {
    "uppmarksammat": "text",
    "egen-insats-racker": "confirm",
    "annan-verksamhet-ensam": "confirm",
    "hanvisning-verksamhet": "organisation",
    "hanvisning-vag": "select",
    "hanvisning-samtycke-datum": "date",
    "ej-aktiverad-orsak": "text",
    "ungdom-mogen": "confirm",
    "vardnadshavare-antal": "select",
    "samtycken": "repeat",
    "inbjudare": "text",
    "inbjudare-verksamhet": "organisation",
    "inbjudare-kontakt": "text",
    "omraden": "areas",
    "mote-datum": "date",
    "mote-tid": "time",
    "mote-form": "select",
    "mote-plats": "text",
    "inbjudna": "repeat",
    "kontakt-fore-mote": "confirm",
    "kontakter": "repeat",
    "inget-formote": "confirm",
    "deltagare": "organisations",
    "vardnadshavare-deltog": "checkbox",
    "information-nrp": "confirm",
    "omraden-motet": "areas",
    "barnets-asikter": "text",
    "vardnadshavares-asikter": "text",
    "atgarder": "repeat",
    "kopior": "repeat",
    "samordnare": "organisation",
    "nasta-mote": "date",
    "nasta-tid": "time",
    "nasta-plats": "text",
    "nasta-deltagare": "organisations",
    "ytterligare-parter": "organisations",
}
# Groups the program reads as domain objects, and the rules that must hold for them.
REQUIRED_RECORDS: dict[str, str] = {
    "samtycken": "consent",
    "inbjudna": "invitee",
    "atgarder": "action",
    "kopior": "copy",
}
# Where an organisation must be one of the meeting's participants (and so within the consent).
REQUIRED_PARTICIPANT_SCOPES = (("atgarder", "ansvarig"), ("kopior", "verksamhet"))
# Where specialist care needs an established care contact outside an invitation.
REQUIRED_SPECIALIST_RULE = ("nasta-deltagare", "ytterligare-parter")
GUARDIAN_COUNTS = ("1", "2")
MEETING_SECTION = 3
"""Sections from this number on belong to a meeting and are walked again at each follow-up."""
REFERRAL_ROUTES = ("familjen-kontaktar", "vi-kontaktar")


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


# ---------------------------------------------------------------------------------------------
# Loading with line numbers


LinePath = tuple[str | int, ...]


class _LineMap:
    """Where each key and item of a YAML document starts, so errors can name a line."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.lines: dict[LinePath, int] = {}
        self.duplicates: list[tuple[int, str]] = []
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: LinePath) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key))
                seen.add(key)
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                self._walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, (*path, index))

    def line(self, loc: LinePath) -> int:
        path: LinePath = ()
        for part in loc:
            if (*path, part) in self.lines:
                path = (*path, part)
        return self.lines.get(path, 1)


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        self.items.append(f"{path}:{line}: {message}")


def _read_yaml(path: Path, problems: _Problems) -> tuple[Any, _LineMap] | None:
    try:
        # Duplicate keys are reported below with every other problem of the file.
        document = safe_yaml.read(path, allow_aliases=True, allow_duplicate_keys=True)
    except InputFileError as exc:
        problems.add(path, exc.line or 1, exc.detail)
        return None
    lines = _LineMap(document.root)
    for line, key in lines.duplicates:
        problems.add(path, line, f"nyckeln '{key}' förekommer två gånger")
    return document.data, lines


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], path: Path, problems: _Problems) -> tuple[M, _LineMap] | None:
    read = _read_yaml(path, problems)
    if read is None:
        return None
    data, lines = read
    if data is None:
        problems.add(path, 1, "filen är tom")
        return None
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(path, lines.line(tuple(error["loc"])), describe(error))
        return None


def default_checklists_dir() -> Path:
    """The checklists shipped with the tool (inside the wheel, or beside `src/` in a checkout)."""
    shipped = Path(str(resources.files("kronobarn_cli.checklists"))) / "data"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "checklists"


def checklists_dir(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get("KRONOBARN_CHECKLISTS")
    return Path(env) if env else default_checklists_dir()


def validate_directory(directory: Path) -> list[str]:
    """Every problem in a checklist directory, as `path:line: message`; empty when it is sound."""
    try:
        load_workflow(directory)
    except ChecklistError as exc:
        return exc.problems
    return []


def load_workflow(directory: Path | None = None) -> Workflow:
    directory = checklists_dir(directory)
    problems = _Problems()
    if not directory.is_dir():
        raise ChecklistError([f"{directory}:1: katalogen finns inte"])

    section_files = sorted(directory.glob("[0-9][0-9]-*.yaml"))
    if not section_files:
        problems.add(directory, 1, "inga avsnittsfiler (NN-namn.yaml) i katalogen")
    sections: list[tuple[Section, _LineMap, Path]] = []
    for path in section_files:
        parsed = _parse(Section, path, problems)
        if parsed:
            sections.append((parsed[0], parsed[1], path))
    # Checks across sections only make sense when every section file could be read.
    all_sections_read = len(sections) == len(section_files)

    organisations: tuple[Organisation, ...] = ()
    orgs = _parse(OrganisationsFile, directory / ORGANISATIONS_FILE, problems)
    if orgs:
        organisations = tuple(orgs[0].organisations)
        _check_organisations(orgs[0], orgs[1], directory / ORGANISATIONS_FILE, problems)
    areas: tuple[Area, ...] = ()
    areas_note = ""
    area_file = _parse(AreasFile, directory / AREAS_FILE, problems)
    if area_file:
        areas = tuple(area_file[0].areas)
        if area_file[0].preliminary:
            areas_note = area_file[0].note or "Preliminära områden."
        where = directory / AREAS_FILE
        _check_unique(
            [(a.id, where, area_file[1].line(("areas", i))) for i, a in enumerate(areas)],
            problems,
            "området",
        )

    if all_sections_read:
        _check_sections(sections, problems)
    if problems.items:
        raise ChecklistError(problems.items)
    return Workflow(directory, tuple(s for s, _, _ in sections), organisations, areas, areas_note)


def _check_unique(ids: list[tuple[str, Path, int]], problems: _Problems, what: str) -> set[str]:
    """The ids; each one that came before is a problem at its file and line."""
    seen: set[str] = set()
    for item_id, path, line in ids:
        if item_id in seen:
            problems.add(path, line, f"{what} '{item_id}' finns redan (id måste vara unika)")
        seen.add(item_id)
    return seen


def _check_organisations(
    file: OrganisationsFile, lines: _LineMap, path: Path, p: _Problems
) -> None:
    ids = _check_unique(
        [(o.id, path, lines.line(("organisations", i))) for i, o in enumerate(file.organisations)],
        p,
        "verksamheten",
    )
    if OTHER_ORGANISATION not in ids:
        p.add(path, 1, f"verksamheten '{OTHER_ORGANISATION}' (annan verksamhet) saknas")
    kinds = {o.id: o.kind for o in file.organisations}
    for party in FAMILY_PARTIES:
        if kinds.get(party) != "familj":
            p.add(path, 1, f"'{party}' (kind: familj) saknas; den kan äga en insats")
    for i, org in enumerate(file.organisations):
        for j, counterpart in enumerate(org.counterparts):
            if counterpart not in ids:
                line = lines.line(("organisations", i, "counterparts", j))
                p.add(path, line, f"motsvarigheten '{counterpart}' finns inte i katalogen")
        if org.kind == "specialistvard" and not org.counterparts:
            line = lines.line(("organisations", i))
            p.add(path, line, f"specialistvården '{org.id}' behöver en motsvarighet i primärvården")


def _check_sections(sections: list[tuple[Section, _LineMap, Path]], p: _Problems) -> None:
    numbers = [s.number for s, _, _ in sections]
    for section, lines, path in sections:
        if numbers.count(section.number) > 1:
            p.add(
                path, lines.line(("number",)), f"avsnitt nummer {section.number} finns två gånger"
            )
    ids = [(section.id, path, lines.line(("id",))) for section, lines, path in sections]
    _check_unique(ids, p, "avsnittet")

    # Step order across all sections: a condition may only look at what was asked before it.
    steps: dict[str, Step] = {}
    for section, lines, path in sections:
        for i, step in enumerate(section.steps):
            where = lines.line(("steps", i, "id"))
            if step.id in steps:
                p.add(path, where, f"steget '{step.id}' finns redan (id måste vara unika)")
                continue
            if step.when is not None:
                _check_condition(step.when, steps, p, path, lines, ("steps", i, "when"))
            if step.after is not None and (
                step.after not in steps or steps[step.after].kind != "date"
            ):
                p.add(
                    path,
                    lines.line(("steps", i, "after")),
                    f"'after' ska nämna ett tidigare datumsteg, inte '{step.after}'",
                )
            steps[step.id] = step
        seen_fallback = False
        outcome_ids: set[str] = set()
        for i, outcome in enumerate(section.outcomes):
            where = lines.line(("outcomes", i))
            if outcome.id in outcome_ids:
                p.add(path, where, f"utfallet '{outcome.id}' finns redan (id måste vara unika)")
            outcome_ids.add(outcome.id)
            if seen_fallback:
                p.add(
                    path,
                    where,
                    f"utfallet '{outcome.id}' kan aldrig nås: ett tidigare saknar 'when'",
                )
            if outcome.reopen is not None:
                target = steps.get(outcome.reopen)
                if (
                    target is None
                    or target.kind != "repeat"
                    or outcome.reopen not in {st.id for st in section.steps}
                ):
                    p.add(
                        path,
                        lines.line(("outcomes", i, "reopen")),
                        f"'reopen' ska nämna en upprepad grupp i avsnittet: '{outcome.reopen}'",
                    )
            if outcome.when is None:
                seen_fallback = True
            else:
                loc = ("outcomes", i, "when")
                _check_condition(outcome.when, steps, p, path, lines, loc)

    if sections:
        last_path = sections[0][2]
        for step_id, kind in REQUIRED_STEPS.items():
            required = steps.get(step_id)
            if required is None or required.kind != kind:
                p.add(
                    last_path.parent,
                    1,
                    f"steget '{step_id}' ({kind}) saknas; kronobarn behöver det",
                )
        routes = steps.get("hanvisning-vag")
        if routes is not None and set(routes.option_values()) != set(REFERRAL_ROUTES):
            p.add(
                last_path.parent,
                1,
                "steget 'hanvisning-vag' ska ha alternativen " + ", ".join(REFERRAL_ROUTES),
            )
        for step_id, record in REQUIRED_RECORDS.items():
            group = steps.get(step_id)
            if group is not None and group.records != record:
                p.add(last_path.parent, 1, f"steget '{step_id}' ska ha 'records: {record}'")
        _check_consent_rules(sections, steps, last_path.parent, p)
        _check_references(sections, steps, p)


def _check_consent_rules(
    sections: list[tuple[Section, _LineMap, Path]],
    steps: dict[str, Step],
    directory: Path,
    p: _Problems,
) -> None:
    """Consent scope is a rule of law: a county's checklist cannot switch it off. Every
    organisation named in a meeting's sections is checked against it."""
    for step_id, spec, path, line in _organisation_fields(sections):
        named = step_id if spec.id == step_id else f"{step_id}.{spec.id}"
        wanted = "participants" if (step_id, spec.id) in REQUIRED_PARTICIPANT_SCOPES else None
        if spec.within is None or (wanted is not None and spec.within != wanted):
            p.add(
                path,
                line,
                f"'{named}' ska ha 'within: {wanted or 'consent'}' (samtyckets omfattning)",
            )
    for step_id in REQUIRED_SPECIALIST_RULE:
        owner = steps.get(step_id)
        if owner is not None and not owner.specialist_rule:
            p.add(directory, 1, f"'{step_id}' ska ha 'specialist_rule: true'")
    guardians = steps.get("vardnadshavare-antal")
    if guardians is not None and set(guardians.option_values()) != set(GUARDIAN_COUNTS):
        p.add(
            directory,
            1,
            "steget 'vardnadshavare-antal' ska ha alternativen " + ", ".join(GUARDIAN_COUNTS),
        )


def _check_references(
    sections: list[tuple[Section, _LineMap, Path]], steps: dict[str, Step], p: _Problems
) -> None:
    """A step a question names (a time given with a date, notes asked on request, an area
    list to take items or a single answer from) must exist and be of the right kind: a typo
    in a county's checklist would otherwise switch the behaviour off without a word."""
    wanted = {
        "with_time": ("time",),
        "with_place": ("text",),
        "opt_in": ("repeat",),
        "areas_from": ("areas",),
        "single_from": ("areas",),
    }
    for section, lines, path in sections:
        for i, step in enumerate(section.steps):
            for spec in [step, *step.fields]:
                for key, kinds in wanted.items():
                    target = getattr(spec, key, None)
                    if target is not None and (
                        target not in steps or steps[target].kind not in kinds
                    ):
                        p.add(
                            path,
                            lines.line(("steps", i)),
                            f"'{key}: {target}' ska nämna ett steg av typen {kinds[0]}",
                        )


def _organisation_fields(
    sections: list[tuple[Section, _LineMap, Path]],
) -> Iterator[tuple[str, FieldSpec, Path, int]]:
    """Every question in a meeting's sections that names organisations: step id, the question,
    and where it is written."""
    for section, lines, path in sections:
        if section.number < MEETING_SECTION:
            continue
        for i, step in enumerate(section.steps):
            if step.kind in ("organisation", "organisations"):
                yield step.id, step, path, lines.line(("steps", i, "id"))
            for j, spec in enumerate(step.fields):
                if spec.kind in ("organisation", "organisations"):
                    yield step.id, spec, path, lines.line(("steps", i, "fields", j, "id"))


def _check_condition(  # noqa: PLR0917 - one private call site
    condition: Condition,
    steps: dict[str, Step],
    p: _Problems,
    path: Path,
    lines: _LineMap,
    loc: LinePath,
) -> None:
    line = lines.line(loc)
    for ref in condition.step_references():
        assert ref.step is not None
        target = steps.get(ref.step)
        if target is None:
            p.add(
                path,
                line,
                f"villkoret nämner steget '{ref.step}', som inte finns före detta steg"
                " (okänt steg eller ett senare steg: villkoret kan aldrig uppfyllas)",
            )
            continue
        if ref.equals is not None and not _can_equal(target, ref.equals):
            p.add(
                path,
                line,
                f"villkoret kan aldrig uppfyllas: steget '{ref.step}' kan inte ha "
                f"värdet {ref.equals!r}",
            )
        if ref.has_item is not None:
            if target.kind != "repeat":
                p.add(path, line, f"'has_item' kräver en upprepad grupp; '{ref.step}' är inte det")
                continue
            for field_id, value in ref.has_item.items():
                spec = target.field(field_id)
                if spec is None:
                    p.add(path, line, f"steget '{ref.step}' har inget fält '{field_id}'")
                elif not _can_equal(spec, value):
                    p.add(
                        path,
                        line,
                        f"villkoret kan aldrig uppfyllas: fältet '{field_id}' kan "
                        f"inte ha värdet {value!r}",
                    )


def _can_equal(spec: FieldSpec, value: str | bool) -> bool:
    if spec.kind in ("confirm", "info"):
        return isinstance(value, bool)
    if spec.kind == "select":
        return value in spec.option_values()
    return isinstance(value, str)
