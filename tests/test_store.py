"""The case store: atomic, private, locked files; broken files reported and never overwritten."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from kronobarn_cli.case import ID_PATTERN, Child
from kronobarn_cli.errors import CaseFileError, CaseLockedError, UnknownCaseError
from kronobarn_cli.session import Walk
from kronobarn_cli.store import CaseStore

from .conftest import NOW


def test_case_is_saved_as_private_json_in_a_private_directory(store: CaseStore) -> None:
    case = store.create(Child(name="E. L.", birth_year=2015), NOW)
    path = store.path(case.id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    assert data["child"] == {"name": "E. L.", "birth_year": 2015}
    assert store.load(case.id) == case


def test_case_ids_are_random_and_not_derived_from_the_name(store: CaseStore) -> None:
    ids = {store.create(Child(name="Samma Namn"), NOW).id for _ in range(20)}
    assert len(ids) == 20
    assert all(re.fullmatch(ID_PATTERN, i) for i in ids)
    assert not any("samma" in i for i in ids)


def test_every_answer_is_saved_at_once(walk: Walk, store: CaseStore) -> None:
    walk.answer("uppmarksammat", "Oro i skolan.")
    on_disk = store.load(walk.case.id)
    assert on_disk.answers == {"behov-av-samverkan": {"uppmarksammat": "Oro i skolan."}}
    assert on_disk.journal[-1].text.startswith("Besvarade:")


def test_save_leaves_no_temporary_files(walk: Walk, store: CaseStore) -> None:
    walk.answer("uppmarksammat", "Oro.")
    leftovers = [p.name for p in store.directory.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []


def test_invalid_case_file_is_reported_with_path_and_field_and_never_overwritten(
    walk: Walk, store: CaseStore
) -> None:
    path = store.path(walk.case.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["consents"] = [{"giver": "granne", "form": "muntlig", "given_on": "2026-11-01",
                         "organisations": [{"id": "skola", "name": "Skola"}]}]  # fmt: skip
    broken = json.dumps(data)
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(CaseFileError) as caught:
        store.load(walk.case.id)
    assert str(path) in caught.value.message
    assert "consents[0].giver" in caught.value.message
    assert path.read_text(encoding="utf-8") == broken


def test_case_file_that_is_not_json(walk: Walk, store: CaseStore) -> None:
    path = store.path(walk.case.id)
    path.write_text("{ inte json", encoding="utf-8")
    with pytest.raises(CaseFileError, match="ogiltig JSON"):
        store.load(walk.case.id)
    assert path.read_text(encoding="utf-8") == "{ inte json"


def test_invalid_date_in_case_file(walk: Walk, store: CaseStore) -> None:
    path = store.path(walk.case.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["created"] = "2026-13-45T10:00:00+01:00"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CaseFileError, match="created"):
        store.load(walk.case.id)


def test_unknown_and_malformed_case_ids(store: CaseStore) -> None:
    with pytest.raises(UnknownCaseError):
        store.load("zzzzzz")
    with pytest.raises(UnknownCaseError):
        store.load("../../etc/passwd")


def test_a_case_open_in_another_session_is_refused(walk: Walk, isolated: Path) -> None:
    other = CaseStore(isolated)
    with walk.store.locked(walk.case.id), pytest.raises(CaseLockedError):
        other.save(walk.case)
    other.save(walk.case)  # free again once the first session let go


def test_listing_streams_cases_and_reports_broken_files(store: CaseStore) -> None:
    good = store.create(Child(name="A"), NOW)
    bad = store.create(Child(name="B"), NOW)
    store.path(bad.id).write_text("[]", encoding="utf-8")
    items = list(store.iter_cases())
    assert [i.id for i in items if not isinstance(i, CaseFileError)] == [good.id]
    [broken] = [i for i in items if isinstance(i, CaseFileError)]
    assert str(store.path(bad.id)) in broken.message
