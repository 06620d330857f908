"""The reference data beside the sections: the organisations directory and the wheel's areas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kronobarn_cli.checklists.base import MODEL_CONFIG, Slug, Text
from kronobarn_cli.checklists.vocabulary import OrganisationKind


class _Model(BaseModel):
    model_config = MODEL_CONFIG


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
