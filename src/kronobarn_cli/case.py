"""The case file: one child's collaboration, as stored on disk (pydantic, JSON)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kronobarn_cli.checklist import OTHER_ORGANISATION, CaseStatus
from kronobarn_cli.text import has_control_characters

SCHEMA_VERSION: Literal[1] = 1

# No letters or digits that are easily mixed up when read aloud or typed (0/o, 1/l/i).
ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
ID_LENGTH = 6
ID_PATTERN = rf"^[{ID_ALPHABET}]{{{ID_LENGTH}}}$"

CaseId = Annotated[str, Field(pattern=ID_PATTERN)]

STATUS_LABELS: dict[str, str] = {
    "bedomning-pagar": "bedömning pågår",
    "ej-aktiverad": "ej aktiverad",
    "ej-aktiverad-hanvisad": "ej aktiverad, hänvisad",
    "vantar-pa-samtycke": "väntar på samtycke",
    "aktiverad": "aktiverad",
    "avslutad": "avslutad",
}

OLDEST_CHILD = 25
"""Kronobarnsmodellen is about children and young people; older birth years are typing errors."""


def new_case_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


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
        """Identity for comparisons: the directory id, or the name for "annan verksamhet"."""
        return (self.id, self.name.casefold() if self.id == OTHER_ORGANISATION else "")


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
    """One person's consent: who gave it, how, when, and which organisations it covers."""

    giver: Literal["vardnadshavare", "ungdom"]
    form: Literal["skriftlig", "muntlig"]
    given_on: date
    organisations: list[OrganisationRef] = Field(min_length=1)


class Inviter(_Model):
    """The member of staff who invites to the meeting, as the invitation letter names them."""

    name: str
    organisation: OrganisationRef
    contact: str


class Invitee(_Model):
    organisation: OrganisationRef
    person: str | None = None
    method: Literal["link", "blankett", "mejl", "telefon", "post"]
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


class PlanAction(_Model):
    what: str
    organisation: OrganisationRef
    person: str | None = None
    due: date
    area: str
    status: ActionStatus

    @property
    def is_open(self) -> bool:
        return self.status in ("planerad", "pagaende")


class PlanCopy(_Model):
    organisation: OrganisationRef
    method: Literal["utskriven", "hamtar", "post", "mejl"]
    received: bool


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
    place: str | None = None
    invitees: list[Invitee] = []
    pre_contacts: list[PreMeetingContact] = []
    no_support_agreed_beforehand: bool | None = None
    attendees: list[OrganisationRef] = []
    information_agreed: bool | None = None
    areas_discussed: list[str] = []
    child_view: View | None = None
    guardian_view: View | None = None
    actions: list[PlanAction] = []
    copies: list[PlanCopy] = []
    coordinator: OrganisationRef | None = None
    next_meeting: date | None = None
    next_participants: list[OrganisationRef] = []
    further_parties: list[OrganisationRef] = []
    consent_to_extend: list[OrganisationRef] = []
    """Organisations named for the next meeting that the consent does not cover yet."""

    @model_validator(mode="after")
    def _responsible_took_part(self) -> Self:
        present = {o.key() for o in self.attendees}
        for action in self.actions:
            if action.organisation.key() not in present:
                raise ValueError(
                    f"insatsen '{action.what}' har en ansvarig verksamhet som inte deltog"
                )
        return self


class Closure(_Model):
    on: date
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class JournalEntry(_Model):
    at: datetime
    text: str


class Case(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    id: CaseId
    created: datetime
    updated: datetime
    child: Child
    status: CaseStatus = "bedomning-pagar"
    decision: Decision | None = None
    youth_mature: bool | None = None
    consents: list[Consent] = []
    answers: dict[str, dict[str, Any]] = {}
    """Raw answers per section id, in the order given; the walk resumes from them."""
    pending: dict[str, Any] = {}
    """A repeated group being filled in: `{"step": id, "items": [...], "current": {...}}`."""
    meetings: list[Meeting] = []
    closed: Closure | None = None
    journal: list[JournalEntry] = []

    @model_validator(mode="after")
    def _activation_needs_consent(self) -> Self:
        # The rule that matters most is enforced by the model itself, so neither a checklist
        # nor an edited file can produce an activated case without a guardian's consent.
        if self.status == "aktiverad":
            givers = {c.giver for c in self.consents}
            if "vardnadshavare" not in givers:
                raise ValueError("ett aktiverat ärende kräver samtycke från vårdnadshavare")
            if self.youth_mature and "ungdom" not in givers:
                raise ValueError("ett aktiverat ärende kräver ungdomens eget samtycke")
        covered = {o.key() for c in self.consents for o in c.organisations}
        for meeting in self.meetings:
            for invitee in meeting.invitees:
                if invitee.organisation.key() not in covered:
                    raise ValueError(
                        f"{invitee.organisation.name} är inbjuden utan att samtycket omfattar den"
                    )
        if (self.status == "avslutad") != (self.closed is not None):
            raise ValueError("status 'avslutad' och 'closed' ska följas åt")
        return self

    @property
    def current_meeting(self) -> Meeting | None:
        return self.meetings[-1] if self.meetings else None

    def log(self, text: str, now: datetime) -> None:
        self.journal.append(JournalEntry(at=now, text=text))
        self.updated = now
