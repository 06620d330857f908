"""The case store: atomic, private, locked files; broken files reported and never overwritten."""

from __future__ import annotations

import json
import os
import re
import stat
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import SCHEMA_VERSION, Case, Child
from kronobarn_cli.domain.migrations import migrate
from kronobarn_cli.errors import CaseFileError, CaseLockedError, KronobarnError, UnknownCaseError
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store import case_codec
from kronobarn_cli.store import case_files as store_module
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.index import INDEX_FILE, KEY_FILE
from kronobarn_cli.support.ids import ID_PATTERN

from ..conftest import NOW, REPO, fixed_clock
from ..helpers import held_by_another_process, in_process, run
from ..scenario import realistic_case


def test_case_is_saved_as_private_json_in_a_private_directory(store: CaseStore) -> None:
    case = store.create(Child(name="E. L.", birth_year=2015), NOW)
    path = store.path(case.id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION == 4
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
    other = CaseStore(isolated, lock_wait=0.1)
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


# -- hardening: what a hand-edited, hostile or half-written store cannot do -----------------------


def realistic(store: CaseStore, workflow: Workflow) -> str:
    return realistic_case(store, workflow, fixed_clock).case.id


ADD = ("add", "--what", "Läxhjälp", "--organisation", "skola", "--due", "2035-03-01",
       "--area", "utvecklas")  # fmt: skip


def test_a_case_file_whose_inner_id_differs_from_its_name_is_refused_and_nothing_is_overwritten(
    capsys: pytest.CaptureFixture[str], store: CaseStore, workflow: Workflow
) -> None:
    a = realistic(store, workflow)
    data = json.loads(store.path(a).read_text(encoding="utf-8"))
    data["child"]["name"] = "Barn B"  # B.json, hand-edited to carry A's id
    store.path("bbbbbb").write_text(json.dumps(data), encoding="utf-8")
    store.path("bbbbbb").chmod(0o600)
    before = {p.name: p.read_bytes() for p in store.directory.glob("*.json")}
    line = run(capsys, "plan", "bbbbbb", *ADD).one_swedish_line()
    assert str(store.path("bbbbbb")) in line and f"'{a}'" in line and "'bbbbbb'" in line, line
    assert {p.name: p.read_bytes() for p in store.directory.glob("*.json")} == before
    listed = run(capsys, "list", "--json")
    assert listed.code == 1 and [c["id"] for c in json.loads(listed.out)] == [a]
    assert "stämmer inte med filnamnet" in listed.err


@pytest.mark.parametrize(
    "args",
    [
        ("close", "./../../victim", "--reason", "x"),
        ("plan", "./../../x/y", *ADD),
        ("plan", "../../x/y", "done", "1"),
        ("resume", "../victim"),
        ("follow-up", "/var/victim"),
        ("show", "../arenden/../victim"),
        ("export", "..", "--kind", "calendar"),
        ("remind", "--case", "../victim"),
    ],
)
def test_an_id_that_is_not_a_case_id_never_becomes_a_path(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    home = tmp_path / "1" / "2" / "3" / "home"  # deep enough that ../../.. stays in tmp_path
    monkeypatch.setenv("KRONOBARN_HOME", str(home))
    CaseStore(home).create(Child(name="A"), NOW)
    before = paths_in(tmp_path)
    line = run(capsys, *args).one_swedish_line()
    assert line.startswith("Fel: Det finns inget ärende med id"), line
    assert paths_in(tmp_path) == before


def paths_in(directory: Path) -> list[str]:
    """Every path under `directory` but the summary index's (its write-ahead files come and go
    with its connections)."""
    index = (INDEX_FILE, KEY_FILE)  # the summary index and the key of its rows
    return sorted(str(p) for p in directory.rglob("*") if not p.name.startswith(index))


def test_a_killed_new_case_never_leaves_an_empty_case_file(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bytes] = []
    real_link = os.link

    def link_and_look(src: str | Path, dst: str | Path) -> None:
        real_link(src, dst)
        seen.append(Path(dst).read_bytes())  # what a reader sees the moment the name exists
        raise KeyboardInterrupt  # killed right after

    monkeypatch.setattr(os, "link", link_and_look)
    with pytest.raises(KeyboardInterrupt):
        store.create(Child(name="A"), NOW)
    monkeypatch.undo()
    [case] = [c for c in store.iter_cases() if not isinstance(c, CaseFileError)]
    assert seen == [store.path(case.id).read_bytes()] and json.loads(seen[0])["id"] == case.id
    assert not list(store.directory.glob(".*.tmp"))


def test_a_case_file_never_exists_before_it_is_complete(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync
    visible: list[list[str]] = []

    def fsync_and_look(fd: int) -> None:
        real_fsync(fd)
        visible.append(sorted(p.name for p in store.directory.glob("*.json")))
        raise OSError(28, "No space left on device")  # the write fails after the data

    monkeypatch.setattr(os, "fsync", fsync_and_look)
    with pytest.raises(KronobarnError, match="disken är full"):
        store.create(Child(name="A"), NOW)
    monkeypatch.undo()
    assert visible == [[]]
    assert list(store.directory.iterdir()) == list(store.directory.glob(".*.lock"))


def _stale_temp_file(store: CaseStore, case_id: str) -> Path:
    tmp = store.directory / f".{case_id}.json.k1ll3d__.tmp"
    tmp.write_text(store.path(case_id).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp


def test_a_killed_writers_temporary_file_goes_at_the_next_write_of_its_case(
    store: CaseStore,
) -> None:
    case = store.create(Child(name="A"), NOW)
    other = store.create(Child(name="B"), NOW)
    mine, theirs = _stale_temp_file(store, case.id), _stale_temp_file(store, other.id)
    store.save(case)
    assert not mine.exists() and theirs.exists()


def test_list_and_remind_remove_temporary_files_of_free_cases_only(
    capsys: pytest.CaptureFixture[str], store: CaseStore, isolated: Path
) -> None:
    free = store.create(Child(name="A"), NOW)
    busy = store.create(Child(name="B"), NOW)
    free_tmp, busy_tmp = _stale_temp_file(store, free.id), _stale_temp_file(store, busy.id)
    writer = CaseStore(isolated)
    with writer.locked(busy.id):  # its writer may still be writing its temporary file
        assert run(capsys, "list").code == 0
        assert not free_tmp.exists() and busy_tmp.exists()
        assert run(capsys, "remind").code == 0
        assert busy_tmp.exists()
    assert run(capsys, "remind").code == 0
    assert not busy_tmp.exists()


def test_a_second_writer_waits_for_the_first_and_says_so_once(
    store: CaseStore, isolated: Path
) -> None:
    case = store.create(Child(name="A"), NOW)
    notices: list[str] = []
    other = CaseStore(isolated, notice=notices.append)
    with held_by_another_process(isolated, case.id, 0.3):
        started = time.monotonic()
        other.save(case)
        other.save(case)
    assert 0.1 < time.monotonic() - started < 5
    assert notices == [f"Väntar på ärendet {case.id}, som är öppet i en annan kronobarn-session …"]


def test_a_second_writer_is_refused_clearly_after_waiting(
    capsys: pytest.CaptureFixture[str],
    store: CaseStore,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = store.create(Child(name="A"), NOW)
    monkeypatch.setattr("kronobarn_cli.store.case_files.LOCK_WAIT_SECONDS", 0.2)
    with held_by_another_process(isolated, case.id, 0.6):
        result = run(capsys, "close", case.id, "--reason", "Klart")
    waiting, refused = result.err.strip().splitlines()
    assert waiting == f"Väntar på ärendet {case.id}, som är öppet i en annan kronobarn-session …"
    assert refused == (
        f"Fel: Ärendet {case.id} är öppet i en annan kronobarn-session (väntade 0.2 sekunder). "
        "Avsluta den först och försök igen."
    )
    assert result.code == 1 and store.load(case.id).closed is None


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_the_store_and_the_parents_it_creates_are_private(tmp_path: Path, umask: int) -> None:
    home = tmp_path / "a" / "b" / "kronobarn"
    old = os.umask(umask)
    try:
        CaseStore(home).create(Child(name="A"), NOW)
    finally:
        os.umask(old)
    for directory in (tmp_path / "a", tmp_path / "a" / "b", home, home / "arenden"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_a_store_others_can_read_is_warned_about_once(
    capsys: pytest.CaptureFixture[str], store: CaseStore, isolated: Path
) -> None:
    case = store.create(Child(name="A"), NOW)
    isolated.chmod(0o755)
    store.path(case.id).chmod(0o644)
    result = run(capsys, "list")
    assert result.code == 0
    assert result.err.splitlines() == [
        f"Varning: {isolated} kan läsas av andra användare (rättigheter 755). "
        f"Skydda den med: chmod 700 {isolated}"
    ]


def test_kronobarn_home_that_is_a_file_is_an_error(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    isolated.parent.mkdir(parents=True, exist_ok=True)
    isolated.write_text("inte en katalog")
    for args in (("list",), ("remind",), ("show", "aaaaaa"), ("close", "aaaaaa", "--reason", "x")):
        line = run(capsys, *args).one_swedish_line()
        assert f"{isolated} är ingen katalog" in line, (args, line)
    assert isolated.read_text() == "inte en katalog"


def test_a_symlinked_lock_file_is_one_swedish_line(
    capsys: pytest.CaptureFixture[str], store: CaseStore, tmp_path: Path
) -> None:
    case = store.create(Child(name="A"), NOW)
    lock = store.directory / f".{case.id}.lock"
    lock.unlink()
    lock.symlink_to(tmp_path / "elsewhere")
    line = run(capsys, "close", case.id, "--reason", "Klart").one_swedish_line()
    assert (
        line == f"Fel: Låsfilen {lock} kan inte användas: sökvägen är en symbolisk länk "
        "(eller en slinga av länkar)."
    )
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("kind", ["symlink", "fifo", "huge"])
def test_a_case_file_that_is_not_a_plain_file_of_sensible_size_is_reported(
    capsys: pytest.CaptureFixture[str],
    store: CaseStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    case = store.create(Child(name="A"), NOW)
    path = store.path(case.id)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    expected = {"symlink": "är en symbolisk länk", "fifo": "är ingen vanlig fil",
                "huge": "filen är större än"}[kind]  # fmt: skip
    if kind == "symlink":
        path.symlink_to(elsewhere)
    elif kind == "fifo":
        os.mkfifo(path, 0o600)  # reading it would wait for a writer forever
    else:
        path.write_bytes(elsewhere.read_bytes())
        path.chmod(0o600)
        monkeypatch.setattr("kronobarn_cli.store.case_codec.MAX_CASE_BYTES", 100)
    for args in (("show", case.id), ("close", case.id, "--reason", "x")):
        line = run(capsys, *args).one_swedish_line()
        assert line.startswith(f"Fel: Ärendefilen {path} kan inte läsas: {expected}"), line
    listed = run(capsys, "list")
    assert listed.code == 1 and expected in listed.err
    assert json.loads(elsewhere.read_bytes())["closed"] is None  # nothing written through a link


def test_a_current_case_file_is_read_in_one_pass_as_the_full_path_reads_it(
    isolated: Path,
) -> None:
    """The fast path (pydantic-core parsing the bytes) gives the very case the full path
    (json, migration, validation) gives; an older file or an escaped surrogate takes the full
    path."""
    store = CaseStore(isolated)
    assert in_process("new-case", "--answers", str(REPO / "examples" / "svar.yaml")).returncode == 0
    [written] = store.directory.glob("*.json")
    raw = written.read_bytes()
    fast = store_module._current(raw)
    assert fast is not None
    assert fast == Case.model_validate(migrate(json.loads(raw)))
    old = (REPO / "tests" / "fixtures" / "case-v3.json").read_bytes()
    assert store_module._current(old) is None
    assert store_module._current(raw.replace(b'"E. K."', b'"E. \\ud800"')) is None


def test_a_case_directory_given_itself_locks_its_cases_there(tmp_path: Path) -> None:
    """`db import DIR` of a bare case directory (no `arenden/` inside): the store reads the
    files there, and its case locks are taken there too, not in a folder that does not exist."""
    from kronobarn_cli.store.moves import file_store  # noqa: PLC0415

    bare = tmp_path / "kopia"
    bare.mkdir()
    (bare / "k3m9qa.json").write_text("{}", encoding="utf-8")
    source = file_store(bare)
    with source.locked("k3m9qa"):
        assert (bare / ".k3m9qa.lock").exists()
    assert not (bare / "arenden").exists()


@pytest.mark.parametrize("grown", [False, True])
def test_a_case_file_read_in_short_pieces_or_grown_since_its_size_was_taken_is_read_whole(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch, grown: bool
) -> None:
    """A file is read in one piece of the size `fstat` gave; a read that comes back short (a
    network file system) or a file that grew since goes on to the end, up to the limit."""
    case = store.create(Child(name="A"), NOW)
    path = store.path(case.id)
    real_read, real_fstat = os.read, os.fstat
    monkeypatch.setattr(case_codec.os, "read", lambda fd, n: real_read(fd, min(n, 7)))
    if grown:
        monkeypatch.setattr(
            case_codec.os,
            "fstat",
            lambda fd: SimpleNamespace(st_mode=real_fstat(fd).st_mode, st_size=10),
        )
    assert store.load(case.id) == case
    monkeypatch.setattr(case_codec, "MAX_CASE_BYTES", path.stat().st_size - 1)
    with pytest.raises(CaseFileError, match="filen är större än"):
        store.load(case.id)
