"""Property-based tests: whatever a broken or hostile file holds, the command ends in one
Swedish line (or succeeds), never a traceback or exit 70, and nothing saved is overwritten.

Answers files, case files, checklists and `config.yaml` are generated as wrong types, huge,
deep or aliased YAML, invalid UTF-8, duplicate keys, impossible dates and random damage to a
valid file. Examples are few so the file runs in seconds; `HYPOTHESIS_PROFILE=thorough` runs
more.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyrage import encrypt, x25519

from kronobarn_cli import cli
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import REPO, fixed_clock
from ..helpers import Run, run
from ..scenario import realistic_case

settings.register_profile(
    "quick",
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("quick"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


def fewer(factor: int) -> settings:
    """For the slower properties (each example runs several commands or reads every checklist)."""
    return settings(max_examples=max(5, settings().max_examples // factor))


EXAMPLE = (REPO / "examples" / "svar.yaml").read_bytes()

# Pieces of hostile YAML spliced into otherwise valid files.
HOSTILE_YAML = [
    b"2027-02-30", b"2026-13-45 25:61:00", b"&a [1, 2]", b"*a", b"*nothing", b"<<: *a",
    b"[" * 200, b"{" * 200, b"!!python/object/apply:os.system [id]", b"!!binary aGVq",
    b"\xff\xfe", b"\xed\xa0\x80", b"\x00", b"\x1b[2J", b"\t", b"\r", b"\xe2\x80\xae",
    b"? [1, 2]\n: x", b"namn: A\nnamn: B", b"- ", b": ", b"'", b'"', b"#", b"---\n",
    b"9" * 5000, b"1e999", b".nan", b"-.inf", b"0x1F", b"0o17", b"yes", b"~", b"null",
    b"|", b">", b"%YAML 1.1\n---\n", b"!!set {a, b}", b"!!omap [a: 1]", b"x" * 3000,
    b'"\\ud800"', b'"a\\nb"', b"? |\n  x\n  y\n: 1",
]  # fmt: skip

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.dates(),
    st.sampled_from(["2027-02-30", "[1, 2]", "skola", "ja", "nej", "idag", "09:30", "&", "*"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """`original` with a few random cuts, splices of hostile YAML and random bytes."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["splice", "cut", "bytes", "replace"]))
        if action == "splice":
            data[at:at] = draw(st.sampled_from(HOSTILE_YAML))
        elif action == "cut":
            data[at : at + draw(st.integers(min_value=1, max_value=200))] = b""
        elif action == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            end = at + draw(st.integers(min_value=1, max_value=20))
            data[at:end] = draw(st.sampled_from(HOSTILE_YAML))
    return bytes(data)


def assert_one_line_or_success(result: Run, args: tuple[str, ...] = ()) -> None:
    assert result.code != cli.EXIT_INTERNAL, (args, result.err)
    assert "Traceback" not in result.err, result.err
    if result.code != 0:
        result.one_swedish_line()


@pytest.fixture
def workflow_once(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> Workflow:
    """The shipped checklists, read once: each example then costs milliseconds."""
    monkeypatch.setattr(cli.shared, "_workflow", lambda: workflow)
    return workflow


@pytest.fixture
def existing(store: CaseStore, workflow: Workflow) -> Iterator[list[str]]:
    """The file names of a case already saved; at the end it must be exactly as it was."""
    realistic_case(store, workflow, fixed_clock)
    saved = {p.name: p.read_bytes() for p in store.directory.glob("*.json")}
    yield sorted(saved)
    now = {p.name: p.read_bytes() for p in store.directory.glob("*.json")}
    assert now.items() >= saved.items()


def new_files(store: CaseStore, saved: list[str]) -> set[str]:
    return {p.name for p in store.directory.glob("*.json")} - set(saved)


# -- answers files --------------------------------------------------------------------------------


@pytest.mark.usefixtures("workflow_once")
@given(content=st.one_of(damaged(EXAMPLE), st.binary(max_size=300)))
def test_a_damaged_answers_file_is_one_line_and_saves_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    store: CaseStore,
    existing: list[str],
    content: bytes,
) -> None:
    path = tmp_path / "svar.yaml"
    path.write_bytes(content)
    result = run(capsys, "new-case", "--answers", str(path))
    assert_one_line_or_success(result)
    created = new_files(store, existing)
    assert len(created) == (1 if result.code == 0 else 0), (result.code, created)
    for name in created:  # a case the file did describe stays out of the next example's way
        store.directory.joinpath(name).unlink()


answers_documents = st.fixed_dictionaries(
    {"barn": yaml_values, "svar": yaml_values},
    optional={"annat": yaml_values},
)


@pytest.mark.usefixtures("workflow_once")
@given(document=answers_documents)
def test_answers_of_any_shape_are_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    store: CaseStore,
    existing: list[str],
    document: dict[str, Any],
) -> None:
    path = tmp_path / "svar.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = run(capsys, "new-case", "--answers", str(path))
    assert_one_line_or_success(result)
    for name in new_files(store, existing):
        store.directory.joinpath(name).unlink()


# -- case files -----------------------------------------------------------------------------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["2027-02-30", "zzzzzz", "../x", "aktiverad", "\u202e", "=1+1"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=15,
)


def commands_on(case_id: str) -> list[tuple[str, ...]]:
    return [
        ("list",),
        ("remind",),
        ("export", case_id),
        ("plan", case_id, "show"),
        ("plan", case_id, "done", "1"),
        ("close", case_id, "--reason", "x"),
    ]


@st.composite
def damaged_case_file(draw: st.DrawFn, original: dict[str, Any]) -> bytes:
    kind = draw(st.sampled_from(["field", "field", "field", "bytes", "deep", "duplicate"]))
    if kind == "bytes":
        return draw(damaged(json.dumps(original, indent=2).encode()))
    if kind == "deep":
        depth = draw(st.integers(min_value=50, max_value=100_000))
        return b'{"id": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == "duplicate":
        text = json.dumps(original)
        return (text[:-1] + ', "id": "zzzzzz"}').encode()
    data = json.loads(json.dumps(original))
    paths = list(_paths(data))[1:]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        target = data
        try:
            for part in path[:-1]:
                target = target[part]
            if draw(st.booleans()):
                target[path[-1]] = draw(json_values)
            elif isinstance(target, dict):
                target.pop(path[-1], None)
        except (KeyError, IndexError, TypeError):
            continue
    return json.dumps(data).encode()


@fewer(2)
@given(data=st.data())
@pytest.mark.usefixtures("workflow_once")
def test_a_damaged_case_file_is_reported_and_never_overwritten(
    capsys: pytest.CaptureFixture[str], store: CaseStore, existing: list[str], data: st.DataObject
) -> None:
    [name] = existing
    case_id = name.removesuffix(".json")
    path = store.directory / name
    original = path.read_bytes()
    content = data.draw(damaged_case_file(json.loads(original)))
    path.write_bytes(content)
    try:
        shown = run(capsys, "show", case_id)
        assert_one_line_or_success(shown)
        for args in commands_on(case_id):
            assert_one_line_or_success(run(capsys, *args), args)
        if shown.code != 0:
            assert path.read_bytes() == content  # never written over
    finally:
        path.write_bytes(original)
        path.chmod(0o600)


# -- checklists and config.yaml -------------------------------------------------------------------


@pytest.fixture
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("county")
    shutil.copytree(REPO / "checklists", directory, dirs_exist_ok=True)
    return directory


CHECKLIST_FILES = sorted(p.name for p in (REPO / "checklists").glob("*.yaml"))


@fewer(3)
@given(data=st.data())
def test_a_damaged_checklist_is_reported_as_file_and_line(
    capsys: pytest.CaptureFixture[str], county: Path, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(CHECKLIST_FILES))
    original = (REPO / "checklists" / name).read_bytes()
    content = data.draw(damaged(original))
    assume(content != original)
    (county / name).write_bytes(content)
    try:
        result = run(capsys, "checklists", "validate", str(county))
        assert result.code in (0, 1), result.err
        assert "Traceback" not in result.err
        for line in result.err.strip().splitlines()[:-1]:
            assert line.startswith(str(county)), line
    finally:
        (county / name).write_bytes(original)


@given(content=st.one_of(damaged(b"remind_within: 14d\nconsent_days: 14\n"),
                         yaml_values.map(lambda v: yaml.safe_dump(v).encode())))  # fmt: skip
def test_a_damaged_config_yaml_is_one_line(
    capsys: pytest.CaptureFixture[str], isolated: Path, content: bytes
) -> None:
    isolated.mkdir(parents=True, exist_ok=True)
    (isolated / "config.yaml").write_bytes(content)
    result = run(capsys, "remind", "--today", date(2026, 11, 23).isoformat())
    assert_one_line_or_success(result)


# -- handover files -------------------------------------------------------------------------------

FIXTURE_V2 = json.loads((REPO / "tests" / "fixtures" / "case-v2.json").read_text(encoding="utf-8"))
RECEIVER = x25519.Identity.generate()


def sealed(plain: bytes) -> bytes:
    return encrypt(plain, [RECEIVER.to_public()])


# Encrypted once: age's output differs at every run, and hypothesis replays its examples.
SEALED_V2 = sealed(
    json.dumps({"format": "kronobarn-handover", "version": 1, "case": FIXTURE_V2}).encode()
)


@st.composite
def hostile_handover(draw: st.DrawFn) -> bytes:
    """A handover file damaged after encryption, or a well-sealed envelope around a damaged case
    or a document of any shape."""
    kind = draw(st.sampled_from(["ciphertext", "case", "case", "document"]))
    if kind == "ciphertext":
        return bytes(draw(damaged(SEALED_V2)))
    if kind == "document":
        return sealed(json.dumps(draw(json_values)).encode())
    case = draw(damaged_case_file(FIXTURE_V2))  # not always JSON: nor is the envelope then
    return sealed(b'{"format": "kronobarn-handover", "version": 1, "case": ' + case + b"}")


@fewer(2)
@given(data=st.data())
@pytest.mark.usefixtures("workflow_once")
def test_a_damaged_or_hostile_handover_file_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: CaseStore, data: st.DataObject
) -> None:
    key_file = tmp_path / "nyckel.txt"
    key_file.write_text(f"{RECEIVER}\n", encoding="utf-8")
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(data.draw(hostile_handover()))
    result = run(capsys, "import", str(bundle), "--identity", str(key_file))
    assert_one_line_or_success(result)
    written = list(store.directory.glob("*.json")) if store.directory.exists() else []
    assert len(written) == (1 if result.code == 0 else 0), (result.code, result.err)
    for path in written:  # an envelope that did hold a sound case stays out of the next example
        path.unlink()
