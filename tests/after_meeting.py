"""A case as it stands after its first meeting, made through the command line, for the tests of
what is corrected or recorded afterwards (copies, actions, handover, closing)."""

from __future__ import annotations

import copy
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from .conftest import REPO
from .helpers import in_process

EXAMPLE = REPO / "examples" / "svar.yaml"


def day(n: int = 0) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def case_after_meeting(tmp: Path, *, guardians: int = 2, printed: bool = False) -> str:
    """examples/svar.yaml held today; with two guardians (both consenting) by default; the
    family's and Socialtjänst's copies go by post and have not arrived (unless `printed`)."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    answers = data["svar"]
    answers["mote-datum"] = day(0)
    answers["nasta-mote"] = day(60)
    answers["inbjudna"][0]["skickad"] = day(0)
    for item in answers["atgarder"]:
        item["senast"] = day(40)
    answers["vardnadshavare-antal"] = str(guardians)
    consents = answers["samtycken"]
    consents[0]["datum"] = day(0)
    if guardians == 2:
        consents.append({**copy.deepcopy(consents[0]), "roll": "vardnadshavare-2"})
    if printed:
        answers["kopior-utskrivna"] = True
        del answers["kopior"]
    else:
        answers["kopior"][0] = {"verksamhet": "familjen", "satt": "post", "har-fatt": False}
    path = tmp / f"svar-{guardians}-{printed}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = in_process("new-case", "--answers", str(path))
    assert done.returncode == 0, done.stderr
    home = Path(os.environ["KRONOBARN_HOME"])
    [found] = (home / "arenden").glob("*.json")
    return found.stem
