"""The case file: one child's collaboration, as stored on disk (pydantic, JSON)."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kronobarn_cli.checklist import CaseStatus
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
        return self

    def log(self, text: str, now: datetime) -> None:
        self.journal.append(JournalEntry(at=now, text=text))
        self.updated = now
