"""What a case and its meetings share: an organisation as recorded, givers' roles, clean text."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from kronobarn_cli.checklists.vocabulary import OTHER_ORGANISATION
from kronobarn_cli.support.text import has_control_characters

# Each model module of the case bases its models on its own `_Model(BaseModel)` with this
# configuration, so that ruff sees pydantic models there (their list defaults are copied).
MODEL_CONFIG = ConfigDict(extra="forbid", validate_assignment=True)


def plain_text(value: str) -> str:
    value = value.strip()
    if has_control_characters(value, allow_newline=True):
        raise ValueError("innehåller otillåtna kontrolltecken")
    return value


class _Model(BaseModel):
    model_config = MODEL_CONFIG


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


GiverRole = Literal["vardnadshavare-1", "vardnadshavare-2", "ungdom"]
GuardianRole = Literal["vardnadshavare-1", "vardnadshavare-2"]
