"""The limits of the answers path held against an imported case file, before anything is saved.

An answers file is untrusted input (DESIGN.md): it is read with bounded size, values and depth
(`safe_yaml`), and every text answer is at most `answer_checks.MAX_TEXT` characters. A case
that comes in another way (a handover file) carries the same answers, so it is held to the same
limits: no text longer than an answer may be, no list, mapping or answers deeper than an
answers file could hold or with more than `MAX_NODES` values (the bound answers files had when
cases were saved under it, twice theirs now), and, as a whole, no larger than the store writes
(and can read back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from kronobarn_cli.domain.answer_checks import MAX_TEXT
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.store.case_codec import MAX_CASE_BYTES
from kronobarn_cli.support.safe_yaml import MAX_DEPTH

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case

MAX_NODES = 20_000
"""Values an imported case may hold in its answers and in any one list or mapping: what answers
files could hold before `safe_yaml.MAX_NODES` was halved, so that a case saved then still moves
(JSON is parsed in C; the YAML bound is the pure-Python parser's time)."""

ANSWERS = ("answers", "pending")
"""Where a case (and each meeting) keeps answers as they were given."""


_FIELD = re.compile(r"[A-Za-z0-9_-]{1,60}")
"""A field's name as the case model and the checklists write them; any other is not shown."""


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


class _Broken(Exception):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(what)
        self.where = where
        self.what = what


def check_case_data(data: dict[str, Any], source: str) -> None:
    """Refuse, in one Swedish line naming where, a case (its JSON, before it is validated)
    that breaks a limit of the answers path."""
    try:
        for where, value in _answers_blocks(data):
            _check_block(value, where)
        # Most cases keep to the limits: a first pass names no place, the second (only when
        # the first finds a value over a limit) names where.
        if not _fits(data, 0):
            _check_values(data, "", 0)
    except _Broken as broken:
        raise KronobarnError(
            f"{source}: ärendet i filen går över en gräns för vad kronobarn tar emot "
            f"({broken.where}: {broken.what}). Inget sparades."
        ) from None


_LONG_STRING = re.compile(f'"[^"]{{{MAX_TEXT + 1}}}')
"""A JSON string (or the text between two strings) longer than an answer may be."""
_QUOTED = (MAX_TEXT + 1) // 2
"""Every run of 2 × this - 1 bytes holds a whole aligned block of this many."""
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}')
_LEVELS = bytes.maketrans(b"[]{}", b"()()")
"""Lists and mappings alike: a pair is a level."""


def checked_json(case: Case, source: Callable[[], str]) -> bytes:
    """The case's JSON, compact (one dump, in pydantic-core: what the team store keeps), held
    to the limits `check_case_data` holds its dump to: from the text alone when that shows
    it keeps to every one (nearly always), else by `check_case_data` (`source()` names it)."""
    text = case.__pydantic_serializer__.to_json(case)
    if not _clearly_fits(text):
        check_case_data(case.model_dump(mode="json"), source())
    return text


def _clearly_fits(text: bytes) -> bool:
    """True only when JSON `text` breaks no limit `check_case_data` holds: no string longer
    than MAX_TEXT (its escaped bytes are never fewer than its characters); fewer values than
    MAX_NODES (each has a byte of its own; a list or mapping of that many has as many commas
    less one); and brackets nested no deeper than MAX_DEPTH. False also when it cannot tell
    (a bracket inside a string: rare, and then the exact check decides)."""
    if b'\\"' in text:
        # Escaped backslashes, then escaped quotes, as letters: every quote left is a string's.
        text = text.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    size = len(text)
    # With a quote in every block, no run between two quotes is as long as MAX_TEXT; else the
    # runs are measured, in characters.
    unquoted = (text.find(b'"', start, start + _QUOTED) < 0 for start in range(0, size, _QUOTED))
    if any(unquoted) and _LONG_STRING.search(text.decode("utf-8", "replace")):
        return False
    structure = text.translate(_LEVELS, _NOT_STRUCTURE)
    if size >= MAX_NODES and text.count(b",") + len(structure) >= MAX_NODES:
        return False
    # Every string is now an adjacent pair of quotes, unless a bracket was inside it.
    if structure.count(b'""') * 2 != structure.count(b'"'):
        return False
    levels = structure.translate(None, b'"')
    for _ in range(MAX_DEPTH):  # each pass takes away one level: the innermost pairs
        if not levels:
            return True
        levels = levels.replace(b"()", b"")
    return not levels


def check_case_bytes(size: int, case_id: str) -> None:
    """A case that the store would write larger than it can read back."""
    if size > MAX_CASE_BYTES:
        raise KronobarnError(
            f"Ärendet {case_id} blir större än {MAX_CASE_BYTES // 1_000_000} MB och kan inte "
            "sparas. Inget sparades."
        )


def _answers_blocks(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in ANSWERS:
        if key in data:
            yield key, data[key]
    meetings = data.get("meetings")
    for number, meeting in enumerate(meetings if isinstance(meetings, list) else []):
        if isinstance(meeting, dict) and "answers" in meeting:
            yield f"meetings[{number}].answers", meeting["answers"]


def _check_block(value: Any, where: str) -> None:
    """At most MAX_NODES values, nested no deeper than one answers file may be."""
    count = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _Broken(where, f"för många värden, högst {_number(MAX_NODES)}")
        if depth > MAX_DEPTH:
            raise _Broken(where, f"för djupt nästlad, högst {MAX_DEPTH} nivåer")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _fits(value: Any, depth: int) -> bool:
    """What `_check_values` holds, as fast as may be: True when it would find nothing."""
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_TEXT
    if kind is dict or isinstance(value, dict):
        if len(value) > MAX_NODES:
            return False
        deeper = depth + 1
        for key, item in value.items():
            if len(key if type(key) is str else str(key)) > MAX_TEXT:
                return False
            if type(item) is str:
                if len(item) > MAX_TEXT or deeper > MAX_DEPTH:
                    return False
            elif not _fits(item, deeper):
                return False
    elif kind is list or isinstance(value, list):
        if len(value) > MAX_NODES:
            return False
        deeper = depth + 1
        for item in value:
            if type(item) is str:
                if len(item) > MAX_TEXT or deeper > MAX_DEPTH:
                    return False
            elif not _fits(item, deeper):
                return False
    elif isinstance(value, str):
        return len(value) <= MAX_TEXT
    return True


def _check_values(value: Any, where: str, depth: int) -> None:
    """Every text no longer than an answer, every list and mapping no longer than a file."""
    if depth > MAX_DEPTH:
        raise _Broken(where or "ärendet", f"för djupt nästlad, högst {MAX_DEPTH} nivåer")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _Broken(where, f"texten är för lång, högst {_number(MAX_TEXT)} tecken")
    elif isinstance(value, dict):
        if len(value) > MAX_NODES:
            raise _Broken(where or "ärendet", f"för många värden, högst {_number(MAX_NODES)}")
        for key, item in value.items():
            name = str(key) if _FIELD.fullmatch(str(key)) else "…"
            if len(str(key)) > MAX_TEXT:
                raise _Broken(where or "ärendet", "ett för långt namn på ett fält")
            _check_values(item, f"{where}.{name}" if where else name, depth + 1)
    elif isinstance(value, list):
        if len(value) > MAX_NODES:
            raise _Broken(where, f"för många poster, högst {_number(MAX_NODES)}")
        for number, item in enumerate(value):
            _check_values(item, f"{where}[{number}]", depth + 1)
