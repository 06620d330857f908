"""Gallring and deletion: what goes is gone (case file, temporary files, lock), under the lock,
and only what the rule names: never an active case."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child, Closure
from kronobarn_cli.errors import CaseLockedError
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.retention import RetentionRule

from ..conftest import NOW
from ..helpers import held_by_another_process, run
from ..scenario import GUARDIAN_ORAL, GUARDIANS, activate_need, answer_all

LONG_AGO = NOW - timedelta(days=3 * 365)
DAY = "2026-01-01"  # between LONG_AGO and NOW


def closed_case(store: CaseStore, case_id: str, on: datetime) -> Case:
    case = Case(id=case_id, created=on, updated=on, child=Child(name=f"Avslutad {case_id}"),
                status="avslutad", closed=Closure(on=on.date(), reason="Klart."))  # fmt: skip
    store.save(case)
    return case


def case_with_status(store: CaseStore, case_id: str, status: str, updated: datetime) -> Case:
    data = {"id": case_id, "created": updated, "updated": updated,
            "child": {"name": f"Barn {case_id}"}, "status": status}  # fmt: skip
    case = Case.model_validate(data)
    store.save(case)
    return case


def activated_long_ago(workflow: Workflow, store: CaseStore) -> Case:
    case = store.create(Child(name="Aktiv", birth_year=2016), LONG_AGO)
    walk = Walk(workflow, store, case, clock=lambda: LONG_AGO)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [{**GUARDIAN_ORAL, "datum": "2023-11-20"}])])
    assert walk.case.status == "aktiverad"
    return walk.case


def leftover_temp_file(store: CaseStore, case_id: str) -> Path:
    """What a writer killed in the middle of a save leaves: a full copy of the case."""
    tmp = store.directory / f".{case_id}.json.k1ll3d__.tmp"
    tmp.write_bytes(store.path(case_id).read_bytes())
    return tmp


def traces_of(store: CaseStore, case_id: str) -> list[str]:
    return [p.name for p in store.directory.iterdir() if case_id in p.name]


def test_purge_lists_without_yes_and_deletes_with_it_leaving_no_file_temp_file_or_lock(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    old_closed = closed_case(store, "cccccc", LONG_AGO)
    old_referred = case_with_status(store, "rrrrrr", "ej-aktiverad-hanvisad", LONG_AGO)
    old_not_activated = case_with_status(store, "nnnnnn", "ej-aktiverad", LONG_AGO)
    recent_closed = closed_case(store, "dddddd", NOW)
    recent_not_activated = case_with_status(store, "mmmmmm", "ej-aktiverad", NOW)
    going = [old_closed, old_referred, old_not_activated]
    staying = [recent_closed, recent_not_activated]
    assert (store.directory / f".{old_closed.id}.lock").exists()
    options = ("purge", "--closed-before", DAY, "--not-activated-before", DAY)

    listed = run(capsys, *options)
    assert listed.code == 0, listed.err
    assert all(case.id in listed.out for case in going)
    assert not any(case.id in listed.out for case in staying)
    assert "3 ärenden raderas med --yes. Inget raderades nu." in listed.out
    assert "Barn " not in listed.out and "Avslutad " not in listed.out  # no child's name
    assert all(store.path(case.id).exists() for case in going)

    leftover_temp_file(store, old_closed.id)  # listing removed those of free cases
    deleted = run(capsys, *options, "--yes")
    assert deleted.code == 0, deleted.err
    assert "Raderade 3 av 3 ärenden." in deleted.out
    for case in going:
        assert traces_of(store, case.id) == [], case.id
        assert store.files_of(case.id) == []
    for case in staying:
        assert store.load(case.id) == case
    assert "Inga ärenden att gallra." in run(capsys, *options).out


def test_purge_json_lists_the_cases_that_go_and_only_json_on_standard_out(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    closed_case(store, "cccccc", LONG_AGO)
    listed = run(capsys, "purge", "--closed-before", DAY, "--json")
    assert json.loads(listed.out) == [{"id": "cccccc", "status": "avslutad",
                                       "status_text": "avslutad",
                                       "closed_on": LONG_AGO.date().isoformat(),
                                       "updated": LONG_AGO.isoformat()}]  # fmt: skip
    assert "1 ärende raderas med --yes" in listed.err
    deleted = run(capsys, "purge", "--closed-before", DAY, "--json", "--yes")
    assert [row["status"] for row in json.loads(deleted.out)] == ["avslutad"]
    assert "Raderade 1 av 1 ärende." in deleted.err
    assert not store.path("cccccc").exists()


def test_purge_never_deletes_an_active_case(
    capsys: pytest.CaptureFixture[str], workflow: Workflow, store: CaseStore
) -> None:
    active = activated_long_ago(workflow, store)
    assessed = case_with_status(store, "bbbbbb", "bedomning-pagar", LONG_AGO)
    waiting = case_with_status(store, "vvvvvv", "vantar-pa-samtycke", LONG_AGO)
    far = "2100-01-01"
    result = run(capsys, "purge", "--closed-before", far, "--not-activated-before", far, "--yes")
    assert result.code == 0, result.err
    assert "Inga ärenden att gallra." in result.out
    for case in (active, assessed, waiting):
        assert store.load(case.id) == case
    rule = RetentionRule(closed_before=date(2100, 1, 1), not_activated_before=date(2100, 1, 1))
    assert not any(rule.lets_go(case) for case in (active, assessed, waiting))


def test_purge_needs_a_rule_and_a_valid_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--closed-before" in run(capsys, "purge", "--yes").one_swedish_line()
    bad = run(capsys, "purge", "--closed-before", "förra året")
    assert "Ogiltigt datum för --closed-before" in bad.one_swedish_line()


def test_a_case_changed_since_it_was_listed_is_kept(store: CaseStore) -> None:
    case = case_with_status(store, "nnnnnn", "ej-aktiverad", LONG_AGO)
    rule = RetentionRule(not_activated_before=date(2026, 1, 1))
    assert rule.lets_go(case)
    store.save(case.model_copy(update={"updated": NOW}))  # e.g. resumed in another session
    assert store.delete(case.id, only_if=rule.lets_go) is False
    assert store.path(case.id).exists()


def test_delete_without_yes_says_what_would_go_and_exits_1(
    capsys: pytest.CaptureFixture[str], walk: Walk, store: CaseStore
) -> None:
    tmp = leftover_temp_file(store, walk.case.id)
    result = run(capsys, "delete", walk.case.id)
    assert result.code == 1
    assert "Inget raderades" in result.one_swedish_line()
    assert f"{walk.case.id}  A. B.  (bedömning pågår" in result.out
    for path in (store.path(walk.case.id), tmp, store.directory / f".{walk.case.id}.lock"):
        assert str(path) in result.out
        assert path.exists()


def test_delete_with_yes_leaves_no_file_temp_file_or_lock_of_the_case(
    capsys: pytest.CaptureFixture[str], walk: Walk, store: CaseStore
) -> None:
    other = store.create(Child(name="Kvar"), NOW)
    leftover_temp_file(store, walk.case.id)
    result = run(capsys, "delete", walk.case.id, "--yes")
    assert result.code == 0, result.err
    assert result.out.strip() == f"Ärendet {walk.case.id} är raderat."  # no name kept on screen
    assert traces_of(store, walk.case.id) == []
    assert store.load(other.id) == other
    # Commands given the id afterwards find nothing, and leave nothing behind either.
    gone = run(capsys, "close", walk.case.id, "--reason", "x")
    assert "Det finns inget ärende" in gone.one_swedish_line()
    assert traces_of(store, walk.case.id) == []


def test_a_case_file_that_cannot_be_read_can_still_be_deleted(
    capsys: pytest.CaptureFixture[str], walk: Walk, store: CaseStore
) -> None:
    store.path(walk.case.id).write_text("{", encoding="utf-8")
    assert "kan inte läsas" in run(capsys, "delete", walk.case.id).out
    assert run(capsys, "delete", walk.case.id, "--yes").code == 0
    assert traces_of(store, walk.case.id) == []


def test_delete_of_an_unknown_id_is_one_swedish_line_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    store.create(Child(name="A"), NOW)
    before = sorted(p.name for p in store.directory.iterdir())
    for case_id in ("abcdef", "../../x"):
        result = run(capsys, "delete", case_id, "--yes")
        assert result.code == 1
        assert f"Det finns inget ärende med id '{case_id}'" in result.one_swedish_line()
    assert sorted(p.name for p in store.directory.iterdir()) == before


def test_delete_takes_the_case_lock(walk: Walk, isolated: Path) -> None:
    deleter = CaseStore(isolated, lock_wait=0.1)
    with held_by_another_process(isolated, walk.case.id, 1.0), pytest.raises(CaseLockedError):
        deleter.delete(walk.case.id)
    assert deleter.load(walk.case.id) == walk.case
    assert deleter.delete(walk.case.id) is True
    assert not deleter.path(walk.case.id).exists()
