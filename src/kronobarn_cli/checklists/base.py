"""What every checklist model shares: frozen, no unknown keys, and the id and text types."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
Text = Annotated[str, Field(min_length=1)]

# Each model module bases its models on its own `_Model(BaseModel)` with this configuration, so
# that ruff sees pydantic models there (their list defaults are copied, not shared).
MODEL_CONFIG = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
