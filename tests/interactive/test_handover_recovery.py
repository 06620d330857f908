"""Rule 7, handing over, when something goes wrong: asked before it happens, a new file for the
same handover when the first file or its passphrase is lost, and a passphrase typed as people
type it (issue 22)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kronobarn_cli.interactive import handover, passphrases
from kronobarn_cli.interactive.handover import generate_passphrase
from kronobarn_cli.store.case_files import CaseStore

from ..after_meeting import at_terminal, case_after_meeting
from ..cases import age_keys
from ..helpers import in_process
from ..keys import DOWN, ENTER, line

pytestmark = pytest.mark.timeout(90)


def _status(home: Path, case_id: str) -> str:
    return CaseStore(home).load(case_id).status


def test_handover_without_a_terminal_needs_yes(tmp_path: Path, isolated: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    keys = age_keys(tmp_path)
    output = tmp_path / "fil.age"
    args = ("handover", case_id, "--to", "socialtjanst", "--recipient", keys.public)
    refused = in_process(*args, "--output", str(output))
    assert refused.returncode == 2
    [message] = refused.stderr.strip().splitlines()
    assert message.startswith("Fel: ") and "--yes" in message, message
    assert not output.exists() and _status(isolated, case_id) == "aktiverad"
    done = in_process(*args, "--output", str(output), "--yes")
    assert done.returncode == 0, done.stderr
    assert output.exists() and _status(isolated, case_id) == "overlamnad"


def test_at_a_terminal_handover_asks_first(tmp_path: Path, isolated: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    keys = age_keys(tmp_path)
    output = tmp_path / "fil.age"
    args = ("handover", case_id, "--to", "socialtjanst", "--recipient", keys.public,
            "--output", str(output))  # fmt: skip
    kept = at_terminal(*args, keys=(ENTER,))  # "Nej, avbryt"
    assert kept.returncode == 1 and not output.exists()
    assert _status(isolated, case_id) == "aktiverad"
    done = at_terminal(*args, keys=(DOWN + ENTER,))
    assert done.returncode == 0, done.stderr
    assert _status(isolated, case_id) == "overlamnad"


def test_a_lost_handover_file_is_made_again_for_the_same_receiver(
    tmp_path: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = case_after_meeting(tmp_path)
    lost, new = age_keys(tmp_path, "borta.txt"), age_keys(tmp_path, "ny.txt")
    first = ("handover", case_id, "--to", "socialtjanst", "--person", "Kim Berg", "--yes")
    assert in_process(*first, "--recipient", lost.public, "--output", str(tmp_path / "a.age")) \
        .returncode == 0  # fmt: skip
    # Another receiver is refused as before: the case is Socialtjänst's now.
    other = in_process("handover", case_id, "--to", "polis", "--recipient", new.public,
                       "--output", str(tmp_path / "b.age"), "--yes")  # fmt: skip
    assert other.returncode == 1 and "Socialtjänst samordnar" in other.stderr
    again = in_process("handover", case_id, "--to", "Socialtjänst", "--recipient", new.public,
                       "--output", str(tmp_path / "b.age"), "--yes")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "ny fil" in again.stdout
    sender = CaseStore(isolated).load(case_id)
    assert sender.status == "overlamnad" and len(sender.handovers) == 1
    assert sender.journal[-1].text == "En ny överlämningsfil gjordes (överlämning 1)."
    assert sender.journal[-1].command == "handover"
    # The receiver opens the new file with the new key and goes on with the case.
    receiver = tmp_path / "mottagare"
    monkeypatch.setenv("KRONOBARN_HOME", str(receiver))
    opened = in_process("import", str(tmp_path / "b.age"), "--identity", str(new.file))
    assert opened.returncode == 0, opened.stderr
    received = CaseStore(receiver).load(case_id)
    assert received.status == "aktiverad" and received.handovers[-1].person == "Kim Berg"


def test_a_new_file_for_another_person_is_refused(tmp_path: Path) -> None:
    case_id = case_after_meeting(tmp_path)
    keys = age_keys(tmp_path)
    args = ("--to", "socialtjanst", "--recipient", keys.public, "--yes")
    assert in_process("handover", case_id, *args, "--person", "Kim Berg",
                      "--output", str(tmp_path / "a.age")).returncode == 0  # fmt: skip
    refused = in_process("handover", case_id, *args, "--person", "Ola Ek",
                         "--output", str(tmp_path / "b.age"))  # fmt: skip
    assert refused.returncode == 1 and "samma överlämning" in refused.stderr
    assert not (tmp_path / "b.age").exists()


def test_a_passphrase_is_read_with_spaces_or_dashes_as_typed() -> None:
    passphrase_forms = handover.passphrase_forms
    made = generate_passphrase()
    spoken = made.replace("-", " ").upper()
    assert made in passphrase_forms(spoken)
    assert made in passphrase_forms(made.replace("-", ""))
    assert "korrekt-häst-batteri" in passphrase_forms("korrekt  häst batteri ")
    assert "korrekt häst batteri" in passphrase_forms("korrekt-häst-batteri")
    assert passphrase_forms("hemlig") == ["hemlig"]


@pytest.fixture(scope="module")
def sealed_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """One handover sealed with a passphrase kronobarn made (scrypt is slow: made once)."""
    base = tmp_path_factory.mktemp("losenfras")
    made = generate_passphrase()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KRONOBARN_HOME", str(base / "home"))
        patch.setenv(passphrases.ENV, made)
        case_id = case_after_meeting(base)
        output = base / "fil.age"
        done = in_process("handover", case_id, "--to", "socialtjanst", "--yes",
                          "--output", str(output))  # fmt: skip
        assert done.returncode == 0, done.stderr
    return output, case_id, made


def test_import_takes_the_passphrase_as_read_aloud(
    sealed_file: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, case_id, made = sealed_file
    monkeypatch.setenv(passphrases.ENV, " ".join(made.split("-")).upper())
    done = in_process("import", str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(in_process("show", case_id, "--json").stdout)["status"] == "aktiverad"


def test_import_at_a_terminal_gives_three_tries(
    sealed_file: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _, made = sealed_file
    monkeypatch.delenv(passphrases.ENV, raising=False)
    done = at_terminal("import", str(path), keys=(line("fel"), line("fel igen"), line(made)))
    assert done.returncode == 0, done.stderr
    assert "Försök igen (2 av 3)" in done.stderr and "Försök igen (3 av 3)" in done.stderr


def test_import_gives_up_after_three_wrong_passphrases(
    sealed_file: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch, isolated: Path
) -> None:
    path, _, _ = sealed_file
    monkeypatch.delenv(passphrases.ENV, raising=False)
    done = at_terminal("import", str(path), keys=(line("ett"), line("två"), line("tre")))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Fel: ")
    assert "fel lösenfras" in done.stderr
    assert not (isolated / "arenden").exists() or not list((isolated / "arenden").glob("*.json"))
