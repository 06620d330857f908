"""Answer files for `new-case --answers`: the child, the own organisation, answers by step id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from kronobarn_cli import engine
from kronobarn_cli.case import Child, OrganisationRef
from kronobarn_cli.checklist import Workflow
from kronobarn_cli.errors import AnswerError, KronobarnError
from kronobarn_cli.session import parse_child

KEYS = ("barn", "verksamhet", "svar")


@dataclass(frozen=True)
class AnswersFile:
    child: Child
    organisation: OrganisationRef | None
    """The organisation that opens the case (`verksamhet`, else the inviter's)."""
    answers: dict[str, Any]


def read_follow_up(path: Path) -> dict[str, Any]:
    """The answers (`svar`) of a file for `follow-up --answers`, or a one-line Swedish error."""
    data = _load(path)
    if not isinstance(data, dict) or set(data) - {"svar"}:
        raise KronobarnError(f"{path}: filen för ett uppföljande möte har bara 'svar'.")
    answers = data.get("svar") or {}
    if not isinstance(answers, dict):
        raise KronobarnError(f"{path}: 'svar' ska vara steg-id med svar.")
    return {str(k): v for k, v in answers.items()}


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KronobarnError(f"Kan inte läsa {path}: {exc.strerror}.") from None
    except UnicodeDecodeError:
        raise KronobarnError(f"{path} är inte en textfil i UTF-8.") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise KronobarnError(f"{path}:{line}: ogiltig YAML/JSON: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise KronobarnError(f"{path}: ogiltig YAML/JSON ({exc.__class__.__name__}).") from None


def read(path: Path, today: date, workflow: Workflow) -> AnswersFile:
    """What a YAML (or JSON) answers file holds, or a one-line Swedish error."""
    data = _load(path)
    if not isinstance(data, dict):
        raise KronobarnError(f"{path}: filen ska innehålla 'barn' och 'svar'.")
    unknown = set(data) - set(KEYS)
    if unknown:
        raise KronobarnError(
            f"{path}: okänd nyckel '{sorted(unknown)[0]}' (bara 'barn', 'verksamhet' och 'svar')."
        )
    child = data.get("barn")
    answers = data.get("svar") or {}
    if not isinstance(child, dict) or "namn" not in child:
        raise KronobarnError(f"{path}: 'barn.namn' saknas.")
    if not isinstance(answers, dict):
        raise KronobarnError(f"{path}: 'svar' ska vara steg-id med svar.")
    year = child.get("fodelsear")
    try:
        parsed = parse_child(str(child["namn"]), "" if year is None else str(year), today)
    except AnswerError as exc:
        raise KronobarnError(f"{path}: barn: {exc.message}") from None
    own = data.get("verksamhet", answers.get("inbjudare-verksamhet"))
    organisation = None
    if own is not None:
        try:
            organisation = OrganisationRef(**engine.organisation_answer(own, workflow))
            inviter = answers.get("inbjudare-verksamhet")
            inviting = engine.organisation_answer(inviter, workflow) if inviter else None
        except AnswerError as exc:
            raise KronobarnError(f"{path}: verksamhet: {exc.message}") from None
        if inviting is not None and OrganisationRef(**inviting).key() != organisation.key():
            # The organisation that opens the case is always within the consent: a mix-up
            # here would let an organisation in that no one consented to.
            raise KronobarnError(
                f"{path}: verksamhet ({organisation.name}) och inbjudare-verksamhet "
                f"({inviting['name']}) ska vara samma verksamhet vid första mötet."
            )
    return AnswersFile(parsed, organisation, {str(k): v for k, v in answers.items()})
