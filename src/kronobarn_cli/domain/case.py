"""The case file: one child's collaboration, as stored on disk (pydantic, JSON)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kronobarn_cli.checklists.vocabulary import FAMILY_PARTIES, OTHER_ORGANISATION, CaseStatus
from kronobarn_cli.support.ids import ID_PATTERN, USER_MAX_LENGTH
from kronobarn_cli.support.text import has_control_characters, swedish_when

SCHEMA_VERSION: Literal[4] = 4
"""1: the first release. 2: each giver's own consent (guardian 1/2, the young person), the
scope as their intersection, withdrawals, end dates, and the organisation that opened the case.
3: handovers to the organisation that coordinates next, and the status `overlamnad`.
4: copies of Barnets plan sent or received after the meeting (`Meeting.copy_records`, one per
guardian where they live apart), and closures a `reopen` undid (`Case.earlier_closures`)."""

CaseId = Annotated[str, Field(pattern=ID_PATTERN)]

STATUS_LABELS: dict[str, str] = {
    "bedomning-pagar": "bedömning pågår",
    "ej-aktiverad": "ej aktiverad",
    "ej-aktiverad-hanvisad": "ej aktiverad, hänvisad",
    "vantar-pa-samtycke": "väntar på samtycke",
    "aktiverad": "aktiverad",
    "avslutad": "avslutad",
    "overlamnad": "överlämnad",
}

OLDEST_CHILD = 25
"""Kronobarnsmodellen is about children and young people; older birth years are typing errors."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _plain_text(value: str) -> str:
    value = value.strip()
    if has_control_characters(value, allow_newline=True):
        raise ValueError("innehåller otillåtna kontrolltecken")
    return value


class Child(_Model):
    """The minimum the workflow needs: what to call the child, and roughly how old it is."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    # Only a sanity range here: a file must stay valid as years pass. Input is checked against
    # today's date by `session.parse_child`.
    birth_year: Annotated[int, Field(ge=1900, le=2200)] | None = None

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = _plain_text(value)
            if not value:
                raise ValueError("barnets namn eller initialer får inte vara tomt")
            if "\n" in value:
                raise ValueError("barnets namn får inte innehålla radbrytningar")
        return value

    def max_age(self, today: date) -> int | None:
        return None if self.birth_year is None else today.year - self.birth_year


class OrganisationRef(_Model):
    """An organisation as recorded: its directory id (or "annan") and the name shown."""

    id: str
    name: Annotated[str, Field(min_length=1, max_length=200)]

    def key(self) -> tuple[str, str]:
        """Identity for comparisons: the directory id, or the name for "annan verksamhet"
        (however its letters were composed, cased or spaced)."""
        if self.id != OTHER_ORGANISATION:
            return (self.id, "")
        return (self.id, " ".join(unicodedata.normalize("NFC", self.name).casefold().split()))


class Referral(_Model):
    """Section 1, another organisation helps on its own: how the family gets there."""

    organisation: OrganisationRef
    route: Literal["familjen-kontaktar", "vi-kontaktar"]
    consent_date: date | None = None

    @model_validator(mode="after")
    def _oral_consent_dated(self) -> Self:
        if self.route == "vi-kontaktar" and self.consent_date is None:
            raise ValueError("muntligt samtycke att kontakta verksamheten behöver ett datum")
        return self


class Decision(_Model):
    """Section 1: what was noticed and what was decided."""

    outcome: str
    noticed: str
    referral: Referral | None = None
    reason: str | None = None


GiverRole = Literal["vardnadshavare-1", "vardnadshavare-2", "ungdom"]


class Consent(_Model):
    """One person's consent: who gave it, how, when, until when, and which organisations."""

    giver: GiverRole
    giver_name: Annotated[str, Field(max_length=100)] | None = None
    """Name or initials, when the user wants more than the role (minimum data)."""
    form: Literal["skriftlig", "muntlig"]
    given_on: date
    valid_until: date | None = None
    organisations: list[OrganisationRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _ends_after_it_begins(self) -> Self:
        if self.valid_until is not None and self.valid_until < self.given_on:
            raise ValueError("samtycket kan inte gälla till ett datum före det lämnades")
        return self


class ConsentWithdrawal(_Model):
    """A giver withdrew their consent, whole or for some organisations, from a date on."""

    giver: GiverRole
    on: date
    organisations: list[OrganisationRef] = []
    """Empty: the whole consent."""
    consents_before: Annotated[int, Field(ge=0)]
    """How many consents were recorded when this was; a consent given the same day counts
    as withdrawn only if it was recorded before the withdrawal."""
    recorded: datetime

    def ends(self, index: int, consent: Consent) -> bool:
        """Does this withdrawal end (part of) the consent recorded at `index`?"""
        if self.giver != consent.giver or consent.given_on > self.on:
            return False
        return consent.given_on < self.on or index < self.consents_before


class Inviter(_Model):
    """The member of staff who invites to the meeting, as the invitation letter names them."""

    name: str
    organisation: OrganisationRef
    contact: str


class Invitee(_Model):
    organisation: OrganisationRef
    person: str | None = None
    method: Literal["link", "blankett", "mejl", "telefon", "post"]
    """Link, or the letter (`blankett`); `mejl`, `telefon`, `post` only in version-1 files."""
    letter_by: Literal["mejl", "post", "lamnas"] | None = None
    """How the letter is sent."""
    sent_on: date
    established_contact: bool | None = None
    """For specialist care: the child has an established, relevant care contact there."""


class PreMeetingContact(_Model):
    organisation: OrganisationRef
    purpose: Literal["medverkan", "information"]
    on: date


class View(_Model):
    """A view asked for explicitly: `expressed=False` is a deliberate answer, not a blank."""

    expressed: bool
    text: str | None = None


ActionStatus = Literal["planerad", "pagaende", "klar", "avbruten"]
Evaluation = Literal["har-hjalpt", "delvis", "inte-hjalpt", "for-tidigt"]


class PlanAction(_Model):
    what: str
    goal: str | None = None
    """What the action is meant to achieve."""
    organisation: OrganisationRef
    """Responsible: an organisation that took part, or the family or young person."""
    person: str | None = None
    due: date
    area: str
    status: ActionStatus
    evaluation: Evaluation | None = None
    """At a follow-up: how it has gone since the last meeting."""
    evaluation_comment: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("planerad", "pagaende")


class WheelNote(_Model):
    """Barnets bästa-hjulet as information gathering: one area, what works, what is hard."""

    area: str
    works: str | None = None
    challenges: str | None = None
    stage: Literal["infor", "motet"]
    """Noted when initiating (section 3) or at the meeting (section 5)."""


class Interpreter(_Model):
    language: str
    booked_by: OrganisationRef | None = None


ChildParticipation = Literal["narvarande", "hord-fore", "genom-annan", "inte"]


GuardianRole = Literal["vardnadshavare-1", "vardnadshavare-2"]


class PlanCopy(_Model):
    """How one party gets Barnets plan: agreed at the meeting (the answers), with what was
    recorded afterwards (`Meeting.copy_records`) applied."""

    organisation: OrganisationRef
    method: Literal["utskriven", "hamtar", "post", "mejl"]
    received: bool
    guardian: GuardianRole | None = None
    """The family's copy for one guardian, where the guardians live apart."""
    sent_on: date | None = None
    received_on: date | None = None

    @property
    def handled(self) -> bool:
        """Received, or sent after the meeting: nothing left for the coordinator to do."""
        return self.received or self.sent_on is not None


class CopyRecord(_Model):
    """A copy of Barnets plan sent or received after the meeting (`plan ID copy`). Kept apart
    from the answers, so deriving the meeting from its answers again never loses it."""

    organisation: OrganisationRef
    guardian: GuardianRole | None = None
    event: Literal["skickad", "mottagen"]
    on: date
    recorded: datetime


class Meeting(_Model):
    """One collaboration meeting: sections 3–7 of the workflow, walked again at each follow-up.

    `answers` are the raw answers the walk resumes from; the other fields are derived from them
    after every answer, for `show`, exports and scripts.
    """

    number: Annotated[int, Field(ge=1)]
    started: datetime
    answers: dict[str, dict[str, Any]] = {}
    finished: bool = False
    inviter: Inviter | None = None
    areas: list[str] = []
    held_on: date | None = None
    starts_at: str | None = None
    form: Literal["fysiskt", "digitalt"] | None = None
    interpreter: Interpreter | None = None
    place: str | None = None
    wheel_notes: list[WheelNote] = []
    invitees: list[Invitee] = []
    pre_contacts: list[PreMeetingContact] = []
    no_support_agreed_beforehand: bool | None = None
    attendees: list[OrganisationRef] = []
    guardians_present: list[GiverRole] | None = None
    """Which guardians took part, where two have custody (None: not asked)."""
    information_agreed: bool | None = None
    information_instead: str | None = None
    """What the meeting agreed on shared information, when not the workflow's words."""
    areas_discussed: list[str] = []
    child_participation: ChildParticipation | None = None
    child_participation_note: str | None = None
    """By whom the child was heard, through whom, or why not."""
    child_view: View | None = None
    """The child's own words, kept verbatim."""
    guardian_view: View | None = None
    actions: list[PlanAction] = []
    copies: list[PlanCopy] = []
    copy_records: list[CopyRecord] = []
    """What was recorded about the copies after the meeting, oldest first (not derived)."""
    coordinator: OrganisationRef | None = None
    next_meeting: date | None = None
    next_starts_at: str | None = None
    next_place: str | None = None
    """The next meeting's time and room or link, when the date answer carried them."""
    next_participants: list[OrganisationRef] = []
    further_parties: list[OrganisationRef] = []

    @property
    def next_meeting_text(self) -> str | None:
        """When and where the meeting after this one is, as agreed (None without a date)."""
        if self.next_meeting is None:
            return None
        return swedish_when(self.next_meeting, self.next_starts_at, self.next_place)

    @model_validator(mode="after")
    def _responsible_took_part(self) -> Self:
        present = {o.key() for o in self.attendees}
        for action in self.actions:
            if (
                action.organisation.id not in FAMILY_PARTIES
                and action.organisation.key() not in present
            ):
                raise ValueError(
                    f"insatsen '{action.what}' har en ansvarig verksamhet som inte deltog"
                )
        return self


class Closure(_Model):
    on: date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class EarlierClosure(Closure):
    """A closure that `reopen` undid: kept, with the day the case was opened again."""

    reopened_on: date


class Actor(_Model):
    """Who changes a case, and through which command: what every journal entry records."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user: Annotated[str, Field(min_length=1, max_length=USER_MAX_LENGTH)]
    command: Annotated[str, Field(min_length=1, max_length=100)]
    """E.g. `new-case`, `resume`, `plan add`, `consent withdraw`, `close`, `edit`."""

    @field_validator("user", mode="before")
    @classmethod
    def _user(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if has_control_characters(value):
                raise ValueError("innehåller otillåtna kontrolltecken")
        return value


class Handover(_Model):
    """The coordination moved to another organisation, and the case with it (section 7)."""

    on: datetime
    to: OrganisationRef
    person: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    """Who at the receiving organisation takes the case over, when named."""
    by: OrganisationRef | None = None
    """The organisation that handed the case over."""
    by_user: Annotated[str, Field(min_length=1, max_length=USER_MAX_LENGTH)] | None = None
    """The user account that handed it over."""
    after_meeting: Annotated[int, Field(ge=0)] = 0
    """How many meetings the case had: a later meeting's coordinator takes over from `to`."""

    @field_validator("person", "by_user", mode="before")
    @classmethod
    def _one_line(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = _plain_text(value)
            if "\n" in value:
                raise ValueError("får inte innehålla radbrytningar")
        return value

    def words(self) -> str:
        """`till Socialtjänst (Kim Berg) av Skola`."""
        words = f"till {self.to.name}"
        if self.person:
            words += f" ({self.person})"
        if self.by is not None:
            words += f" av {self.by.name}"
        if self.by_user:
            words += f" (användare {self.by_user})"
        return words


class JournalEntry(_Model):
    """One change of a case: when, who, through which command, and which fields or steps.

    `text` says what happened in the tool's own words (a step's question, an action's number,
    a status); never what a user typed: no names, reasons, action texts or organisation names.
    """

    at: datetime
    text: str
    user: str | None = None
    """None in entries recorded before the journal named users and commands."""
    command: str | None = None
    fields: list[str] = []
    """The case fields or checklist steps the change touched (ids, not values)."""


class Case(_Model):
    schema_version: Literal[4] = SCHEMA_VERSION
    id: CaseId
    created: datetime
    updated: datetime
    child: Child
    own_organisation: OrganisationRef | None = None
    """The organisation that opened the case: it already holds the information, so it is
    always within the consent's scope."""
    status: CaseStatus = "bedomning-pagar"
    decision: Decision | None = None
    youth_mature: bool | None = None
    guardians: Literal[1, 2] | None = None
    """How many guardians have custody (each is a required consent giver)."""
    consent_from_each_guardian: bool = True
    """The county's routine when the consent was recorded: with two guardians, both consent
    (False: either one's consent suffices)."""
    consents: list[Consent] = []
    withdrawals: list[ConsentWithdrawal] = []
    answers: dict[str, dict[str, Any]] = {}
    """Raw answers per section id, in the order given; the walk resumes from them."""
    pending: dict[str, Any] = {}
    """A repeated group being filled in: `{"step": id, "items": [...], "current": {...}}`."""
    meetings: list[Meeting] = []
    closed: Closure | None = None
    earlier_closures: list[EarlierClosure] = []
    """Closures undone by `reopen`, oldest first: the reasons typed stay."""
    handovers: list[Handover] = []
    """Every time the case was handed over to another organisation, oldest first."""
    journal: list[JournalEntry] = []

    @model_validator(mode="after")
    def _activation_needs_consent(self) -> Self:
        # The rule that matters most is enforced by the model itself, so neither a checklist
        # nor an edited file can produce an activated case without a guardian's consent (and
        # the young person's when mature) that has not been withdrawn as a whole. Who else
        # must consent, and what the consent covers on a given day, is `consent.ConsentScope`.
        if self.status == "aktiverad":
            standing = {
                c.giver
                for index, c in enumerate(self.consents)
                if not any(not w.organisations and w.ends(index, c) for w in self.withdrawals)
            }
            if not standing & {"vardnadshavare-1", "vardnadshavare-2"}:
                raise ValueError("ett aktiverat ärende kräver samtycke från vårdnadshavare")
            if self.youth_mature and "ungdom" not in standing:
                raise ValueError("ett aktiverat ärende kräver ungdomens eget samtycke")
        if (self.status == "avslutad") != (self.closed is not None):
            raise ValueError("status 'avslutad' och 'closed' ska följas åt")
        if self.status == "overlamnad" and not self.handovers:
            raise ValueError("ett överlämnat ärende kräver en överlämning i 'handovers'")
        return self

    @property
    def holder(self) -> OrganisationRef | None:
        """The organisation that holds the case here: the one it was last handed over to, else
        the one that opened it. It invites and takes part by default."""
        return self.handovers[-1].to if self.handovers else self.own_organisation

    @property
    def own_here(self) -> OrganisationRef | None:
        """The organisation whose copy this is: the one that handed it over (on the sender's
        copy), else the one that holds it (the receiver, after an import)."""
        handed = self.handed_over
        if handed is not None:
            return handed.by or self.own_organisation
        return self.holder

    @property
    def handed_over(self) -> Handover | None:
        """The handover that made this copy read-only (the sender's copy), else None."""
        return self.handovers[-1] if self.status == "overlamnad" else None

    @property
    def current_meeting(self) -> Meeting | None:
        return self.meetings[-1] if self.meetings else None

    def log(self, text: str, now: datetime, actor: Actor, fields: Sequence[str] = ()) -> None:
        """Add a journal entry. `text` must hold no user-typed text (see `JournalEntry`)."""
        entry = JournalEntry(
            at=now, text=text, user=actor.user, command=actor.command, fields=list(fields)
        )
        self.journal.append(entry)
        self.updated = now


# -- Older case files ---------------------------------------------------------------------------


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """A case file of an earlier schema version, brought to the current one (not validated)."""
    version = data.get("schema_version", 1)
    if version == 1:
        data = _from_version_1(data)
        version = 2
    if version == 2:
        # Version 3 added handovers (none yet) and a status; nothing recorded changes.
        data = {**data, "schema_version": 3}
        version = 3
    if version == 3:
        # Version 4 added the next meeting's time and place, which of two guardians took part,
        # copy records and earlier closures (none recorded before); nothing changes.
        data = {**data, "schema_version": 4}
    return data


_OLD_GUARDIAN = "vardnadshavare"


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew one guardian's consent and took the union of all consents.

    The old consents become the guardian's (guardian 1) and the young person's own; one guardian
    with custody is what version 1 required. The organisation that opened the case is the one
    that invited to the first meeting, where that was recorded. Nothing recorded is dropped:
    what now lies outside the scope is flagged by `show` and `remind`, not rewritten.
    """
    data = dict(data)
    data["schema_version"] = 2
    # A hand-edited or hostile file may hold anything here; validation reports it afterwards.
    consents = data.get("consents")
    for consent in consents if isinstance(consents, list) else []:
        if isinstance(consent, dict) and consent.get("giver") == _OLD_GUARDIAN:
            consent["giver"] = "vardnadshavare-1"
    answers = data.get("answers")
    section = answers.get("samtycke") if isinstance(answers, dict) else None
    if isinstance(section, dict):
        _rename_givers(section.get("samtycken"))
        if "samtycken" in section and "vardnadshavare-antal" not in section:
            # Asked before the consents from version 2 on; keep the answer order.
            items = section.pop("samtycken")
            section["vardnadshavare-antal"] = "1"
            section["samtycken"] = items
    pending = data.get("pending")
    if isinstance(pending, dict) and pending.get("step") == "samtycken":
        _rename_givers(pending.get("items"))
        _rename_givers([pending.get("current")])
        if isinstance(answers, dict):
            answers.setdefault("samtycke", {}).setdefault("vardnadshavare-antal", "1")
    if data.get("consents"):
        data["guardians"] = 1
    meetings = data.get("meetings")
    meetings = meetings if isinstance(meetings, list) else []
    for meeting in meetings:
        if isinstance(meeting, dict):
            meeting.pop("consent_to_extend", None)
            _letter_routes(meeting.get("answers"))
    if isinstance(pending, dict) and pending.get("step") == "inbjudna":
        _letter_route_items(pending.get("items"))
        _letter_route_items([pending.get("current")])
    first = meetings[0] if meetings and isinstance(meetings[0], dict) else {}
    inviter = first.get("inviter")
    if isinstance(inviter, dict) and "own_organisation" not in data:
        data["own_organisation"] = inviter.get("organisation")
    return data


_LETTER_ROUTES = {"mejl": "mejl", "post": "post", "telefon": None}


def _letter_routes(answers: Any) -> None:
    """Version 1 offered e-mail, phone and post beside the letter; they are ways to send it."""
    section = answers.get("initiera-och-bjuda-in") if isinstance(answers, dict) else None
    if isinstance(section, dict):
        _letter_route_items(section.get("inbjudna"))


def _letter_route_items(items: Any) -> None:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("satt") in _LETTER_ROUTES:
            route = _LETTER_ROUTES[item["satt"]]
            item["satt"] = "blankett"
            if route is not None:
                item["brev"] = route


def _rename_givers(items: Any) -> None:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("roll") == _OLD_GUARDIAN:
            item["roll"] = "vardnadshavare-1"
