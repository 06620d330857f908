"""Where the checklist directory is and which of its files a load reads (no pydantic)."""

from __future__ import annotations

import os
from pathlib import Path

SECTION_FILES = "[0-9][0-9]-*.yaml"
ORGANISATIONS_FILE = "organisationer.yaml"
AREAS_FILE = "barnets-basta-hjulet.yaml"


def default_checklists_dir() -> Path:
    """The checklists shipped with the tool (inside the wheel, or beside `src/` in a checkout).
    The package's folder is where this module is (what `importlib.resources.files` gives for a
    package on disk, without importing it and `zipfile`: `remind --organisation` asks)."""
    shipped = Path(__file__).parent / "data"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "checklists"


def checklists_dir(explicit: Path | None = None) -> Path:
    if explicit is not None:
        return explicit
    env = os.environ.get("KRONOBARN_CHECKLISTS")
    return Path(env) if env else default_checklists_dir()
