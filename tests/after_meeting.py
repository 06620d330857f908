"""A case as it stands after its first meeting, made through the command line, for the tests of
what is corrected or recorded afterwards (copies, actions, handover, closing)."""

from __future__ import annotations

import contextlib
import copy
import io
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from .conftest import REPO
from .helpers import Completed, _exit_code, in_process
from .keys import typed

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


class _Terminal(io.StringIO):
    """Standard in as a terminal: the prompts read prompt_toolkit's pipe (`typed`)."""

    def isatty(self) -> bool:
        return True


def at_terminal(*args: str, keys: tuple[str, ...] = ()) -> Completed:
    """`kronobarn ARGS` in this process as if at a terminal, with these keys typed."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.StringIO()
    with (
        typed(*keys),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        mock.patch.object(sys, "stdin", _Terminal()),
        mock.patch.dict(os.environ, {"COLUMNS": "100"}),
    ):
        code = _exit_code(args)
    raw = out.buffer.getvalue()  # type: ignore[attr-defined]
    return Completed(code, raw.decode("utf-8", "replace"), err.getvalue(), raw)
