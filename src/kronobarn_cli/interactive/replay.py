"""Answer files for `new-case --answers` (the child, the own organisation, answers by step id)
and `follow-up --answers` (answers only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import answer_checks
from kronobarn_cli.domain.case import Child
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError, InputFileError
from kronobarn_cli.interactive.walk import parse_child
from kronobarn_cli.support import safe_yaml

KEYS = ("barn", "verksamhet", "svar")


@dataclass(frozen=True)
class AnswersFile:
    child: Child
    organisation: OrganisationRef | None
    """The organisation that opens the case (`verksamhet`, else the inviter's)."""
    answers: dict[str, Any]


def _open(path: Path) -> tuple[Any, Callable[..., InputFileError]]:
    """The file's data, and how to name a problem at a key as `file:line: …`."""
    document = safe_yaml.read(path)

    def error(detail: str, *keys: str) -> InputFileError:
        return InputFileError(str(path), safe_yaml.line_of(document.root, *keys), detail)

    return document.data, error


def read_follow_up(path: Path) -> dict[str, Any]:
    """The answers (`svar`) of a file for `follow-up --answers`, or a one-line Swedish error."""
    data, error = _open(path)
    if not isinstance(data, dict):
        raise error("filen för ett uppföljande möte ska innehålla 'svar'.")
    unknown = sorted(str(key) for key in set(data) - {"svar"})
    if unknown:
        raise error(f"okänd nyckel '{unknown[0]}' (bara 'svar').", unknown[0])
    answers = data.get("svar") or {}
    if not isinstance(answers, dict):
        raise error("'svar' ska vara steg-id med svar.", "svar")
    return {str(k): v for k, v in answers.items()}


def read(path: Path, today: date, workflow: Workflow) -> AnswersFile:
    """What a YAML (or JSON) answers file holds, or a one-line Swedish error."""
    data, error = _open(path)
    if not isinstance(data, dict):
        raise error("filen ska innehålla 'barn' och 'svar'.")
    unknown = sorted(str(key) for key in set(data) - set(KEYS))
    if unknown:
        raise error(
            f"okänd nyckel '{unknown[0]}' (bara 'barn', 'verksamhet' och 'svar').", unknown[0]
        )
    child = data.get("barn")
    answers = data.get("svar") or {}
    if not isinstance(child, dict) or "namn" not in child:
        raise error("'barn.namn' saknas.", "barn")
    if not isinstance(answers, dict):
        raise error("'svar' ska vara steg-id med svar.", "svar")
    unknown = sorted(str(key) for key in set(child) - {"namn", "fodelsear"})
    if unknown:  # a misspelt `fodelsear` would otherwise be lost without a word
        raise error(
            f"okänd nyckel 'barn.{unknown[0]}' (bara 'namn' och 'fodelsear').", "barn", unknown[0]
        )
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
    own = data.get("verksamhet", answers.get("inbjudare-verksamhet"))
    organisation = None
    if own is not None:
        try:
            organisation = OrganisationRef(**answer_checks.organisation_answer(own, workflow))
            inviter = answers.get("inbjudare-verksamhet")
            inviting = answer_checks.organisation_answer(inviter, workflow) if inviter else None
        except AnswerError as exc:
            raise error(f"verksamhet: {exc.message}", "verksamhet") from None
        if inviting is not None and OrganisationRef(**inviting).key() != organisation.key():
            # The organisation that opens the case is always within the consent: a mix-up
            # here would let an organisation in that no one consented to.
            raise error(
                f"verksamhet ({organisation.name}) och inbjudare-verksamhet "
                f"({inviting['name']}) ska vara samma verksamhet vid första mötet.",
                "verksamhet",
            )
    return AnswersFile(parsed, organisation, {str(k): v for k, v in answers.items()})
