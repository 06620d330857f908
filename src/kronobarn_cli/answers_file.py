"""Answer files for `new-case --answers`: the child, and answers keyed by step id."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from kronobarn_cli import safe_yaml
from kronobarn_cli.case import Child
from kronobarn_cli.errors import AnswerError, InputFileError
from kronobarn_cli.session import parse_child


def read(path: Path, today: date) -> tuple[Child, dict[str, Any]]:
    """The child and the answers of a YAML (or JSON) file, or a one-line Swedish error."""
    document = safe_yaml.read(path)
    data = document.data

    def error(detail: str, *keys: str) -> InputFileError:
        return InputFileError(str(path), safe_yaml.line_of(document.root, *keys), detail)

    if not isinstance(data, dict):
        raise error("filen ska innehålla 'barn' och 'svar'.")
    unknown = sorted(str(key) for key in set(data) - {"barn", "svar"})
    if unknown:
        raise error(f"okänd nyckel '{unknown[0]}' (bara 'barn' och 'svar').", unknown[0])
    child = data.get("barn")
    answers = data.get("svar") or {}
    if not isinstance(child, dict) or "namn" not in child:
        raise error("'barn.namn' saknas.", "barn")
    if not isinstance(answers, dict):
        raise error("'svar' ska vara steg-id med svar.", "svar")
    name = child["namn"]
    if not isinstance(name, str):
        raise error("barn.namn ska vara text (barnets namn eller initialer).", "barn", "namn")
    year = child.get("fodelsear")
    if isinstance(year, bool) or not isinstance(year, int | str | None):
        raise error("barn.fodelsear ska vara ett årtal, t.ex. 2014.", "barn", "fodelsear")
    try:
        parsed = parse_child(name, "" if year is None else str(year), today)
    except AnswerError as exc:
        raise error(f"barn: {exc.message}", "barn") from None
    return parsed, {str(k): v for k, v in answers.items()}
