"""`remind --organisation` takes the directory's organisations from a cache of the checklists
it was loaded from (`checklists/organisation_names.py`): the same names, the same errors."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kronobarn_cli.checklists import loader
from kronobarn_cli.checklists.location import ORGANISATIONS_FILE, default_checklists_dir
from kronobarn_cli.checklists.organisation_names import (
    CACHE_FILE,
    named,
    organisations_named,
)
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.errors import ChecklistError
from kronobarn_cli.store.case_files import CaseStore

from ..helpers import in_process
from ..startup import MODEL, loaded_by

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TYPED = ("skola", "Skola", "SKOLA", "vardcentral", "Vardcentral", "VÅRDCENTRAL", "bup",
         "Barn- och ungdomspsykiatri (BUP)", "barn  och elevhälsa", "Kulturskolan", "annan",
         "Annan verksamhet", "", " ", "barnet/ungdomen själv")  # fmt: skip


class Loads:
    """`load_workflow`, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, directory: Path) -> Workflow:
        self.calls += 1
        return loader.load_workflow(directory)


@pytest.fixture
def county(tmp_path: Path) -> Path:
    target = tmp_path / "lanets-checklistor"
    shutil.copytree(default_checklists_dir(), target)
    return target


def cache_of(tmp_path: Path) -> Path:
    return tmp_path / "config" / CACHE_FILE


def test_the_names_are_those_of_the_loaded_directory(county: Path, tmp_path: Path) -> None:
    workflow = loader.load_workflow(county)
    load = Loads()
    for typed in TYPED:
        expected = [(o.id, o.name) for o in workflow.organisations_named(typed)]
        assert organisations_named(typed, county, cache_of(tmp_path), load) == expected, typed
        assert named([(o.id, o.name) for o in workflow.organisations], typed) == expected
    assert load.calls == 1  # then from the cache
    assert oct(cache_of(tmp_path).stat().st_mode & 0o777) == "0o600"
    assert oct(cache_of(tmp_path).parent.stat().st_mode & 0o777) == "0o700"


def test_an_edited_directory_is_loaded_anew_and_a_broken_one_fails_as_before(
    county: Path, tmp_path: Path
) -> None:
    load, cache = Loads(), cache_of(tmp_path)
    assert organisations_named("Skola", county, cache, load) == [("skola", "Skola")]
    organisations = county / ORGANISATIONS_FILE
    info = organisations.stat()
    text = organisations.read_text(encoding="utf-8")
    # The same size, and the times put back: the bytes tell.
    organisations.write_text(text.replace("name: Skola\n", "name: Skolo\n"), encoding="utf-8")
    os.utime(organisations, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert organisations_named("Skola", county, cache, load) == [("skola", "Skolo")]
    assert organisations_named("Skolo", county, cache, load) == [("skola", "Skolo")]
    assert load.calls == 2
    (county / "01-behov-av-samverkan.yaml").write_text("steps: [\n", encoding="utf-8")
    with pytest.raises(ChecklistError) as without:
        loader.load_workflow(county)
    with pytest.raises(ChecklistError) as cached:
        organisations_named("Skolo", county, cache, load)
    assert cached.value.problems == without.value.problems


def test_a_section_file_added_is_loaded_too(county: Path, tmp_path: Path) -> None:
    load, cache = Loads(), cache_of(tmp_path)
    assert organisations_named("Skola", county, cache, load) == [("skola", "Skola")]
    (county / "08-nytt-avsnitt.yaml").write_text("steps: [\n", encoding="utf-8")
    with pytest.raises(ChecklistError) as without:
        loader.load_workflow(county)
    with pytest.raises(ChecklistError) as cached:
        organisations_named("Skola", county, cache, load)
    assert cached.value.problems == without.value.problems


@pytest.mark.parametrize(
    "planted",
    [
        b"not json",
        b'{"key": "0", "organisations": [["skola", "Annan"]]}',
        b"[]",
        b'{"organisations": [["skola", "Skola"]]}',
        b"x" * (2 << 20),
    ],
)
def test_a_cache_not_written_for_these_files_is_not_used(
    county: Path, tmp_path: Path, planted: bytes
) -> None:
    load, cache = Loads(), cache_of(tmp_path)
    cache.parent.mkdir(mode=0o700)
    cache.write_bytes(planted)
    assert organisations_named("Skola", county, cache, load) == [("skola", "Skola")]
    assert load.calls == 1
    assert json.loads(cache.read_text(encoding="utf-8"))["organisations"][5] == ["skola", "Skola"]


def test_a_cache_of_the_right_files_in_the_wrong_shape_is_not_used(
    county: Path, tmp_path: Path
) -> None:
    load, cache = Loads(), cache_of(tmp_path)
    organisations_named("Skola", county, cache, load)
    written = json.loads(cache.read_text(encoding="utf-8"))
    for organisations in ([["skola"]], [["skola", 1]], {"skola": "Skola"}, None):
        cache.write_text(json.dumps({**written, "organisations": organisations}), "utf-8")
        assert organisations_named("Skola", county, cache, load) == [("skola", "Skola")]
    assert load.calls == 5
    target = tmp_path / "elsewhere.json"
    cache.replace(target)
    cache.symlink_to(target)  # not followed
    assert organisations_named("Skola", county, cache, load) == [("skola", "Skola")]
    assert load.calls == 6


def test_a_cache_others_may_change_is_not_used(county: Path, tmp_path: Path) -> None:
    """Others able to write it could make a typed name mean another organisation's reminders:
    as with the profile beside it, such a file is not trusted (the directory is loaded)."""
    load, cache = Loads(), cache_of(tmp_path)
    organisations_named("Skola", county, cache, load)
    written = json.loads(cache.read_text(encoding="utf-8"))
    written["organisations"][5] = ["socialtjanst", "Skola"]

    def planted(mode: int) -> Path:
        cache.write_text(json.dumps(written), "utf-8")
        cache.chmod(mode)
        return cache

    for mode in (0o620, 0o602):
        assert organisations_named("Skola", county, planted(mode), load) == [("skola", "Skola")]
    assert load.calls == 3
    # A change by the user alone is the user's own (the key still matches): used.
    assert organisations_named("Skola", county, planted(0o600), load) == [("socialtjanst", "Skola")]
    assert load.calls == 3


def test_a_cache_that_cannot_be_written_is_no_error(county: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    load = Loads()
    for _ in range(2):
        assert organisations_named("Skola", county, blocked / CACHE_FILE, load) == [
            ("skola", "Skola")
        ]
    assert load.calls == 2


@pytest.mark.parametrize(
    "args",
    [
        ("remind", "--json", "--organisation", "skola"),
        ("remind", "--organisation", "Vardcentral", "--coordinator"),
        ("remind", "--format", "csv", "--organisation", "Kulturskolan"),
    ],
)
def test_remind_for_an_organisation_over_an_up_to_date_index_loads_no_checklists(
    args: tuple[str, ...], store: CaseStore
) -> None:
    """Loading the checklists (pydantic, YAML) cost `remind --organisation` more than the rest of
    the command (issue 26): after a first run, it reads the organisations from the cache."""
    store.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    assert in_process(*args).returncode == 0  # the index and the cache are up to date
    assert loaded_by(args, MODEL)[1] == []


def test_remind_for_an_organisation_with_broken_checklists_fails_as_before(
    store: CaseStore, county: Path
) -> None:
    store.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    args = ("--checklists", str(county), "remind", "--organisation", "skola")
    assert in_process(*args).returncode == 0
    organisations = county / ORGANISATIONS_FILE
    organisations.write_text("organisations: [\n", encoding="utf-8")
    failed = in_process(*args)
    assert failed.returncode != 0
    assert f"{organisations}:" in failed.stderr
    assert failed.stderr.count("\n") == 1
