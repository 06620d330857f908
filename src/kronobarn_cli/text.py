"""Text helpers for what users read: Swedish dates and lists, and safe display of typed text."""

import re
from collections.abc import Iterable
from datetime import date

# Twelve names do not justify a locale library (Babel ships tens of megabytes of locale data).
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# C0 and C1 control characters except tab and newline, plus DEL: they can move the cursor,
# clear the screen or change colours when printed to a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def swedish_date(value: date) -> str:
    """`2026-11-23` → `23 november 2026`, the way dates are written in Swedish prose."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def join_swedish(items: Iterable[str], last: str = "och") -> str:
    """`["A", "B", "C"]` → `A, B och C` (or `A, B eller C`)."""
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {last} " + parts[-1]


def terminal_safe(value: str) -> str:
    """Replace control characters so typed text cannot drive the terminal when shown."""
    return _CONTROL.sub("\ufffd", value)


def has_control_characters(value: str, *, allow_newline: bool = False) -> bool:
    pattern = _CONTROL if allow_newline else _ANY_CONTROL
    return pattern.search(value.replace("\t", " ")) is not None


# A Swedish personal identity (or co-ordination) number: YYMMDD or YYYYMMDD, then four digits,
# with or without `-`/`+`. The tool never needs one; minimum personal data.
_IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?(\d{2})(\d{2})(\d{2})\s?[-+]?\s?\d{4}(?!\d)")


def has_identity_number(value: str) -> bool:
    """Does the text hold something that reads as a Swedish personal identity number?"""
    for match in _IDENTITY_NUMBER.finditer(value):
        month, day = int(match.group(2)), int(match.group(3))
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91):
            return True
    return False


IDENTITY_NUMBER_WARNING = (
    "Texten verkar innehålla ett personnummer. Det behövs inte i ärendet; ta bort det om du kan."
)
