"""Files a user or a county controls may be broken or hostile: each ends in one Swedish line.

Answers files, `config.yaml`, checklists, case files, county templates and case ids given on the
command line. Never a traceback, never exit 70, never a hang, and nothing saved is overwritten.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Child
from kronobarn_cli.errors import InputFileError
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.support import safe_yaml

from ..conftest import NOW, REPO, fixed_clock
from ..helpers import run
from ..scenario import realistic_case

EXAMPLE = (REPO / "examples" / "svar.yaml").read_text(encoding="utf-8")


def _bomb() -> str:
    """Nine levels of nine aliases each: 9**9 strings once expanded (the 'billion laughs')."""
    lines = ["  x0: &l0 [" + ", ".join(['"lol"'] * 9) + "]\n"]
    lines += [f"  x{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]\n" for n in range(1, 9)]
    return "".join(lines)


BOMB = _bomb()


def answers_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "svar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def nothing_saved(home: Path) -> bool:
    return not list((home / "arenden").glob("*.json"))


# -- YAML: answers files, config.yaml, checklists -------------------------------------------------


def test_an_impossible_date_in_an_answers_file_names_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated: Path
) -> None:
    text = EXAMPLE.replace("datum: 2026-11-20", "datum: 2027-02-30")
    path = answers_file(tmp_path, text)
    line = run(capsys, "new-case", "--answers", str(path)).one_swedish_line()
    assert line == f"Fel: {path}:{line_of(text, '2027-02-30')}: ogiltigt datum '2027-02-30'"
    assert nothing_saved(isolated)


def test_unquoted_valid_dates_in_an_answers_file_still_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated: Path
) -> None:
    result = run(capsys, "new-case", "--answers", str(answers_file(tmp_path, EXAMPLE)))
    assert result.code == 0, result.err
    assert len(list((isolated / "arenden").glob("*.json"))) == 1


def test_an_impossible_date_in_config_yaml_names_file_and_line(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    isolated.mkdir(parents=True)
    (isolated / "config.yaml").write_text("consent_days: 14\nremind_within: 2027-02-30\n")
    line = run(capsys, "remind").one_swedish_line()
    assert line == f"Fel: {isolated / 'config.yaml'}:2: ogiltigt datum '2027-02-30'"


def test_an_impossible_date_in_a_checklist_names_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    county = tmp_path / "county"
    shutil.copytree(REPO / "checklists", county)
    path = county / "01-behov-av-samverkan.yaml"
    text = path.read_text(encoding="utf-8").replace("number: 1\n", "number: 2027-02-30\n")
    path.write_text(text, encoding="utf-8")
    result = run(capsys, "checklists", "validate", str(county))
    assert result.code == 1
    assert f"{path}:{line_of(text, '2027-02-30')}: ogiltigt datum '2027-02-30'" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "barn:\n" + BOMB + "  namn: *l8\n", "ankare (&namn) används inte", id="barn.namn"
        ),
        pytest.param(
            "barn: {namn: A}\nsvar:\n  a: &x 1\n  b: *x\n", "ankare (&namn) används inte", id="svar"
        ),
        pytest.param(
            "barn: {namn: " + "[" * 50_000 + "]" * 50_000 + "}\n", "för djupt nästlad", id="djup"
        ),
        pytest.param(
            "barn: {namn: A}\nsvar:\n" + "  - x\n" * 30_000, "för många värden", id="många"
        ),
        pytest.param("barn: {namn: A}\n# " + "x" * 300_000 + "\n", "för stor", id="stor"),
        pytest.param(
            "barn: {namn: A}\nbarn: {namn: B}\n",
            "nyckeln 'barn' förekommer två gånger",
            id="dubbel",
        ),
        pytest.param("barn: {namn: A\x07}\n", "otillåtet tecken U+0007", id="tecken"),
        pytest.param("barn:\n  namn: [1, 2]\n", "barn.namn ska vara text", id="lista"),
        pytest.param(
            "barn: {namn: A, fodelsear: " + "9" * 5000 + "}\n", "ogiltigt värde", id="tal"
        ),
        pytest.param("barn: !!python/object/apply:os.system [id]\n", "ogiltig YAML", id="python"),
        pytest.param('barn: {namn: "A\\ud800"}\n', "ogiltigt tecken U+D800", id="surrogat"),
        pytest.param(
            'barn: {namn: A}\n"fel\\nnyckel": 1\n', "okänd nyckel 'fel\\nnyckel'", id="radbrytning"
        ),
    ],
)
def test_a_hostile_answers_file_is_one_line_within_a_second(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    isolated: Path,
    text: str,
    message: str,
) -> None:
    path = answers_file(tmp_path, text)
    # The second is the command's own work (CPU time of this process, where it runs): the wall
    # clock also counts the time other processes take, and the other test workers take much.
    # The wall clock still has a bound, for a command that waits instead of working.
    started, worked = time.perf_counter(), time.process_time()
    line = run(capsys, "new-case", "--answers", str(path)).one_swedish_line()
    assert time.process_time() - worked < 1
    assert time.perf_counter() - started < 5
    assert line.startswith(f"Fel: {path}") and message in line, line
    assert nothing_saved(isolated)


def test_invalid_utf8_in_an_answers_file_names_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "svar.yaml"
    path.write_bytes(b"barn:\n  namn: \xff\xfe\n")
    line = run(capsys, "new-case", "--answers", str(path)).one_swedish_line()
    assert line == f"Fel: {path}:2: är inte text i UTF-8"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("remind_within: &w 14d\nconsent_days: *w\n", ":1: ankare (&namn) används inte"),
        ("consent_days: " + "[" * 10_000, ":1: för djupt nästlad"),
        ("consent_days: 3\nconsent_days: 4\n", ":2: nyckeln 'consent_days' förekommer två gånger"),
        ("consent_days: [1, 2]\n", ":1: consent_days: ska vara ett heltal"),
    ],
)
def test_a_hostile_config_yaml_is_one_line(
    capsys: pytest.CaptureFixture[str], isolated: Path, text: str, message: str
) -> None:
    isolated.mkdir(parents=True)
    (isolated / "config.yaml").write_text(text)
    line = run(capsys, "remind").one_swedish_line()
    assert line.startswith(f"Fel: {isolated / 'config.yaml'}") and message in line, line


def test_an_alias_bomb_or_deep_nesting_in_a_checklist_is_reported_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    county = tmp_path / "county"
    shutil.copytree(REPO / "checklists", county)
    bomb = county / "01-behov-av-samverkan.yaml"
    bomb.write_text(bomb.read_text(encoding="utf-8") + "bomb:\n" + BOMB, encoding="utf-8")
    deep = county / "02-samtycke.yaml"
    deep.write_text("id: [" + "{a: " * 5000 + "}" * 5000 + "]\n", encoding="utf-8")
    started = time.perf_counter()
    result = run(capsys, "checklists", "validate", str(county))
    assert time.perf_counter() - started < 2
    assert result.code == 1
    assert f"{bomb}:" in result.err and "för stor eller för djupt nästlad" in result.err
    assert f"{deep}:1: för djupt nästlad" in result.err
    assert "Traceback" not in result.err


def test_checklists_may_still_use_a_plain_alias(tmp_path: Path) -> None:
    text = "a: &x [1, 2]\nb: *x\n"
    assert safe_yaml.parse(text, "x.yaml", allow_aliases=True).data == {"a": [1, 2], "b": [1, 2]}


def test_a_case_file_with_an_escaped_lone_surrogate_is_reported_and_kept(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    case = store.create(Child(name="A"), NOW)
    path = store.path(case.id)
    broken = path.read_bytes().replace(b'"name": "A"', b'"name": "A\\ud800"')
    path.write_bytes(broken)
    line = run(capsys, "close", case.id, "--reason", "Klart").one_swedish_line()
    assert (
        line
        == f"Fel: Ärendefilen {path} kan inte läsas: ogiltig JSON (ett \\u-tecken som inte finns)"
    )
    assert path.read_bytes() == broken


@pytest.mark.parametrize("field", ["meetings", "consents"])
def test_a_version_1_case_file_whose_lists_are_not_lists_is_reported_and_kept(
    capsys: pytest.CaptureFixture[str], store: CaseStore, field: str
) -> None:
    case = store.create(Child(name="A"), NOW)
    path = store.path(case.id)
    data = json.loads(path.read_bytes())
    del data["schema_version"]  # read as the first release's file, and migrated
    data[field] = True
    broken = json.dumps(data).encode()
    path.write_bytes(broken)
    line = run(capsys, "show", case.id).one_swedish_line()
    assert line.startswith(f"Fel: Ärendefilen {path} kan inte läsas: {field}")
    assert path.read_bytes() == broken


def test_a_close_reason_longer_than_the_file_allows_is_one_line_and_keeps_the_case(
    capsys: pytest.CaptureFixture[str], store: CaseStore
) -> None:
    case = store.create(Child(name="A"), NOW)
    before = store.path(case.id).read_bytes()
    line = run(capsys, "close", case.id, "--reason", "x" * 2001).one_swedish_line()
    assert line == "Fel: --reason: texten är för lång (högst 2000 tecken)."
    assert store.path(case.id).read_bytes() == before
    assert json.loads(before)["closed"] is None


# -- county templates -----------------------------------------------------------------------------


@pytest.fixture
def planned(store: CaseStore, workflow: Workflow) -> str:
    return realistic_case(store, workflow, fixed_clock).case.id


@pytest.fixture
def quick_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kronobarn_cli.render.sandbox.MAX_SECONDS", 0.5)


def county_template(tmp_path: Path, text: str) -> Path:
    directory = tmp_path / "mallar"
    directory.mkdir(exist_ok=True)
    (directory / "plan.md.j2").write_text(text, encoding="utf-8")
    return directory


def test_a_county_template_cannot_reach_python_internals(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    planned: str,
) -> None:
    attack = "{{ cycler.__init__.__globals__.os.popen('echo PWNED').read() }}\n"
    monkeypatch.setenv("KRONOBARN_TEMPLATES", str(county_template(tmp_path, attack)))
    result = run(capsys, "export", planned)
    line = result.one_swedish_line()
    assert f"({tmp_path / 'mallar' / 'plan.md.j2'}:1)" in line and "sandlåda" in line, line
    assert "PWNED" not in result.out


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param("{% for i in range(10**9) %}x{% endfor %}", "range() ger", id="range"),
        pytest.param(
            "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
            "för mycket arbete|längre tid än",  # whichever bound a slow machine meets first
            id="nested-range",
        ),
        pytest.param(
            "{% set s = 'x' * 9999 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
            "längre tid än",
            id="nested-text",
        ),
        pytest.param("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "för djupt", id="recur"),
        pytest.param(
            "{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f('x') }}", "för lång text", id="grow"
        ),
        pytest.param("{{ 'x' * 10**9 }}", "upprepas för många", id="repeat"),
        pytest.param("{{ 'x'|center(10**9) }}", "center() med", id="filter"),
        pytest.param("{{ 'x'.ljust(10**9) }}", "ljust() med", id="method"),
        pytest.param("{{ '{:>99999999}'.format(1) }}", "formatsträng", id="format"),
        pytest.param("{{ 2 ** (10**9) }}", "exponent", id="power"),
        pytest.param("\n\n{% for x in actions %}\n{{ x.what", "syntaxfel", id="syntax"),
        pytest.param("{{ 1 / 0 }}", "ZeroDivisionError", id="zero"),
    ],
)
@pytest.mark.usefixtures("quick_sandbox")
def test_a_runaway_or_broken_template_is_one_line_naming_the_template(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, planned: str, template: str, message: str
) -> None:
    directory = county_template(tmp_path, template)
    started = time.perf_counter()
    line = run(capsys, "export", planned, "--templates", str(directory)).one_swedish_line()
    assert time.perf_counter() - started < 5
    assert line.startswith(f"Fel: Mallen plan.md.j2 kan inte användas ({directory / 'plan.md.j2'}")
    assert any(part in line for part in message.split("|")), line


def test_a_template_error_names_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, planned: str
) -> None:
    directory = county_template(tmp_path, "# Plan\n\n{{ finns_inte }}\n")
    line = run(capsys, "export", planned, "--templates", str(directory)).one_swedish_line()
    assert line == (
        f"Fel: Mallen plan.md.j2 kan inte användas ({directory / 'plan.md.j2'}:3): "
        "'finns_inte' finns inte i mallens data"
    )


def test_a_template_directory_that_does_not_exist_is_an_error(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    planned: str,
) -> None:
    missing = tmp_path / "finns-inte"
    line = run(capsys, "export", planned, "--templates", str(missing)).one_swedish_line()
    assert line == f"Fel: Mallkatalogen {missing} (--templates) finns inte eller är ingen katalog."
    monkeypatch.setenv("KRONOBARN_TEMPLATES", str(missing))
    line = run(capsys, "export", planned).one_swedish_line()
    assert f"{missing} (KRONOBARN_TEMPLATES) finns inte" in line


def test_ordinary_county_templates_still_work_in_the_sandbox(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, planned: str
) -> None:
    text = (
        "{% for a in actions %}{{ loop.index }}. {{ a.what|upper }} ({{ a.due }})\n{% endfor %}"
        "{% for i in range(3) %}{{ i }}{% endfor %} {{ '{} år'.format(2026) }} "
        "{{ participants|join(', ')|truncate(40) }} {{ '%05d' % 42 }}\n"
    )
    result = run(capsys, "export", planned, "--templates", str(county_template(tmp_path, text)))
    assert result.code == 0, result.err
    assert "1. ANPASSAT SCHEMA" in result.out and "012 2026 år" in result.out
    assert "00042" in result.out


@pytest.mark.parametrize(
    ("section", "value"),
    [
        ("barnets-plan", {"atgarder": [["inte en insats"]]}),
        ("barnets-plan", {"atgarder": [{"status": "planerad"}]}),
        ("initiera-och-bjuda-in", {"inbjudna": [{"satt": "link"}]}),
    ],
)
def test_plan_verbs_on_stored_answers_of_the_wrong_shape_report_the_file(
    capsys: pytest.CaptureFixture[str], store: CaseStore, planned: str, section: str, value: object
) -> None:
    path = store.path(planned)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["meetings"][0]["answers"][section] = value  # hand-edited; the model keeps answers as-is
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    for args in (("done", "1"), *[("add", "--what", "x", "--organisation", "skola", "--due",
                 "2035-01-01", "--area", "trygg")]):  # fmt: skip
        line = run(capsys, "plan", planned, *args).one_swedish_line()
        broken = f"Fel: Ärendefilen {path} kan inte läsas: svaren i ärendets möten har fel form"
        assert line.startswith(broken) or line == "Fel: Vad ska göras?: svar saknas.", line
    assert path.read_bytes() == before


# The words PyYAML explains its problems with; none of them may reach the user.
YAML_ENGLISH = re.compile(r"\b(expected|found|while|but|got|could|not|scanning|parsing|token)\b")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="[]{}:,-'\"&*!%?|>\n\t @ab#\\", max_size=24))
def test_a_yaml_syntax_error_is_told_in_swedish_with_its_line(text: str) -> None:
    try:
        safe_yaml.parse(text, "svar.yaml", allow_aliases=True)
    except InputFileError as exc:
        assert exc.message.startswith("svar.yaml:"), exc.message
        assert not YAML_ENGLISH.search(exc.detail), exc.detail
