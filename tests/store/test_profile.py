"""The coordinator's profile: remembered in the user's config (0600), never in a case but for
the inviter's details a letter needs; `profile clear` removes it; a broken one is a warning."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from rich.console import Console

from kronobarn_cli import cli
from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import engine
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.store import profile
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import fixed_clock, new_walk
from ..helpers import in_process
from ..keys import ENTER, typed
from ..scenario import GUARDIAN_ORAL, INVITATION, activate_need, answer_all, realistic_case

KRONOBARN = Path(sys.executable).parent / "kronobarn"
ANNA = profile.Profile("Anna Lindqvist, kurator", "skola", "Skola", "0470-123 45")


def _set() -> None:
    run = in_process("profile", "set", "--name", ANNA.name, "--organisation", "Skola",
                     "--contact", ANNA.contact)  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_a_profile_is_kept_private_in_the_config_folder(isolated: Path) -> None:
    _set()
    where = profile.path()
    assert where.parent == Path(os.environ["KRONOBARN_CONFIG"])
    assert oct(where.stat().st_mode & 0o777) == "0o600"
    assert oct(where.parent.stat().st_mode & 0o777) == "0o700"
    assert profile.load() == ANNA
    shown = in_process("profile", "show")
    assert "Anna Lindqvist, kurator" in shown.stdout and "0470-123 45" in shown.stdout
    # Nothing of it is under the cases' folder.
    assert not any("Lindqvist" in p.read_text(errors="replace")
                   for p in isolated.rglob("*") if p.is_file())  # fmt: skip


def test_set_keeps_what_is_not_given_and_clear_removes_it() -> None:
    _set()
    assert in_process("profile", "set", "--contact", "anna@kommun.se").returncode == 0
    assert profile.load() == profile.Profile(ANNA.name, "skola", "Skola", "anna@kommun.se")
    cleared = in_process("profile", "clear")
    assert cleared.returncode == 0 and "borttagen" in cleared.stdout
    assert not profile.path().exists()
    assert profile.load() is None
    assert "Ingen profil" in in_process("profile", "show").stdout


def test_a_first_set_needs_every_field_and_an_unknown_organisation_is_refused() -> None:
    partial = in_process("profile", "set", "--name", "Anna")
    assert partial.returncode == 1 and "--organisation, --contact" in partial.stderr
    unknown = in_process("profile", "set", "--name", "A", "--organisation", "nasa",
                         "--contact", "1")  # fmt: skip
    assert unknown.returncode == 1 and "Okänd verksamhet 'nasa'" in unknown.stderr
    assert not profile.path().exists()


HOSTILE = {"name": "A\x1b[2J", "contact": "1", "organisation": {"id": "skola", "name": "Skola"}}


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"name": "A"}', json.dumps(HOSTILE).encode()])
def test_a_broken_profile_is_one_swedish_line(content: bytes) -> None:
    where = profile.path()
    where.parent.mkdir(parents=True)
    where.write_bytes(content)
    with pytest.raises(profile.ProfileError, match="kan inte användas"):
        profile.load()
    shown = in_process("profile", "show")
    assert shown.returncode == 1 and shown.stderr.count("\n") == 1
    assert "Traceback" not in shown.stderr


def test_a_walk_with_the_profile_does_not_ask_name_or_contact(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store)
    walk.profile = ANNA
    activate_need(walk)
    answer_all(walk, [("vardnadshavare-antal", "1"), ("samtycken", [GUARDIAN_ORAL])])
    without = [(s, v) for s, v in INVITATION if s not in ("inbjudare", "inbjudare-kontakt")]
    answer_all(walk, without)
    flat = engine.flatten(walk.answers())
    assert (flat["inbjudare"], flat["inbjudare-kontakt"]) == (ANNA.name, ANNA.contact)
    [meeting] = walk.case.meetings
    assert meeting.inviter is not None and meeting.inviter.contact == ANNA.contact


@pytest.mark.pty
@pytest.mark.timeout(90)
@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_new_case_offers_the_profile_and_opens_the_case_for_its_organisation(
    isolated: Path,
) -> None:
    profile.save(profile.Profile("Anna Lindqvist", "socialtjanst", "Socialtjänst", "0470-1"))
    env = {**os.environ, "KRONOBARN_HOME": str(isolated), "TERM": "xterm",
           "PROMPT_TOOLKIT_NO_CPR": "1", "LANG": "C.UTF-8"}  # fmt: skip
    child = pexpect.spawn(str(KRONOBARN), ["new-case"], env=env, encoding="utf-8", timeout=20,
                          dimensions=(50, 120))  # fmt: skip
    child.expect("Barnets namn eller initialer")
    child.send("E. K.\r")
    child.expect("Barnets födelseår")
    child.expect("illbaka")
    child.send("2016\r")
    child.expect(r"Du är Anna Lindqvist \(Socialtjänst\), 0470-1\. Stämmer det\?")
    child.expect("illbaka")
    child.send("\r")
    child.expect("Vad har ni uppmärksammat")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    [path] = (isolated / "arenden").glob("*.json")
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["own_organisation"] == {"id": "socialtjanst", "name": "Socialtjänst"}
    assert "Lindqvist" not in path.read_text(encoding="utf-8")


@pytest.mark.timeout(30)
def test_after_a_first_case_the_inviters_details_are_offered_as_the_profile(
    workflow: Workflow, store: CaseStore
) -> None:
    case = realistic_case(store, workflow, fixed_clock).case
    prompter = Prompter(Console(file=io.StringIO(), width=100))
    with typed(ENTER):
        cli._offer_profile(prompter, case)
    assert profile.load() == profile.Profile("Maria Lind", "skola", "Skola", "0470-123 45")


def test_a_broken_profile_warns_in_one_line_and_the_walk_asks_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    where = profile.path()
    where.parent.mkdir(parents=True)
    where.write_text("{inte json", encoding="utf-8")
    assert cli._saved_profile() is None  # new-case then asks the organisation, name, contact
    warned = capsys.readouterr().err
    assert warned.count("\n") == 1 and warned.startswith("Varning: Profilen")


def test_saving_makes_an_open_profile_folder_private() -> None:
    folder = profile.path().parent
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    _set()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct(profile.path().stat().st_mode & 0o777) == "0o600"


@pytest.mark.timeout(30)
def test_an_inviter_that_does_not_fit_a_profile_is_not_offered(
    workflow: Workflow, store: CaseStore
) -> None:
    """A name longer than a profile may hold would be saved, then refused at the next case."""
    case = realistic_case(store, workflow, fixed_clock).case
    [meeting] = case.meetings
    assert meeting.inviter is not None
    long = meeting.inviter.model_copy(update={"name": "A" * 300})
    case = case.model_copy(update={"meetings": [meeting.model_copy(update={"inviter": long})]})
    prompter = Prompter(Console(file=io.StringIO(), width=100))
    with typed():  # no question is asked: with one, there would be no key to answer it
        cli._offer_profile(prompter, case)
    assert prompter.asked == 0
    assert not profile.path().exists()


def test_a_profile_others_may_change_is_not_used_and_one_others_may_read_is_warned_of(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The profile names the user in plans and invitations: a file others may write is not
    used (the walk asks as if there were none); one others may read works, with a warning."""
    _set()
    where = profile.path()
    where.chmod(0o644)
    assert cli._saved_profile() == ANNA
    warned = capsys.readouterr().err
    assert warned == (
        f"Varning: {where} kan läsas av andra användare (rättigheter 644). Skydda den med: "
        f"chmod 600 {where}\n"
    )
    shown = in_process("profile", "show")
    assert shown.returncode == 0 and shown.stderr == warned and ANNA.contact in shown.stdout
    where.chmod(0o666)
    assert cli._saved_profile() is None
    warned = capsys.readouterr().err
    assert warned.count("\n") == 1
    assert warned.startswith(f"Varning: Profilen {where} används inte: andra användare kan ändra")
    _set()  # `profile set` writes it anew, private
    assert oct(where.stat().st_mode & 0o777) == "0o600"
    assert profile.load() is not None
