"""CSV lines as scripts read them: quoted where needed, text never a formula, one line each."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from kronobarn_cli.support.text import csv_text

_BUFFER = io.StringIO()
_WRITER = csv.writer(_BUFFER, lineterminator="")


def csv_fields(values: Sequence[object]) -> str:
    """Fields as one CSV line (no line break): quoted where they need it, text never a
    formula (see `text.csv_text`), None empty, booleans `true`/`false`."""
    _BUFFER.seek(0)
    _BUFFER.truncate()
    _WRITER.writerow([_csv_value(v) for v in values])
    return _BUFFER.getvalue()


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
