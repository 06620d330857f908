"""The case file: one child's collaboration, as stored on disk (pydantic, JSON).

A meeting's records are `domain.meeting`; older files are brought up to date by
`domain.migrations.migrate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kronobarn_cli.checklists.vocabulary import CaseStatus
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.domain.parts import MODEL_CONFIG, GiverRole, OrganisationRef, plain_text
from kronobarn_cli.support.ids import ID_PATTERN, USER_MAX_LENGTH
from kronobarn_cli.support.text import has_control_characters

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
    model_config = MODEL_CONFIG


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
            value = plain_text(value)
            if not value:
                raise ValueError("barnets namn eller initialer får inte vara tomt")
            if "\n" in value:
                raise ValueError("barnets namn får inte innehålla radbrytningar")
        return value

    def max_age(self, today: date) -> int | None:
        return None if self.birth_year is None else today.year - self.birth_year


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
            value = plain_text(value)
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
