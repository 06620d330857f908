"""Text helpers for what users read: Swedish dates and lists, and safe display of typed text."""

import re
import unicodedata
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
# clear the screen or change colours when printed to a terminal. The bidirectional controls
# (embeddings, overrides, isolates and the direction marks) reorder what is shown (after
# U+202E, `gpj.exe` reads as `exe.jpg`); they count as control characters too.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_ANY_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# What a JSON encoder leaves raw but a terminal would obey (C0 it escapes already).
_JSON_RAW_CONTROL = re.compile(rf"[\x7f-\x9f{BIDI_CONTROLS}]")


def swedish_date(value: date) -> str:
    """`2026-11-23` → `23 november 2026`, the way dates are written in Swedish prose."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def swedish_when(day: date, time: str | None = None, place: str | None = None) -> str:
    """`20 januari 2027 kl. 13:00, Centralskolan`: a meeting's day, with its time and place
    where they are known."""
    return swedish_date(day) + (f" kl. {time}" if time else "") + (f", {place}" if place else "")


# Invisible characters that would hide a word from the checks below ("Stor\u00adgatan").
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_LINK = re.compile(r"^(?:https?://|www\.)\S+$|\b(?:teams|zoom|meet)\b", re.IGNORECASE)
_HOME = re.compile(
    r"hem|bostad|\blgh\b|lägenhet|\bhos\b|gata|väg|gränd|allé|esplanad|\w+g\.\s*\d"
    # a word and a number, as in an address ("Sandviken 3"), but not "rum 3" or "sal 2"
    r"|\b(?!(?:rum|sal|salen|lokal|plan|våning|hus)\b)[^\W\d]{3,}\s+\d+[a-z]?\b",
    re.IGNORECASE,
)
_ROOM = re.compile(
    r"rum|sal\b|salen|lokal|konferens|aula|expedition|mottagning|kontor|skola|skolan|vårdcentral"
    r"|bibliotek|familjecentral|kommunhus|stadshus|socialtjänst|\bbup\b",
    re.IGNORECASE,
)


def public_place(place: str) -> bool:
    """Whether a meeting's place is a room or a link, not where someone lives: only such a
    place is written where the child is not named (the calendar file, a reminder). A place
    that might be a home (an address, "hemma", "hos …") or that names no room is kept back."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", place))
    if _LINK.search(text):
        return True
    return _HOME.search(text) is None and _ROOM.search(text) is not None


def folded(value: str) -> str:
    """A name as typed loosely compared: any case, any diacritics, spaces collapsed
    (`VÅRDCENTRAL`, `Vardcentral` and `vårdcentral` are one)."""
    parts = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in parts if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def join_swedish(items: Iterable[str], last: str = "och") -> str:
    """`["A", "B", "C"]` → `A, B och C` (or `A, B eller C`)."""
    parts = list(items)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {last} " + parts[-1]


def terminal_safe(value: str) -> str:
    """Replace control characters so typed text cannot drive the terminal when shown."""
    return _CONTROL.sub("\ufffd", value)


def drop_control_characters(value: str, *, keep_newlines: bool = False) -> str:
    """Remove control characters, for text written to files; tab (and, unless kept, line
    breaks) become spaces."""
    if value.isprintable():  # no control character of any kind (most text): nothing to do
        return value
    if keep_newlines:
        return _CONTROL.sub("", value.replace("\t", " "))
    return _ANY_CONTROL.sub("", re.sub(r"[\t\r\n]", " ", value))


def json_controls_escaped(document: str) -> str:
    """A JSON document with DEL, C1 and bidi controls written as `\\uXXXX`: the same data,
    and nothing in it can steer a terminal it is printed to. (They occur only inside strings.)"""
    if document.isascii() and "\x7f" not in document:  # then none of them is in it
        return document
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def has_control_characters(value: str, *, allow_newline: bool = False) -> bool:
    pattern = _CONTROL if allow_newline else _ANY_CONTROL
    return pattern.search(value.replace("\t", " ")) is not None


# A Swedish personal identity (or co-ordination) number: YYMMDD or YYYYMMDD, then four digits,
# with or without `-`/`+`. The tool never needs one; minimum personal data.
_IDENTITY_NUMBER = re.compile(
    r"(?<!\d)(?:\d{2}\s?)?(\d{2})\s?(\d{2})\s?(\d{2})\s?[-+\u2010-\u2015\u2212]?\s?\d{4}(?!\d)"
)


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


# What makes Excel, LibreOffice and Google Sheets read a cell as a formula (or DDE command).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text as a spreadsheet cell that shows it and never evaluates it: control characters
    removed, and a leading `=`, `+`, `-`, `@`, tab or carriage return neutralised with `'`."""
    if value.isprintable() and not value.lstrip().startswith(_FORMULA_START):
        return value  # most text: no control character (tab, CR), nothing to neutralise
    cleaned = drop_control_characters(value)
    if value.startswith(_FORMULA_START) or cleaned.lstrip().startswith(_FORMULA_START):
        return "'" + cleaned
    return cleaned
