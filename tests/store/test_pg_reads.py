"""What `list` and `remind` cost on each store: the file store never imports psycopg, and the
team store reads summary rows only (no case model) once they are up to date for the day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW
from ..helpers import in_process
from ..startup import MODEL, loaded_by

READS = [("list", "--json"), ("list",), ("remind", "--json"), ("remind",)]


@pytest.mark.parametrize("args", READS)
def test_list_and_remind_on_the_file_store_never_import_psycopg(
    args: tuple[str, ...], store: CaseStore
) -> None:
    store.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    cold = loaded_by(args, ("psycopg",))  # the index is built here
    warm = loaded_by(args, ("psycopg",))
    assert (cold[1], warm[1]) == ([], [])
    assert cold[0] == warm[0] != ""


@pytest.mark.parametrize("args", [*READS, ("remind", "--format", "csv")])
def test_list_and_remind_on_up_to_date_team_summaries_import_no_case_model(
    args: tuple[str, ...], pg_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    files = CaseStore(tmp_path / "filer")
    files.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    assert in_process("db", "import", str(tmp_path / "filer")).returncode == 0
    printed, loaded = loaded_by(args, (*MODEL, "psycopg"))
    assert loaded == ["psycopg"]
    if args == ("list", "--json"):
        assert [row["id"] for row in json.loads(printed)] == ["aaaaaa"]
