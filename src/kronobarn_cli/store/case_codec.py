"""The case file codec: a case's bytes read, checked, migrated and validated, and written."""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kronobarn_cli.errors import CaseFileError, KronobarnError, os_error_text
from kronobarn_cli.support.lazy import LazyModule

if TYPE_CHECKING:
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain import migrations
    from kronobarn_cli.domain.case import Case
else:
    cases = LazyModule("kronobarn_cli.domain.case")
    migrations = LazyModule("kronobarn_cli.domain.migrations")

# A case of many meetings is some tens of kilobytes; a file a thousand times that is not one.
MAX_CASE_BYTES = 10_000_000

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CHUNK = 1 << 20
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def current(raw: bytes) -> Case | None:
    """A case file of the current schema validated from its bytes in one pass (pydantic-core
    parses the JSON); None for anything else (an older version, an escaped surrogate, a file
    that does not validate), which the full path then reads and names the fault of."""
    if _ESCAPED_SURROGATE.search(raw):
        return None
    try:
        return cases.Case.model_validate_json(raw)
    except ValueError:  # pydantic's ValidationError among them
        return None


def read_case_file(path: Path, on_mode: Callable[[Path, int], None]) -> Case:
    """The case in the regular file at `path` (no link followed), or CaseFileError naming what
    is wrong; `on_mode` is told the file's mode once it is open."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        detail = "är en symbolisk länk" if exc.errno == errno.ELOOP else os_error_text(exc)
        raise CaseFileError(str(path), detail) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # a directory, a FIFO …: before Python opens it
        os.close(fd)
        raise CaseFileError(str(path), "är ingen vanlig fil")
    try:
        on_mode(path, info.st_mode)
        raw = _read_all(fd, info.st_size)
    except OSError as exc:
        raise CaseFileError(str(path), os_error_text(exc)) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_CASE_BYTES:
        raise CaseFileError(str(path), f"filen är större än {MAX_CASE_BYTES // 1_000_000} MB")
    case = current(raw)
    if case is None:
        case = _decoded(path, raw)
    if case.id != path.stem:
        # Saving would write to the file of the id inside: another child's case.
        raise CaseFileError(
            str(path), f"id:t i filen ('{case.id}') stämmer inte med filnamnet ('{path.stem}')"
        )
    return case


def _read_all(fd: int, size: int) -> bytes:
    """The file's bytes up to one past the limit: the size `fstat` gave and one byte more
    in one read (a buffer of the limit would cost more than the read itself), then on in
    chunks if the file grew meanwhile or a read came back short."""
    limit = MAX_CASE_BYTES + 1
    want = min(size + 1, limit)
    chunks = []
    total = 0
    while total < limit:
        chunk = os.read(fd, want - total if total < want else min(_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _decoded(path: Path, raw: bytes) -> Case:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise CaseFileError(str(path), f"ogiltig JSON (rad {line})") from None
    except RecursionError:
        raise CaseFileError(str(path), "ogiltig JSON (för djupt nästlad)") from None
    if _ESCAPED_SURROGATE.search(raw) and _has_surrogate(data):
        # json accepts "\ud800", but no such character can be written back as UTF-8.
        raise CaseFileError(str(path), "ogiltig JSON (ett \\u-tecken som inte finns)")
    if not isinstance(data, dict):
        raise CaseFileError(str(path), "filen innehåller inget ärende")
    return migrated(data, lambda fault: CaseFileError(str(path), fault))


def migrated(data: dict[str, Any], refused: Callable[[str], Exception]) -> Case:
    """The case in parsed JSON of any supported schema version, migrated and validated; else
    `refused(what is wrong)` is raised (shared by the file store and the PostgreSQL rows)."""
    version = data.get("schema_version", 1)
    if isinstance(version, bool) or version not in range(1, cases.SCHEMA_VERSION + 1):
        raise refused(f"schema_version {version} stöds inte av denna version av kronobarn")
    from pydantic import ValidationError  # noqa: PLC0415 - with the case model

    from kronobarn_cli.support.validation import describe  # noqa: PLC0415

    try:
        return cases.Case.model_validate(migrations.migrate(data))
    except ValidationError as exc:
        raise refused(describe(exc.errors()[0])) from None


def has_lone_surrogate(raw: bytes, data: object) -> bool:
    """Did JSON `raw`, parsed as `data`, hold an escaped lone surrogate (`"\\ud800"`)? json
    accepts one, but no such character can be written back as UTF-8."""
    return bool(_ESCAPED_SURROGATE.search(raw)) and _has_surrogate(data)


def _has_surrogate(data: object) -> bool:
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def encoded(case: Case) -> bytes:
    """The case file's bytes; a case the store could not read back (over its limit) is never
    written, whichever way it came (an import, a change)."""
    data = case.model_dump_json(indent=2).encode("utf-8") + b"\n"
    if len(data) > MAX_CASE_BYTES:
        raise KronobarnError(
            f"Ärendet {case.id} blir större än {MAX_CASE_BYTES // 1_000_000} MB och kan inte "
            "sparas. Inget sparades."
        )
    return data
