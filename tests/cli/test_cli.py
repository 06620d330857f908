"""The installed command: Swedish one-line errors, exit codes, listing, help pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer

from kronobarn_cli import cli
from kronobarn_cli.checklists.loader import load_workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW, REPO, fixed_clock
from ..helpers import Completed, in_process
from ..scenario import (
    COORDINATION,
    GUARDIAN_ORAL,
    GUARDIANS,
    INVITATION,
    MEETING,
    PLAN,
    activate_need,
    answer_all,
)
from ..startup import MODEL, RICH, loaded_by

ENGLISH = ("Usage", "Options", "Arguments", "Commands", "Show this message", "[required]",
           "Error", "Missing", "Traceback")  # fmt: skip
# Typer's own tags and type names in a help page, which kronobarn draws in Swedish.
ENGLISH_TAGS = ("[default:", "[env var:", "(dynamic)", "<bool>", "<str>", "<path>", "<int>")


def kronobarn(*args: str, stdin: str | None = "") -> Completed:
    return in_process(*args, stdin=stdin)


def one_swedish_line(run: subprocess.CompletedProcess[str]) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Fel: ")
    assert not any(word in run.stderr for word in ENGLISH)
    return lines[0]


def test_new_case_without_a_terminal_fails_at_once() -> None:
    run = kronobarn("new-case")
    assert run.returncode == 2
    assert "behöver en terminal" in one_swedish_line(run)


def test_resume_without_a_terminal_fails_at_once(store: CaseStore) -> None:
    case = store.create(Child(name="A"), NOW)
    run = kronobarn("resume", case.id)
    assert run.returncode == 2
    assert "behöver en terminal" in one_swedish_line(run)


@pytest.mark.parametrize("args", [("resume",), ("okänt-kommando",), ("list", "--okänd")])
def test_usage_errors_are_one_swedish_line(args: tuple[str, ...]) -> None:
    run = kronobarn(*args)
    assert run.returncode == 2
    one_swedish_line(run)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("export", "abcdef", "--meeting", "abc"), "--meeting ska vara ett heltal"),
        (("plan", "abcdef", "done", "x"), "NR ska vara ett heltal. Se 'kronobarn plan ID done"),
        (("remind", "--within"), "--within behöver ett värde"),
        (("list", "--json=ja"), "--json tar inget värde"),
    ],
)
def test_a_bad_or_missing_value_names_its_option_or_argument(
    args: tuple[str, ...], said: str
) -> None:
    run = kronobarn(*args)
    assert run.returncode == 2
    assert said in one_swedish_line(run)


def test_ctrl_c_before_a_command_handles_it_still_says_avbrutet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Typer turns Ctrl-C during its parsing, or before a command's own handling, into exit
    code 130 without a word."""

    def interrupted(command: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.shared, "_store", interrupted)
    run = kronobarn("list")
    assert run.returncode == cli.EXIT_INTERRUPTED
    assert run.stderr.strip() == "Avbrutet."


INTERRUPTED_WHILE_LOADING = """
import sys

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "kronobarn_cli.cli":
            raise KeyboardInterrupt

sys.meta_path.insert(0, Interrupt())
from kronobarn_cli import launch
launch.main()
"""


def test_ctrl_c_while_the_program_is_still_loading_says_avbrutet() -> None:
    """The installed command starts in `launch`, which imports the program itself."""
    with (REPO / "pyproject.toml").open("rb") as handle:
        scripts = tomllib.load(handle)["project"]["scripts"]
    assert scripts == {"kronobarn": "kronobarn_cli.launch:main"}
    run = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_WHILE_LOADING],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == cli.EXIT_INTERRUPTED
    assert run.stderr.strip() == "Avbrutet.", run.stderr


def test_unknown_case_id(isolated: Path) -> None:
    run = kronobarn("resume", "abcdef")
    assert run.returncode == 1
    assert "Det finns inget ärende med id 'abcdef'" in one_swedish_line(run)


def test_resume_of_an_unreadable_case_file_names_it(store: CaseStore) -> None:
    case = store.create(Child(name="A"), NOW)
    store.path(case.id).write_text("{", encoding="utf-8")
    run = kronobarn("resume", case.id)
    assert run.returncode == 1
    assert str(store.path(case.id)) in one_swedish_line(run)


def every_command() -> list[tuple[str, ...]]:
    """Every command line the app has, from the app itself (a group taking an id gets one)."""
    found: list[tuple[str, ...]] = [()]

    def visit(group: Any, path: tuple[str, ...]) -> None:
        takes_id = any(p.param_type_name == "argument" for p in group.params)
        for name, command in group.commands.items():
            prefix = (*path, "x") if takes_id else path
            found.append((*prefix, name))
            if hasattr(command, "commands"):  # a group of its own
                visit(command, (*prefix, name))

    visit(typer.main.get_command(cli.app), ())
    return found


def test_help_pages_are_swedish_and_show_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    commands = every_command()
    assert {
        ("consent", "x", "withdraw"),
        ("plan", "x", "add"),
        ("log",),
        ("handover",),
        ("import",),
    } <= set(commands)
    for args in commands:
        with pytest.raises(SystemExit) as ended:
            cli.main([*args, "--help"])
        shown = capsys.readouterr().out
        assert ended.value.code == 0, args
        assert "Användning: kronobarn" in shown, args
        assert "Exempel: kronobarn" in shown, args
        assert not any(word in shown for word in (*ENGLISH, *ENGLISH_TAGS)), shown


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ["Flaggor", "Kommandon", "[miljövariabel: KRONOBARN_USER]", "<sökväg>", "NAMN"]),
        (("resume",), ["Användning: kronobarn resume [FLAGGOR] [ID]", "Argument", "<text>"]),
        (("plan", "x", "done"), ["plan {ID} done [FLAGGOR] {NR}", "<heltal>", "[krävs]"]),
        (("plan", "x", "add"), ["--what", "[krävs]", "[standard: planerad]"]),
        (("new-case",), ["--help", "Visa den här hjälpen och avsluta."]),
    ],
)
def test_help_pages_name_their_parts_in_swedish(
    args: tuple[str, ...], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.main([*args, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for text in expected:
        assert text in shown, (text, shown)


def test_a_help_page_is_drawn_even_if_typer_cannot_name_a_type(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one Typer method the help page asks (a type's name) may change in a Typer release:
    the page loses its type column, never the help."""

    def changed(self: object, ctx: object) -> str:
        raise AttributeError("type_descriptor")

    monkeypatch.setattr(typer.core.TyperArgument, "display_type", changed)
    with pytest.raises(SystemExit) as ended:
        cli.main(["resume", "--help"])
    shown = capsys.readouterr().out
    assert ended.value.code == 0
    assert "Användning: kronobarn resume" in shown
    assert "Ärendets id" in shown
    assert "<text>" not in shown


def test_help_pages_need_no_typer_internals() -> None:
    """kronobarn draws its help pages itself (i18n, help_page) through public hooks, so Typer
    can be upgraded: Typer's own help renderer is never loaded, let alone patched."""
    code = (
        "import sys\n"
        "from kronobarn_cli import cli\n"
        "try:\n"
        "    cli.main(['plan', 'x', 'add', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('typer.rich_utils' in sys.modules, file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Användning: kronobarn plan" in run.stdout
    assert run.stderr.strip() == "False", run.stderr


def test_list_shows_id_child_status_and_last_change(store: CaseStore) -> None:
    case = store.create(Child(name="[bold]Bo[/bold]", birth_year=2015), NOW)
    run = kronobarn("list")
    assert run.returncode == 0, run.stderr
    assert case.id in run.stdout
    assert "[bold]Bo[/bold]" in run.stdout
    assert "bedömning pågår" in run.stdout
    assert NOW.strftime("%Y-%m-%d %H:%M") in run.stdout


def test_list_with_no_cases() -> None:
    run = kronobarn("list")
    assert run.returncode == 0
    assert "Inga ärenden ännu" in run.stdout


def test_list_reports_an_unreadable_case_file_and_keeps_it(store: CaseStore) -> None:
    case = store.create(Child(name="A"), NOW)
    path = store.path(case.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["status"] = "okänd"
    broken = json.dumps(data)
    path.write_text(broken, encoding="utf-8")
    run = kronobarn("list")
    assert run.returncode == 1
    assert str(path) in run.stderr and "status" in run.stderr
    assert "Traceback" not in run.stderr
    assert path.read_text(encoding="utf-8") == broken


def test_python_dash_m_runs_the_tool() -> None:
    run = kronobarn("--help")
    assert run.returncode == 0
    assert "Kronobarnsmodellen" in run.stdout


def finished_case(store: CaseStore) -> str:
    """A case through its first meeting, built through the same walk as the prompts use."""
    case = store.create(Child(name="[red]Ada[/red]", birth_year=2016), NOW)
    walk = Walk(load_workflow(), store, case, clock=fixed_clock)
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL]), *INVITATION, *MEETING, *PLAN])
    answer_all(walk, COORDINATION)
    return case.id


def test_show_prints_the_whole_case_meeting_by_meeting(store: CaseStore) -> None:
    case_id = finished_case(store)
    run = kronobarn("show", case_id)
    assert run.returncode == 0, run.stderr
    for expected in (
        f"Ärende {case_id}",
        "[red]Ada[/red]",  # typed text is shown as typed, not as markup
        "Möte 1",
        "Anpassat schema",
        "Barnets plan ersätter inte respektive professions dokumentation",
        "Samtycke har lämnats muntligen den 20 november 2026",
        "1 februari 2027",
    ):
        assert expected in " ".join(run.stdout.split()), expected


def test_close_needs_a_reason_and_ends_the_case(store: CaseStore) -> None:
    case_id = finished_case(store)
    missing = kronobarn("close", case_id)
    assert missing.returncode == 2
    one_swedish_line(missing)
    empty = kronobarn("close", case_id, "--reason", " ")
    assert empty.returncode == 1
    assert "anledning" in one_swedish_line(empty)
    done = kronobarn("close", case_id, "--reason", "Familjen har fått stöd.", "--yes")
    assert done.returncode == 0, done.stderr
    assert store.load(case_id).status == "avslutad"
    again = kronobarn("close", case_id, "--reason", "igen")
    assert again.returncode == 1
    assert "redan avslutat" in one_swedish_line(again)
    listed = kronobarn("list")
    assert "avslutad" in listed.stdout


def test_follow_up_checks_the_case_before_asking(store: CaseStore) -> None:
    unknown = kronobarn("follow-up", "abcdef")
    assert unknown.returncode == 1
    one_swedish_line(unknown)
    case_id = finished_case(store)
    no_tty = kronobarn("follow-up", case_id)
    assert no_tty.returncode == 2
    assert "behöver en terminal" in one_swedish_line(no_tty)


def test_starting_the_command_imports_no_prompts_templates_or_encryption() -> None:
    """Start-up cost: `--help` and `list` need none of these; each command imports its own."""
    heavy = ("questionary", "prompt_toolkit", "jinja2", "icalendar", "pyrage", "psycopg")
    code = (
        f"import sys, kronobarn_cli.cli; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


# pydantic too: Typer would import it to coerce options that were left out (see i18n).
# What printing through rich costs is not paid where nothing is printed through it.


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("list", "--json"),
        ("remind", "--json"),
        ("remind",),
        ("remind", "--format", "csv"),
    ],
)
def test_help_and_reading_an_up_to_date_index_import_no_case_model(
    args: tuple[str, ...], tmp_path: Path, store: CaseStore
) -> None:
    """`--help`, and `list`/`remind` over a summary index that is up to date, read no case, so
    they need neither the case model nor the checklists nor the file lock."""
    store.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    assert in_process("list").returncode == 0  # the index is up to date from here on
    assert loaded_by(args, MODEL)[1] == []


@pytest.mark.parametrize(
    "args", [("list", "--json"), ("remind", "--json"), ("remind", "--format", "csv")]
)
def test_json_and_csv_from_an_up_to_date_index_import_no_rich(
    args: tuple[str, ...], tmp_path: Path, store: CaseStore
) -> None:
    store.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    assert in_process("list").returncode == 0
    assert loaded_by(args, RICH)[1] == []


@pytest.mark.parametrize("args", [("list",), ("remind",)])
def test_list_and_remind_on_an_empty_store_import_no_rich(
    args: tuple[str, ...], isolated: Path
) -> None:
    isolated.mkdir(mode=0o700)
    (isolated / "arenden").mkdir(mode=0o700)
    printed, loaded = loaded_by(args, RICH)
    assert printed.startswith(("Inga ärenden ännu", "Inget att påminna om")), printed
    assert loaded == []


FIRST_QUESTION_PROBE = """
import sys
from kronobarn_cli import cli
from kronobarn_cli.interactive import prompter as prompts

def first_question(self, *args, **kwargs):
    print("MODULES:" + ",".join(m for m in {model!r} if m in sys.modules) + ":END", flush=True)
    raise KeyboardInterrupt

prompts.Prompter.text = first_question
cli.main(["new-case"])
"""


@pytest.mark.pty
@pytest.mark.timeout(60)
def test_the_first_question_of_new_case_comes_before_the_case_model_and_checklists(
    isolated: Path,
) -> None:
    """The first question is drawn at once; the case model and the checklists are loaded while
    the user reads it (see the pty test of a broken checklist)."""
    import pexpect  # noqa: PLC0415 - only this test needs it

    child = pexpect.spawn(
        sys.executable,
        ["-c", FIRST_QUESTION_PROBE.format(model=MODEL)],
        env={**os.environ, "TERM": "xterm"},
        encoding="utf-8",
        timeout=30,
    )
    child.expect(r"MODULES:(.*):END")
    loaded = child.match.group(1)
    child.expect(pexpect.EOF)
    assert loaded == "", loaded
    assert "Inget ärende skapades" in child.before


def test_background_work_gives_its_value_or_raises_its_error_where_it_is_awaited() -> None:
    from kronobarn_cli.support.lazy import Background  # noqa: PLC0415

    calls: list[str] = []

    def work() -> str:
        calls.append("ran")
        return "klar"

    never_started = Background(work)
    assert never_started.result() == "klar"  # runs where it is awaited
    started = Background(work)
    started.start()
    started.start()  # once only
    assert started.result() == "klar"
    assert calls == ["ran", "ran"]

    def broken() -> str:
        raise cli.KronobarnError("Checklistorna har fel")

    failing = Background(broken)
    failing.start()
    with pytest.raises(cli.KronobarnError, match="Checklistorna har fel"):
        failing.result()


def test_short_help_option_shows_the_same_page_as_the_long_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`-h` is `--help` for the app and every command: the same page, the same exit code."""
    for args in every_command():
        pages = []
        for option in ("--help", "-h"):
            with pytest.raises(SystemExit) as ended:
                cli.main([*args, option])
            captured = capsys.readouterr()
            assert ended.value.code == 0, (args, option, captured.err)
            pages.append(captured.out)
        assert pages[0] == pages[1], args
        assert "Användning: kronobarn" in pages[1], args


def date_options() -> list[tuple[tuple[str, ...], Any]]:
    """Every option of every command that takes a date (metavar DATUM)."""
    root = typer.main.get_command(cli.app)
    found = []
    for args in every_command():
        command: Any = root
        for name in args:
            if name != "x":
                command = command.commands[name]
        found += [(args, p) for p in command.params if getattr(p, "metavar", None) == "DATUM"]
    return found


def test_every_date_option_says_which_forms_it_takes() -> None:
    """The options read dates as the prompts do (README, "Datum"): no help claims ÅÅÅÅ-MM-DD
    only, each names the other forms."""
    options = date_options()
    assert {"--due", "--today", "--closed-before", "--date", "--valid-until"} <= {
        p.opts[0] for _, p in options
    }
    for args, param in options:
        assert "15/4" in param.help and "15 april" in param.help, (args, param.opts, param.help)


@pytest.mark.parametrize(
    "args",
    [
        ("remind", "--today", "15 april"),
        ("remind", "--today", "15/4"),
        ("purge", "--closed-before", "15/4", "--json"),
        ("purge", "--handed-over-before", "15 april", "--json"),
    ],
)
def test_date_options_take_the_forms_their_help_names(
    args: tuple[str, ...], isolated: Path
) -> None:
    run = kronobarn(*args)
    assert run.returncode == 0, run.stderr


def test_a_bad_date_option_names_the_option_and_the_forms(isolated: Path) -> None:
    run = kronobarn("remind", "--today", "den femte")
    assert run.returncode == 1
    line = one_swedish_line(run)
    assert "--today" in line and "5/12" in line, line
