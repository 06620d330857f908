"""`--version`, and shell completion for bash, zsh and fish: commands, options and case ids
(never a child's name), through Typer's completion entry point and, where the shell is
installed, through the script it generates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest

from kronobarn_cli.domain.case import Child
from kronobarn_cli.store.case_files import CaseStore

from ..helpers import in_process

KRONOBARN = Path(sys.executable).parent / "kronobarn"
CHILD = "Hemliga Barnet"

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def case_id(isolated: Path) -> str:
    store = CaseStore(isolated)
    return store.create(Child(name=CHILD), datetime(2026, 11, 1, tzinfo=UTC)).id


def test_version_is_the_installed_packages() -> None:
    run = in_process("--version")
    assert run.returncode == 0
    assert run.stdout.strip() == f"kronobarn {version('kronobarn-cli')}"


def _complete(monkeypatch: pytest.MonkeyPatch, shell: str, words: str) -> str:
    """What Typer's completion entry point answers the shell, in this process."""
    monkeypatch.setenv("_KRONOBARN_COMPLETE", f"complete_{shell}")
    if shell == "bash":
        monkeypatch.setenv("COMP_WORDS", words)
        monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    else:
        monkeypatch.setenv("_TYPER_COMPLETE_ARGS", words)
        if shell == "fish":
            monkeypatch.setenv("_TYPER_COMPLETE_FISH_ACTION", "get-args")
    run = in_process()
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_gives_commands_options_and_case_ids_never_names(
    monkeypatch: pytest.MonkeyPatch, shell: str, case_id: str
) -> None:
    assert "follow-up" in _complete(monkeypatch, shell, "kronobarn fol")
    assert "--format" in _complete(monkeypatch, shell, "kronobarn export x --fo")
    for command in ("show", "resume", "follow-up", "export", "plan", "consent", "handover",
                    "edit", "close", "delete"):  # fmt: skip
        answer = _complete(monkeypatch, shell, f"kronobarn {command} ")
        assert case_id in answer, command
        assert "Hemliga" not in answer
    other = "zzzzzz" if case_id[0] != "z" else "aaaaaa"
    assert case_id not in _complete(monkeypatch, shell, f"kronobarn show {other[:2]}")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_the_bash_script_completes_case_ids_in_a_real_bash(isolated: Path, case_id: str) -> None:
    script = subprocess.run([str(KRONOBARN), "--show-completion", "bash"], capture_output=True,
                            text=True, check=True, timeout=60).stdout  # fmt: skip
    assert "_KRONOBARN_COMPLETE" in script
    driver = (
        f"{script}\n"
        'COMP_WORDS=(kronobarn show ""); COMP_CWORD=2; _kronobarn_completion kronobarn "" show\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**os.environ, "KRONOBARN_HOME": str(isolated),
           "PATH": f"{KRONOBARN.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip
    bash = shutil.which("bash") or "bash"
    run = subprocess.run([bash, "--norc", "-c", driver], capture_output=True, text=True,
                         env=env, check=False, timeout=60)  # fmt: skip
    assert run.stdout.split() == [case_id], run.stderr


def test_an_unknown_shell_is_one_swedish_line() -> None:
    run = in_process("--show-completion", "tcsh")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "--show-completion" in run.stderr


def test_install_puts_the_script_where_the_shell_reads_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    run = in_process("--install-completion", "bash")
    assert run.returncode == 0, run.stderr
    assert "Kompletteringen för bash är installerad i" in run.stdout
    installed = tmp_path / ".bash_completions" / "kronobarn.sh"
    assert "_KRONOBARN_COMPLETE" in installed.read_text(encoding="utf-8")
    assert "kronobarn.sh" in (tmp_path / ".bashrc").read_text(encoding="utf-8")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_export_kinds_and_formats_are_completed(
    monkeypatch: pytest.MonkeyPatch, shell: str
) -> None:
    kinds = _complete(monkeypatch, shell, "kronobarn export x --kind con")
    assert "consent-form" in kinds and "consent-note" in kinds and "calendar" not in kinds
    assert "pdf" in _complete(monkeypatch, shell, "kronobarn export x --format p")
