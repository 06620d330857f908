"""Cases and answers files the tests share: a first meeting, a follow-up, handover keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from pyrage import x25519

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case
from kronobarn_cli.interactive import replay as answers_file
from kronobarn_cli.interactive.walk import replay

from .conftest import NOW, REPO, fixed_clock

EXAMPLE = REPO / "examples" / "svar.yaml"
FOLLOW_UP = REPO / "examples" / "uppfoljning.yaml"


def at(day: str) -> Any:
    moment = datetime.fromisoformat(f"{day}T10:00:00+01:00")
    return lambda: moment


def first_meeting(workflow: Workflow) -> Case:
    given = answers_file.read(EXAMPLE, NOW.date(), workflow)
    result = replay(
        workflow, given.child, given.answers, "svar.yaml", fixed_clock, given.organisation
    )
    assert result.next_step is None
    return result.case


def follow_up_answers(**changes: Any) -> dict[str, Any]:
    answers: dict[str, Any] = yaml.safe_load(FOLLOW_UP.read_text(encoding="utf-8"))["svar"]
    answers.update(changes)
    return answers


PASSPHRASE = "korrekt-häst-batteri-häftklammer"  # noqa: S105 - the tests' own


CHILD = "Sigrid Mårtensson"


def days(n: int) -> str:
    return str(datetime.now().date() + timedelta(days=n))


def first_meeting_answers(tmp: Path) -> Path:
    """examples/svar.yaml with a child's full name and the dates moved to after today."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["barn"]["namn"] = CHILD
    data["svar"]["mote-datum"] = days(1)
    data["svar"]["nasta-mote"] = days(30)
    data["svar"]["inbjudna"][0]["skickad"] = days(0)
    path = tmp / "svar.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def follow_up_answers_file(tmp: Path) -> Path:
    follow: dict[str, Any] = yaml.safe_load(FOLLOW_UP.read_text(encoding="utf-8"))
    answers = follow["svar"]
    answers.update({"mote-datum": days(30), "nasta-mote": days(60), "samordnare": "socialtjanst"})
    answers["inbjudna"][0]["skickad"] = days(0)
    answers["atgarder"][1]["senast"] = days(50)
    path = tmp / "uppfoljning.yaml"
    path.write_text(yaml.safe_dump(follow, allow_unicode=True), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Keys:
    identity: x25519.Identity
    public: str
    file: Path
    """The identity as age-keygen writes it."""


def age_keys(directory: Path, name: str = "nyckel.txt") -> Keys:
    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    path = directory / name
    path.write_text(f"# public key: {public}\n{identity}\n", encoding="utf-8")
    return Keys(identity, public, path)
