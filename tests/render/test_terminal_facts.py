"""`terminal_facts.decided` against the installed rich's `Console()`, environment by environment:
the width, whether it is a terminal, NO_COLOR and the colour system, in this process and in a
pseudo-terminal; and `list` and `remind` drawing their tables without importing rich."""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pexpect
import pytest
from rich.console import Console

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.support import lazy, terminal_facts

from ..conftest import NOW, fixed_clock
from ..helpers import in_process
from ..scenario import realistic_case
from ..startup import RICH, loaded_by

VARIABLES = (
    "COLUMNS",
    "LINES",
    "NO_COLOR",
    "FORCE_COLOR",
    "TERM",
    "COLORTERM",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "JUPYTER_COLUMNS",
)
ENVIRONMENTS: dict[str, dict[str, str]] = {
    "nothing set": {},
    "xterm": {"TERM": "xterm"},
    "COLUMNS=60": {"COLUMNS": "60"},
    "COLUMNS=0": {"COLUMNS": "0"},
    "COLUMNS empty": {"COLUMNS": ""},
    "COLUMNS garbage": {"COLUMNS": "abc"},
    "COLUMNS with a space": {"COLUMNS": " 70"},
    "COLUMNS negative": {"COLUMNS": "-5"},
    "COLUMNS in Arabic digits": {"COLUMNS": "٨٠"},
    "COLUMNS and LINES": {"COLUMNS": "61", "LINES": "30"},
    "LINES alone": {"LINES": "30"},
    "LINES garbage": {"LINES": "x", "COLUMNS": "66"},
    "NO_COLOR": {"NO_COLOR": "1", "TERM": "xterm"},
    "NO_COLOR empty": {"NO_COLOR": ""},
    "FORCE_COLOR": {"FORCE_COLOR": "1"},
    "FORCE_COLOR=0": {"FORCE_COLOR": "0"},
    "FORCE_COLOR empty": {"FORCE_COLOR": ""},
    "FORCE_COLOR and NO_COLOR": {"FORCE_COLOR": "1", "NO_COLOR": "yes"},
    "dumb": {"TERM": "dumb"},
    "DUMB forced, COLUMNS": {"TERM": "DUMB", "FORCE_COLOR": "1", "COLUMNS": "150"},
    "unknown forced, COLUMNS and LINES": {
        "TERM": "unknown",
        "FORCE_COLOR": "1",
        "COLUMNS": "150",
        "LINES": "40",
    },
    "dumb with spaces forced": {"TERM": " dumb", "FORCE_COLOR": "1"},
    "256 colours forced": {"TERM": "xterm-256color", "FORCE_COLOR": "1"},
    "kitty forced": {"TERM": "xterm-kitty", "FORCE_COLOR": "1"},
    "16 colours forced": {"TERM": "screen-16color", "FORCE_COLOR": "1"},
    "truecolor forced": {"COLORTERM": "TrueColor ", "FORCE_COLOR": "1"},
    "24bit": {"COLORTERM": "24bit", "TERM": "xterm-256color"},
    "TTY_COMPATIBLE=1": {"TTY_COMPATIBLE": "1", "COLUMNS": "90"},
    "TTY_COMPATIBLE=0 beats FORCE_COLOR": {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    "TTY_COMPATIBLE=2": {"TTY_COMPATIBLE": "2"},
    "TTY_INTERACTIVE=0": {"TTY_INTERACTIVE": "0", "TERM": "xterm"},
    "TTY_INTERACTIVE=1": {"TTY_INTERACTIVE": "1"},
    "JUPYTER_COLUMNS outside Jupyter": {"JUPYTER_COLUMNS": "33"},
}
UNDECIDED = {"COLUMNS superscript": {"COLUMNS": "²"}, "LINES superscript": {"LINES": "³"}}
"""rich's Console() raises ValueError for these (`isdigit` but no `int`); so must we, by
leaving them to rich."""
STREAMS = ("pty", "pipe", "string")


def answers(stream: str) -> dict[str, Any]:
    """Our answer and rich's for every environment, with standard out replaced by `stream`
    (the real standard out when "std"); the probe the pseudo-terminal test runs too."""
    found: dict[str, Any] = {}
    saved_stdout, saved_environ = sys.stdout, dict(os.environ)
    for name, environment in {**ENVIRONMENTS, **UNDECIDED}.items():
        with _stream(stream) as file:
            for variable in VARIABLES:
                os.environ.pop(variable, None)
            os.environ.update(environment)
            sys.stdout = file
            try:
                try:
                    console = Console()
                    theirs: Any = [
                        console.width,
                        console.is_terminal,
                        console.no_color,
                        console.color_system,
                        console.file is file,
                    ]
                except ValueError:
                    theirs = "ValueError"
                ours = terminal_facts.decided()
                found[name] = [
                    theirs,
                    None
                    if ours is None
                    else [
                        ours.width,
                        ours.is_terminal,
                        ours.no_color,
                        ours.color_system,
                        ours.file is file,
                    ],
                ]
            finally:
                sys.stdout = saved_stdout
                os.environ.clear()
                os.environ.update(saved_environ)
    return found


@contextlib.contextmanager
def _stream(kind: str) -> Iterator[TextIO]:
    """The real standard out ("std"), a StringIO, or the writing end of a pty or a pipe."""
    if kind == "std":
        yield sys.__stdout__  # type: ignore[misc]
        return
    if kind == "string":
        yield io.StringIO()
        return
    reader, writer = os.openpty() if kind == "pty" else os.pipe()
    try:
        with os.fdopen(writer, "w", encoding="utf-8") as file:
            yield file
    finally:
        os.close(reader)


def _check(name: str, theirs: Any, ours: Any) -> None:
    if name in UNDECIDED:
        assert theirs == "ValueError" and ours is None, (theirs, ours)
    else:
        assert ours == theirs, name


@pytest.mark.parametrize("stream", STREAMS)
@pytest.mark.parametrize("name", [*ENVIRONMENTS, *UNDECIDED])
def test_decided_as_rich_decides_in_this_process(
    name: str, stream: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in {**ENVIRONMENTS, **UNDECIDED}[name].items():
        monkeypatch.setenv(variable, value)
    with _stream(stream) as file:
        monkeypatch.setattr(sys, "stdout", file)
        try:
            console = Console()
            theirs: Any = [
                console.width,
                console.is_terminal,
                console.no_color,
                console.color_system,
                console.file is file,
            ]
        except ValueError:
            theirs = "ValueError"
        ours = terminal_facts.decided()
        mine = (
            None
            if ours is None
            else [ours.width, ours.is_terminal, ours.no_color, ours.color_system, ours.file is file]
        )
        _check(name, theirs, mine)


PROBE = """
import json, sys
sys.path.insert(0, {tests!r})
from tests.render.test_terminal_facts import answers
json.dump({{stream: answers(stream) for stream in ("std", "pipe", "string")}},
          open({target!r}, "w"))
"""


@pytest.fixture(scope="module")
def in_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The probe's answers in a 97-column pseudo-terminal (every std stream a terminal) and
    through pipes (none a terminal): rich asks each std stream for a size, even when standard
    out is a pipe."""
    target = tmp_path_factory.mktemp("probe")
    repository = str(Path(__file__).resolve().parents[2])
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    results: dict[str, Any] = {}
    script = PROBE.format(tests=repository, target=str(target / "pty.json"))
    child = pexpect.spawn(
        sys.executable, ["-c", script], env=environment, dimensions=(30, 97), timeout=60
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    for stream, found in json.loads((target / "pty.json").read_text()).items():
        results[f"pty/{stream}"] = found
    script = PROBE.format(tests=repository, target=str(target / "pipes.json"))
    subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=True,
        timeout=60,
    )
    for stream, found in json.loads((target / "pipes.json").read_text()).items():
        results[f"pipes/{stream}"] = found
    yield results


@pytest.mark.pty
@pytest.mark.parametrize("where", ["pty/std", "pty/pipe", "pty/string", "pipes/std", "pipes/pipe"])
@pytest.mark.parametrize("name", [*ENVIRONMENTS, *UNDECIDED])
def test_decided_as_rich_decides_in_a_terminal_and_through_pipes(
    name: str, where: str, in_terminal: dict[str, Any]
) -> None:
    theirs, ours = in_terminal[where][name]
    _check(name, theirs, ours)


def test_the_terminal_probe_saw_a_terminal(in_terminal: dict[str, Any]) -> None:
    """The pseudo-terminal's width reaches rich through stdin even when stdout is a pipe."""
    assert in_terminal["pty/std"]["nothing set"][1][:2] == [97, True]
    assert in_terminal["pty/pipe"]["nothing set"][1][:2] == [97, False]
    assert in_terminal["pipes/pipe"]["nothing set"][1][:2] == [80, False]


@pytest.mark.parametrize(
    "odd",
    [
        lambda m: m.setattr(sys, "platform", "win32"),
        lambda m: m.setattr(builtins, "get_ipython", lambda: None, raising=False),
        lambda m: m.setattr(sys, "stdin", type("Idle", (), {"__module__": "idlelib.run"})()),
        lambda m: m.setattr(sys, "stdout", None),
    ],
    ids=["windows", "jupyter", "idle", "no stdout"],
)
def test_where_rich_has_rules_of_its_own_rich_is_asked(
    odd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd(monkeypatch)
    assert terminal_facts.decided() is None


def test_a_console_already_made_or_given_answers_for_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "77")
    made = lazy.lazy_console(highlight=False)
    assert made.width == 77  # made now
    monkeypatch.setenv("COLUMNS", "55")
    assert lazy.console_output(made).width == 77  # as rich's console would still say
    assert lazy.console_output(lazy.lazy_console(highlight=False)).width == 55
    given = Console(file=io.StringIO(), width=42, force_terminal=True)
    assert (lazy.console_output(given).width, lazy.console_output(given).colour) == (42, True)
    other = lazy.lazy_console(width=33)  # an option decided() does not follow
    assert lazy.console_output(other).width == 33


@pytest.mark.parametrize("args", [("list",), ("remind", "--within", "12m")])
def test_list_and_remind_tables_over_a_pipe_import_no_rich(
    args: tuple[str, ...], store: CaseStore, workflow: Workflow
) -> None:
    realistic_case(store, workflow, fixed_clock)
    store.save(Case(id="aaaaaa", created=NOW, updated=NOW, child=Child(name="A")))
    assert in_process("list").returncode == 0  # the index is up to date from here on
    printed, loaded = loaded_by(args, RICH)
    assert printed.count("┏") >= 1 and "k3m9qa" in printed, printed
    assert loaded == []
