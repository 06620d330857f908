"""What `remind` is asked: the window, the filters and the settings in `config.yaml`.

Kept apart from the rules of reminders (`remind`), which need the case model: a summary index
that is up to date answers `remind` without them (start-up time is measured).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from kronobarn_cli.errors import InputFileError, KronobarnError

ReminderKind = Literal["action", "meeting", "copy", "consent"]
KINDS: tuple[str, ...] = ("action", "meeting", "copy", "consent")
CONFIG_FILE = "config.yaml"
CSV_COLUMNS = (
    "case_id",
    "kind",
    "due_date",
    "days_left",
    "overdue",
    "organisation_id",
    "organisation",
    "coordinator",
    "text",
    "child",
)
"""The columns of `remind --format csv`: the fields of the JSON (`remind.Reminder`)."""


@dataclass(frozen=True)
class Settings:
    """`config.yaml` in the kronobarn home directory, or its defaults."""

    remind_within: str = "14d"
    consent_days: int = 14


def load_settings(home: Path) -> Settings:
    path = home / CONFIG_FILE
    if not path.exists():
        return Settings()
    return read_settings(path)


def read_settings(path: Path) -> Settings:
    """`config.yaml`, checked: each problem is one line with the file and line number."""
    # Only with a config file: YAML and pydantic cost tens of milliseconds at start-up.
    from pydantic import ValidationError  # noqa: PLC0415

    from kronobarn_cli.domain.settings_schema import SettingsFile  # noqa: PLC0415
    from kronobarn_cli.support import safe_yaml  # noqa: PLC0415
    from kronobarn_cli.support.validation import describe  # noqa: PLC0415

    document = safe_yaml.read(path)
    try:
        settings = SettingsFile.model_validate(document.data or {})
    except ValidationError as exc:
        error = exc.errors()[0]
        line = safe_yaml.line_of(document.root, *error["loc"])
        raise InputFileError(str(path), line, describe(error)) from None
    try:
        parse_within(settings.remind_within, date.today())
    except KronobarnError as exc:
        line = safe_yaml.line_of(document.root, "remind_within")
        raise InputFileError(str(path), line, f"remind_within: {exc.message}") from None
    return Settings(settings.remind_within, settings.consent_days)


_WINDOW = re.compile(r"^(\d{1,4})([dwm])$")


def parse_within(text: str, today: date) -> date:
    """`14d`, `2w`, `1m` or an ISO date → the last day the window covers."""
    value = text.strip().casefold()
    match = _WINDOW.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        try:
            if unit == "d":
                return today + timedelta(days=amount)
            if unit == "w":
                return today + timedelta(weeks=amount)
            from dateutil.relativedelta import relativedelta  # noqa: PLC0415 - months only

            return today + relativedelta(months=amount)
        except (OverflowError, ValueError):  # past the end of the calendar
            return date.max
    try:
        until = date.fromisoformat(value)
    except ValueError:
        raise KronobarnError(
            f"Ogiltigt tidsfönster '{text}'. Skriv t.ex. 14d, 2w, 1m eller ett datum ÅÅÅÅ-MM-DD."
        ) from None
    if until < today:
        raise KronobarnError(f"Tidsfönstret {until.isoformat()} ligger före dagens datum.")
    return until


@dataclass(frozen=True)
class Query:
    today: date
    until: date
    consent_days: int = 14
    overdue_only: bool = False
    organisation: str | None = None
    organisation_id: str | None = None
    """The directory's id for `organisation` when it names one there (`Vardcentral`)."""
    by_coordinator: bool = False
    case_id: str | None = None
    kinds: tuple[str, ...] = KINDS
    with_names: bool = False
    include_handed_over: bool = False
    """Cases this store handed over: what was due when they left (the receiver has it now)."""
