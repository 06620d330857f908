"""The schema of `config.yaml` (pydantic), apart from `remind_query`: `remind` over an index
that is up to date starts without pydantic when there is no such file."""

from pydantic import BaseModel, ConfigDict, Field


class SettingsFile(BaseModel):
    """`config.yaml` in the kronobarn home directory (all keys optional)."""

    model_config = ConfigDict(extra="forbid")

    remind_within: str = "14d"
    consent_days: int = Field(default=14, ge=0, le=365)
