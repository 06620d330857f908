"""CSV lines as scripts read them: quoted where needed, text never a formula, one line each."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import Any

from kronobarn_cli.support.text import csv_text

_BUFFER = io.StringIO()
_WRITER = csv.writer(_BUFFER, lineterminator="")
# What makes the writer quote a text field (or might, in another Python version).
_QUOTED = re.compile('[",\r\n]')


def csv_fields(values: Sequence[object]) -> str:
    """Fields as one CSV line (no line break): quoted where they need it, text never a
    formula (see `text.csv_text`), None empty, booleans `true`/`false`."""
    fields = [_csv_value(v) for v in values]
    # Most lines are text that needs no quotes: the writer would join it with commas (but a
    # lone empty field it writes as `""`).
    plain = [f for f in fields if isinstance(f, str) and _QUOTED.search(f) is None]
    if len(plain) == len(fields) > 1:
        return ",".join(plain)
    _BUFFER.seek(0)
    _BUFFER.truncate()
    _WRITER.writerow(fields)
    return _BUFFER.getvalue()


def csv_field(value: object) -> str:
    """One field as `csv_fields` writes it in a line of more than one: lines put together
    from pieces are the same line."""
    if isinstance(value, str):
        text = csv_text(value)
        if '"' not in text and "," not in text and "\r" not in text and "\n" not in text:
            return text
    return csv_fields(["", value])[1:]


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return csv_text(value)
    return value


def csv_line(row: dict[str, Any]) -> str:
    """A reminder in the documented JSON shape as a CSV line of the same fields."""
    return csv_fields([value for key, value in row.items() if key != "group"])
