"""Dates as people type them: `2026-11-5`, `20261105`, `5/11`, `5 nov`, `idag`, `om 2 veckor`.

One parser for the prompts and answers files (which keep ISO dates as the documented form). A
date without a year is the next such day, or, for a date that must lie in the past, the latest.
Anything that could be read two ways is refused with an example.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from kronobarn_cli.errors import AnswerError
from kronobarn_cli.support.text import MONTHS, swedish_date

Direction = Literal["past", "future", "any"]

SWEDEN = "Europe/Stockholm"
"""The time zone of the meetings' clock times (Kronoberg)."""

_MONTH_WORDS = {name[:3]: number for number, name in enumerate(MONTHS, 1)}
_RELATIVE_UNITS = {
    "dag": "days",
    "dagar": "days",
    "vecka": "weeks",
    "veckor": "weeks",
    "månad": "months",
    "månader": "months",
}
_NUMBERS = {"en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6}

_ISO_LOOSE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?$")
_DAY_MONTH_WORD = re.compile(r"^(\d{1,2})\s*([a-zåäö]+)\.?(?:\s+(\d{4}))?$")
_RELATIVE = re.compile(r"^om\s+(\d{1,3}|[a-zåäö]+)\s+([a-zåäö]+)$")
# A time after the date: `kl 13`, `kl. 13:00`, `klockan 8`, or `9.30` / `1330` without "kl".
_TIME_AFTER = re.compile(
    r"^(?P<day>.*?\S)\s+(?:(?P<kl>kl\.?|klockan)\s*(?P<hour>\d{1,2}(?:[:.]?\d{2})?)"
    r"|(?P<clock>\d{1,2}[:.]?\d{2}))$"
)
_KL = re.compile(r"^(?:kl\.?|klockan)\s*")
_TIME = re.compile(r"^([01]?\d|2[0-3])(?:[:.]?([0-5]\d))?$")

EXAMPLES = "t.ex. 2026-12-05, 5/12, 5 dec, idag, imorgon eller om 2 veckor"


def _refuse(text: str) -> AnswerError:
    return AnswerError(f"Ogiltigt datum '{text}'. Skriv {EXAMPLES}.")


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _refuse(text) from None


def _without_year(month: int, day: int, today: date, direction: Direction, text: str) -> date:
    """The day and month nearest today in the right direction (the 29th of February waits)."""
    years = range(today.year - 4, today.year + 5)
    candidates = [d for year in years if (d := _safe(year, month, day)) is not None]
    if direction == "past":
        before = [d for d in candidates if d <= today]
        if before:
            return max(before)
    else:
        after = [d for d in candidates if d > today or (direction == "any" and d == today)]
        if after:
            return min(after)
    raise _refuse(text)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(raw: str, today: date, direction: Direction = "any") -> date:
    """A date typed the way people type them, or AnswerError naming the forms understood."""
    text = " ".join(raw.strip().casefold().split())
    if not text:
        raise _refuse(raw.strip())
    if text in {"idag", "i dag"}:
        return today
    if text in {"imorgon", "i morgon"}:
        return today + timedelta(days=1)
    if text in {"igår", "i går"}:
        return today - timedelta(days=1)
    if match := _ISO_LOOSE.match(text):
        return _make(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _COMPACT.match(text):
        return _make(int(match[1]), int(match[2]), int(match[3]), raw)
    if match := _DAY_MONTH.match(text):
        day, month = int(match[1]), int(match[2])
        if match[3]:
            year = int(match[3])
            return _make(year + 2000 if year < 100 else year, month, day, raw)
        if not 1 <= month <= 12:
            raise _refuse(raw)
        return _without_year(month, day, today, direction, raw)
    if match := _DAY_MONTH_WORD.match(text):
        named = _MONTH_WORDS.get(match[2][:3])
        if named is None or (len(match[2]) > 3 and not MONTHS[named - 1].startswith(match[2])):
            raise _refuse(raw)
        if match[3]:
            return _make(int(match[3]), named, int(match[1]), raw)
        return _without_year(named, int(match[1]), today, direction, raw)
    if match := _RELATIVE.match(text):
        amount_text, unit_text = match[1], match[2]
        amount = int(amount_text) if amount_text.isdigit() else _NUMBERS.get(amount_text)
        unit = _RELATIVE_UNITS.get(unit_text)
        if amount is None or unit is None:
            raise _refuse(raw)
        return today + relativedelta(**{unit: amount})  # type: ignore[arg-type]
    raise _refuse(raw)


def split_time(raw: str) -> tuple[str, str | None]:
    """`2026-12-20 9.30` → (`2026-12-20`, `9.30`), `om 2 veckor kl 13` → (`om 2 veckor`, `13`);
    a date alone → (date, None). `5 dec 2027` is a year, not the time 20:27."""
    text = raw.strip()
    match = _TIME_AFTER.match(text.casefold())
    if match is None:
        return text, None
    if match["hour"] is not None:
        return text[: len(match["day"])], match["hour"]
    if _DAY_MONTH_WORD.match(text.casefold()):
        return text, None
    return text[: len(match["day"])], match["clock"]


def parse_time(raw: str, *, hour_alone: bool = False) -> str:
    """A time of day as people type it (`9.30`, `kl. 13:00`, `1330`, `kl 13`) as `HH:MM`.

    An hour alone is a time after "kl", or after a date (`hour_alone`); `9` by itself is not.
    """
    text = " ".join(raw.strip().casefold().split())
    hour_alone = hour_alone or _KL.match(text) is not None
    match = _TIME.match(_KL.sub("", text))
    if not match or (match[2] is None and not hour_alone):
        raise AnswerError(f"Ogiltig tid '{raw.strip()}'. Skriv TT:MM, t.ex. 09:30 eller kl 13.")
    return f"{int(match[1]):02d}:{match[2] or '00'}"


def split_place(raw: str) -> tuple[str, str | None]:
    """`20 jan kl 13, Centralskolan` → (`20 jan kl 13`, `Centralskolan`): a place after a comma."""
    day, comma, place = raw.partition(",")
    return day.strip(), (place.strip() or None) if comma else None


def skipped_in_sweden(day: date, time: str) -> bool:
    """Whether the clock time `time` (`HH:MM`) never shows in Sweden on `day`: the hour the
    clocks skip when summer time begins (02:00–02:59 on the last Sunday of March)."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - only where a time is given with a date

    hours, minutes = (int(part) for part in time.split(":"))
    local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(SWEDEN))
    shown = local.astimezone(UTC).astimezone(local.tzinfo)
    return (shown.hour, shown.minute) != (hours, minutes)


def skipped_time_refusal(day: date, time: str) -> str:
    """The one-line answer to a time the clocks skip that day (`skipped_in_sweden`)."""
    return (
        f"Klockan {time} finns inte den {swedish_date(day)}: klockan ställs då fram en timme "
        "till sommartid. Ange en annan tid."
    )
