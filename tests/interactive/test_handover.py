"""Rule 7, handing the coordination over: the case moves with it, encrypted, and the sender's copy
becomes read-only.

Two stores, the sender's and the receiver's, are two `KRONOBARN_HOME` directories; every command
runs in-process through `cli.main`. A passphrase costs age's scrypt a second or two on each side,
so the passphrase file is made once per module; the other files are encrypted to X25519 keys.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pexpect
import pyrage
import pytest
import yaml
from pyrage import x25519
from rich.console import Console

from kronobarn_cli import cli
from kronobarn_cli.domain.case import SCHEMA_VERSION, Case
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.interactive import passphrases
from kronobarn_cli.interactive.handover import (
    FORMAT,
    MIN_PASSPHRASE,
    generate_passphrase,
    merge_journals,
    passphrase_weakness,
)
from kronobarn_cli.interactive.prompter import Prompter
from kronobarn_cli.interactive.walk import local_now
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.store.index import INDEX_FILE, KEY_FILE
from kronobarn_cli.store.retention import RetentionRule
from kronobarn_cli.support import files

from ..cases import CHILD, PASSPHRASE, Keys, age_keys, days, first_meeting_answers
from ..cases import follow_up_answers_file as follow_up_answers
from ..conftest import REPO
from ..helpers import Run, run
from ..keys import line, typed

EXAMPLE = REPO / "examples" / "svar.yaml"
FOLLOW_UP = REPO / "examples" / "uppfoljning.yaml"
FIXTURES = REPO / "tests" / "fixtures"
# Words of the case that must not be readable in the file: the child, the organisations, the
# people, what was noticed, and the markers of the envelope itself.
PLAINTEXT = (CHILD, "Mårtensson", "Skola", "Socialtj", "Kim Berg", "Maria Lind", "frånvaro",
             "Anpassat schema", FORMAT, "schema_version", "aktiverad")  # fmt: skip


def quietly(*args: str) -> int:
    """`kronobarn ARGS` where no capsys is at hand (module fixtures)."""
    try:
        cli.main(list(args))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def activated_case(tmp: Path) -> str:
    """An activated case after its first meeting, in the store KRONOBARN_HOME points at."""
    assert quietly("new-case", "--answers", str(first_meeting_answers(tmp))) == 0
    home = Path(os.environ["KRONOBARN_HOME"])
    [path] = (home / "arenden").glob("*.json")
    return path.stem


@dataclass(frozen=True)
class Sent:
    home: Path
    """The sender's store after the handover."""
    case_id: str
    bundle: bytes
    """The file, encrypted with PASSPHRASE."""


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> Sent:
    """One handover with a passphrase, made once: the sender's store and the file."""
    base = tmp_path_factory.mktemp("avsandare")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KRONOBARN_HOME", str(base / "home"))
        patch.setenv(passphrases.ENV, PASSPHRASE)
        case_id = activated_case(base)
        output = base / "fil.age"
        args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--person", "Kim Berg")
        assert quietly(*args, "--output", str(output)) == 0
    return Sent(base / "home", case_id, output.read_bytes())


@pytest.fixture
def sender(isolated: Path) -> Path:
    """This test's store (the autouse KRONOBARN_HOME)."""
    return isolated


@pytest.fixture
def receiver(tmp_path: Path) -> Path:
    return tmp_path / "mottagare"


def use(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("KRONOBARN_HOME", str(home))


def copy_of_senders_store(sent: Sent, sender: Path) -> None:
    shutil.rmtree(sender, ignore_errors=True)
    shutil.copytree(sent.home, sender)


def show_json(capsys: pytest.CaptureFixture[str], case_id: str) -> dict[str, Any]:
    shown = run(capsys, "show", case_id, "--json")
    assert shown.code == 0, shown.err
    data: dict[str, Any] = json.loads(shown.out)
    return data


def sealed(document: Any, keys: Keys) -> bytes:
    plain = document if isinstance(document, bytes) else json.dumps(document).encode("utf-8")
    return pyrage.encrypt(plain, [keys.identity.to_public()])


def case_file(home: Path, case_id: str) -> Path:
    return home / "arenden" / f"{case_id}.json"


def without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


# -- The round trip -------------------------------------------------------------------------------


def test_a_handed_over_case_arrives_whole_in_the_receivers_store(
    *,
    sent: Sent,
    sender: Path,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy_of_senders_store(sent, sender)
    use(monkeypatch, sender)
    before = show_json(capsys, sent.case_id)
    bundle = tmp_path / "fran-skolan.age"
    bundle.write_bytes(sent.bundle)
    use(monkeypatch, receiver)
    monkeypatch.setenv(passphrases.ENV, PASSPHRASE)
    received = run(capsys, "import", str(bundle))
    assert received.code == 0, received.err
    assert f"kronobarn follow-up {sent.case_id}" in received.out
    after = show_json(capsys, sent.case_id)
    # Consents, every meeting, the plan and the handover record arrive as they were; what
    # differs is the status, the journal's last line, and when the case last changed.
    assert without(after, "status", "journal", "updated") == without(
        before, "status", "journal", "updated"
    )
    assert (before["status"], after["status"]) == ("overlamnad", "aktiverad")
    # The sender's journal ends with its copy becoming read-only; the receiver's with the receipt.
    assert after["journal"][:-1] == before["journal"][:-1]
    handed, read_only = before["journal"][-2:]
    assert (handed["text"], handed["command"], handed["fields"]) == (
        "Ärendet överlämnades (överlämning 1).",
        "handover",
        ["handovers"],
    )
    assert (read_only["text"], read_only["fields"]) == ("Status: överlämnad.", ["status"])
    receipt = after["journal"][-1]
    assert (receipt["text"], receipt["command"]) == ("Ärendet togs emot (överlämning 1).", "import")
    for journal in (before["journal"], after["journal"]):  # who and to whom: never in the journal
        assert not any(word in json.dumps(journal, ensure_ascii=False)
                       for word in ("Kim Berg", "Socialtjänst", "Skola", CHILD))  # fmt: skip
    [record] = after["handovers"]
    assert record["to"] == {"id": "socialtjanst", "name": "Socialtjänst"}
    assert record["person"] == "Kim Berg" and record["by"]["id"] == "skola"
    assert len(after["meetings"]) == 1 and after["consents"] and after["meetings"][0]["actions"]
    assert case_file(receiver, sent.case_id).stat().st_mode & 0o777 == 0o600


def test_the_receiver_goes_on_with_the_next_meeting(
    sent: Sent,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(sent.bundle)
    use(monkeypatch, receiver)
    monkeypatch.setenv(passphrases.ENV, PASSPHRASE)
    assert run(capsys, "import", str(bundle)).code == 0
    meeting = run(capsys, "follow-up", sent.case_id, "--answers", str(follow_up_answers(tmp_path)))
    assert meeting.code == 0, meeting.err
    case = CaseStore(receiver).load(sent.case_id)
    assert len(case.meetings) == 2 and case.meetings[1].finished
    assert case.status == "aktiverad"


def test_the_file_holds_no_readable_word_of_the_case(sent: Sent) -> None:
    for word in (*PLAINTEXT, sent.case_id):
        for encoded in (word.encode("utf-8"), json.dumps(word).strip('"').encode("ascii")):
            assert encoded not in sent.bundle, word
    assert sent.bundle.startswith(b"age-encryption.org/v1\n-> scrypt ")


def test_the_suggested_file_name_is_the_case_id_only_and_the_file_is_private(
    sender: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_id = activated_case(tmp_path)
    keys = age_keys(tmp_path)
    monkeypatch.chdir(tmp_path)
    done = run(
        capsys, "handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", keys.public
    )
    assert done.code == 0, done.err
    written = tmp_path / f"kronobarn-{case_id}.age"
    assert written.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_file_for_the_receivers_key_opens_with_the_key_file_and_nothing_else(
    sender: Path,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_id = activated_case(tmp_path)
    keys = age_keys(tmp_path)
    bundle = tmp_path / "fil.age"
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", keys.public)
    done = run(capsys, *args, "--output", str(bundle))
    assert done.code == 0, done.err
    assert "mottagarens nyckel" in done.out
    data = bundle.read_bytes()
    assert b"-> X25519 " in data and CHILD.encode() not in data
    use(monkeypatch, receiver)
    without_key = run(capsys, "import", str(bundle))
    assert "--identity" in without_key.one_swedish_line()
    received = run(capsys, "import", str(bundle), "--identity", str(keys.file))
    assert received.code == 0, received.err
    case = CaseStore(receiver).load(case_id)
    assert case.status == "aktiverad" and case.child.name == CHILD
    assert case.handovers[-1].to.id == "socialtjanst"


# -- The sender's copy -----------------------------------------------------------------------------


def writing_commands(case_id: str) -> list[tuple[str, ...]]:
    action = ("--what", "Läxhjälp", "--organisation", "skola", "--due", days(20), "--area", "trygg")
    return [
        ("resume", case_id),
        ("follow-up", case_id),
        ("follow-up", case_id, "--answers", str(FOLLOW_UP)),
        ("edit", case_id),
        ("edit", case_id, "--name", "S. M."),
        ("close", case_id, "--reason", "Klart."),
        ("reopen", case_id),
        ("plan", case_id, "done", "1"),
        ("plan", case_id, "status", "1", "avbruten"),
        ("plan", case_id, "add", *action),
        ("plan", case_id, "edit", "1", "--what", "Läxhjälp"),
        ("plan", case_id, "copy", "familjen", "--received"),
        ("consent", case_id, "add"),
        ("consent", case_id, "add", "--giver", "vardnadshavare-1", "--organisation", "skola"),
        ("consent", case_id, "withdraw", "--giver", "vardnadshavare-1"),
        ("handover", "--yes", case_id, "--to", "polis", "--recipient", "age1x"),
    ]


def test_the_senders_copy_refuses_every_writing_command_naming_the_new_coordinator(
    sent: Sent,
    sender: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy_of_senders_store(sent, sender)
    path = case_file(sender, sent.case_id)
    kept = path.read_bytes()
    for args in writing_commands(sent.case_id):
        refused = run(capsys, *args)
        message = refused.one_swedish_line()
        assert refused.code == 1, (args, message)
        assert "överlämnades till Socialtjänst (Kim Berg)" in message, (args, message)
        assert "Socialtjänst samordnar ärendet nu" in message, (args, message)
        assert path.read_bytes() == kept, args


def test_the_senders_copy_is_listed_shown_and_left_out_of_reminders(
    sent: Sent, sender: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_of_senders_store(sent, sender)
    monkeypatch.setenv("COLUMNS", "200")
    listed = json.loads(run(capsys, "list", "--json").out)
    assert [(c["id"], c["status"], c["status_text"]) for c in listed] == [
        (sent.case_id, "overlamnad", "överlämnad")
    ]
    shown = run(capsys, "show", sent.case_id)
    text = " ".join(shown.out.split())
    assert "Status överlämnad" in text
    assert "till Socialtjänst (Kim Berg) av Skola" in text
    assert "Samordnas nu av Socialtjänst" in text
    for reading in (("plan", sent.case_id, "show"), ("consent", sent.case_id),
                    ("export", sent.case_id)):  # fmt: skip
        assert run(capsys, *reading).code == 0, reading
    quiet = json.loads(run(capsys, "remind", "--within", "12m", "--json").out)
    assert quiet == []
    included = json.loads(
        run(capsys, "remind", "--within", "12m", "--json", "--include-handed-over").out
    )
    assert {r["case_id"] for r in included} == {sent.case_id}
    assert {r["coordinator"] for r in included} == {"Socialtjänst"}


def test_the_senders_copy_goes_with_delete_and_with_purge_of_handed_over_cases(
    sent: Sent, sender: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_of_senders_store(sent, sender)
    path = case_file(sender, sent.case_id)
    far, long_ago = "2100-01-01", "2000-01-01"
    other_rules = run(capsys, "purge", "--closed-before", far, "--not-activated-before", far)
    assert "Inga ärenden att gallra." in other_rules.out
    assert "Inga ärenden att gallra." in run(capsys, "purge", "--handed-over-before", long_ago).out
    listed = json.loads(run(capsys, "purge", "--handed-over-before", far, "--json").out)
    assert [(c["id"], c["status"]) for c in listed] == [(sent.case_id, "overlamnad")]
    assert path.exists()
    gone = run(capsys, "purge", "--handed-over-before", far, "--yes")
    assert gone.code == 0, gone.err
    assert store_files(sender) == []
    copy_of_senders_store(sent, sender)
    assert run(capsys, "delete", sent.case_id, "--yes").code == 0
    assert store_files(sender) == []
    # The receiver's copy, activated, is never taken by the rule for handed-over copies.
    received = Case.model_validate(
        {**CaseStore(sent.home).load(sent.case_id).model_dump(), "status": "aktiverad"}
    )
    assert received.handovers
    assert not RetentionRule(handed_over_before=date(2100, 1, 1)).lets_go(received)


def store_files(home: Path) -> list[str]:
    """The files of cases in a store: the summary index beside them and its key are not (that
    the index keeps nothing of a deleted case is tested in test_index.py)."""
    index = (INDEX_FILE, KEY_FILE)
    return sorted(p.name for p in (home / "arenden").iterdir() if not p.name.startswith(index))


def test_handover_is_refused_outside_the_consents_scope_before_any_passphrase_is_asked(
    sender: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = activated_case(tmp_path)
    path = case_file(sender, case_id)
    kept = path.read_bytes()
    output = tmp_path / "fil.age"
    # No passphrase and no terminal: a refusal that came after asking would name the passphrase.
    for org, why in (
        ("polis", "Samtycket omfattar inte Polis: samtycke saknas från vårdnadshavaren"),
        ("annan:Föreningen Pilgrimen", "Samtycket omfattar inte Föreningen Pilgrimen"),
        ("skola", "Skola har redan ärendet här"),
        ("okand", "Okänd verksamhet 'okand'"),
    ):
        refused = run(capsys, "handover", "--yes", case_id, "--to", org, "--output", str(output))
        assert why in refused.one_swedish_line(), org
        assert refused.code == 1
    assert not output.exists()
    assert path.read_bytes() == kept


def test_only_an_activated_case_can_be_handed_over(
    store: CaseStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["svar"] = {k: data["svar"][k] for k in list(data["svar"])[:5]}  # up to the consents
    answers = tmp_path / "halv.yaml"
    answers.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert run(capsys, "new-case", "--answers", str(answers)).code == 0
    [case] = [c for c in store.iter_cases() if isinstance(c, Case)]
    assert case.status == "vantar-pa-samtycke"
    refused = run(
        capsys, "handover", "--yes", case.id, "--to", "socialtjanst", "--recipient", "age1x"
    )
    assert "inte aktiverat (status: väntar på samtycke)" in refused.one_swedish_line()


# -- The passphrase --------------------------------------------------------------------------------


def test_without_a_terminal_and_without_the_variable_the_passphrase_is_one_line(
    sender: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = activated_case(tmp_path)
    output = tmp_path / "fil.age"
    refused = run(
        capsys, "handover", "--yes", case_id, "--to", "socialtjanst", "--output", str(output)
    )
    assert refused.code == 2
    assert "KRONOBARN_PASSPHRASE" in refused.one_swedish_line()
    assert not output.exists()
    assert CaseStore(sender).load(case_id).status == "aktiverad"


def test_a_short_passphrase_is_refused(
    sender: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_id = activated_case(tmp_path)
    monkeypatch.setenv(passphrases.ENV, "kort")
    refused = run(capsys, "handover", "--yes", case_id, "--to", "socialtjanst")
    assert "minst 12 tecken" in refused.one_swedish_line()
    assert "kort" not in refused.err.replace("för kort", "")  # the passphrase is never shown


@pytest.mark.parametrize("weak", [" " * 11 + "x", "  abc   def  ", "a" * 12, "ab" * 8, "xyz" * 5])
def test_a_weak_passphrase_in_the_variable_is_refused_with_a_suggestion(
    weak: str,
    sender: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_id = activated_case(tmp_path)
    output = tmp_path / "fil.age"
    monkeypatch.setenv(passphrases.ENV, weak)
    refused = run(
        capsys, "handover", "--yes", case_id, "--to", "socialtjanst", "--output", str(output)
    )
    message = refused.one_swedish_line()
    assert "för kort" in message or "för svag" in message
    suggested = message.rsplit("Förslag: ", 1)[1]
    assert passphrase_weakness(suggested) is None and len(suggested.split("-")) == 5
    assert not output.exists()
    assert CaseStore(sender).load(case_id).status == "aktiverad"


@pytest.mark.parametrize("weak", [" " * 11 + "x", "a" * 12])
def test_a_weak_passphrase_typed_at_the_prompt_is_refused_there(weak: str, screen: Console) -> None:
    good = "en-lång-lösenfras"
    clear = "\x15"  # Ctrl-U empties the refused answer
    with typed(line(weak), clear, line(good), line(good)):
        assert (
            Prompter(screen).ask_new_passphrase(
                MIN_PASSPHRASE, generate_passphrase, passphrase_weakness
            )
            == good
        )


def test_a_new_passphrase_is_typed_twice_until_both_agree(screen: Console) -> None:
    first, second = "en-lång-lösenfras-1", "en-lång-lösenfras-2"
    with typed(line(first), line(second), line(first), line(first)):
        assert (
            Prompter(screen).ask_new_passphrase(
                MIN_PASSPHRASE, generate_passphrase, passphrase_weakness
            )
            == first
        )
    shown = screen.file.getvalue()  # type: ignore[attr-defined]
    assert "inte lika" in shown and "per telefon" in shown
    assert first not in shown


def test_an_empty_passphrase_gets_one_made_and_shown_once(screen: Console) -> None:
    with typed(line("")):
        made = Prompter(screen).ask_new_passphrase(
            MIN_PASSPHRASE, generate_passphrase, passphrase_weakness
        )
    groups = made.split("-")
    assert len(groups) == 5 and all(len(g) == 4 for g in groups)
    assert screen.file.getvalue().count(made) == 1  # type: ignore[attr-defined]


# -- Bad files -------------------------------------------------------------------------------------


@pytest.fixture
def in_receivers_store(receiver: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    use(monkeypatch, receiver)
    yield receiver
    # Nothing is written by a refused import, not even the case directory.
    assert not (receiver / "arenden").exists() or not list((receiver / "arenden").glob("*.json"))


def refused_import(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    result: Run = run(capsys, "import", *args)
    assert result.code == 1, result.err
    return result.one_swedish_line()


def test_a_wrong_passphrase_is_one_line_and_nothing_is_written(
    sent: Sent,
    in_receivers_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(sent.bundle)
    monkeypatch.setenv(passphrases.ENV, "en-helt-annan-lösenfras")
    assert "fel lösenfras" in refused_import(capsys, str(bundle))


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda b: b[:40], "ofullständig"),  # cut inside the header
        (lambda b: b[:-20], "fel lösenfras, eller så är filen skadad"),  # cut in the payload
        (lambda b: b[:-5] + bytes([b[-5] ^ 1]) + b[-4:], "skadad eller ändrad"),  # one bit
    ],
    ids=["avklippt-huvud", "avklippt-innehall", "en-bit-andrad"],
)
def test_a_cut_or_changed_file_is_one_line_and_nothing_is_written(
    *,
    damage: Any,
    expected: str,
    sent: Sent,
    in_receivers_store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(damage(sent.bundle))
    monkeypatch.setenv(passphrases.ENV, PASSPHRASE)
    assert expected in refused_import(capsys, str(bundle))


def test_a_file_encrypted_for_someone_else_is_one_line(
    in_receivers_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    theirs, mine = age_keys(tmp_path, "deras.txt"), age_keys(tmp_path, "min.txt")
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(sealed({"format": FORMAT, "version": 1, "case": {}}, theirs))
    message = refused_import(capsys, str(bundle), "--identity", str(mine.file))
    assert "krypterad för någon annans nyckel" in message
    assert str(mine.identity) not in message


def test_a_passphrase_file_is_not_opened_with_a_key_file(
    sent: Sent, in_receivers_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(sent.bundle)
    keys = age_keys(tmp_path)
    assert "Kör utan --identity" in refused_import(
        capsys, str(bundle), "--identity", str(keys.file)
    )


def test_a_plaintext_case_renamed_to_look_like_a_handover_is_refused(
    sent: Sent, in_receivers_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / f"kronobarn-{sent.case_id}.age"
    shutil.copy(case_file(sent.home, sent.case_id), plain)
    assert "okrypterad JSON, ingen överlämningsfil" in refused_import(capsys, str(plain))
    envelope = tmp_path / "kuvert.age"
    case = json.loads(case_file(sent.home, sent.case_id).read_text(encoding="utf-8"))
    envelope.write_text(json.dumps({"format": FORMAT, "version": 1, "case": case}), "utf-8")
    assert "okrypterad JSON" in refused_import(capsys, str(envelope))
    other = tmp_path / "bild.age"
    other.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    assert "inte krypterad med age" in refused_import(capsys, str(other))


def test_an_age_file_that_is_not_a_handover_is_refused(
    in_receivers_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = age_keys(tmp_path)
    fixture = json.loads((FIXTURES / "case-v2.json").read_text(encoding="utf-8"))
    for name, content in (
        ("bare-case", fixture),  # a case file encrypted with age, without the envelope
        ("other-format", {"format": "something-else", "version": 1, "case": fixture}),
        ("no-case", {"format": FORMAT, "version": 1}),
        ("not-json", b"hej"),
    ):
        bundle = tmp_path / f"{name}.age"
        bundle.write_bytes(sealed(content, keys))
        message = refused_import(capsys, str(bundle), "--identity", str(keys.file))
        assert "ingen överlämning från kronobarn" in message, name
    newer = tmp_path / "newer.age"
    newer.write_bytes(sealed({"format": FORMAT, "version": 2, "case": fixture}, keys))
    assert "nyare version av kronobarn" in refused_import(
        capsys, str(newer), "--identity", str(keys.file)
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": "../../x"}, "ogiltigt: id: ogiltigt id"),
        ({"status": "aktiverad", "consents": []}, "kräver samtycke från vårdnadshavare"),
        ({"status": "avslutad"}, "status 'avslutad' och 'closed'"),
        ({"schema_version": 99}, "schema_version 99"),
        ({"child": {"name": "\ud800"}}, "ogiltigt"),
        ({"meetings": "många"}, "meetings"),
    ],
    ids=["id", "samtycke", "status", "schema", "surrogat", "moten"],
)
def test_a_handover_whose_case_does_not_validate_is_one_line_and_nothing_is_written(
    change: dict[str, Any],
    expected: str,
    in_receivers_store: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = age_keys(tmp_path)
    case = json.loads((FIXTURES / "case-v2.json").read_text(encoding="utf-8"))
    bundle = tmp_path / "fil.age"
    document = json.dumps({"format": FORMAT, "version": 1, "case": {**case, **change}})
    bundle.write_bytes(sealed(document.encode("utf-8"), keys))
    assert expected in refused_import(capsys, str(bundle), "--identity", str(keys.file))


def test_a_file_that_is_not_there_or_not_a_file_is_one_line(
    in_receivers_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "finns inte" in refused_import(capsys, str(tmp_path / "saknas.age"))
    assert "ingen vanlig fil" in refused_import(capsys, str(tmp_path))
    fifo = tmp_path / "fifo.age"
    os.mkfifo(fifo)
    assert "ingen vanlig fil" in refused_import(capsys, str(fifo))


# -- Older files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["case-v1.json", "case-v2.json", "case-v3.json"])
def test_a_handover_of_an_older_schema_is_migrated_on_import(
    fixture: str,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, receiver)
    keys = age_keys(tmp_path)
    case = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    assert case["schema_version"] < SCHEMA_VERSION
    bundle = tmp_path / "aldre.age"
    bundle.write_bytes(sealed({"format": FORMAT, "version": 1, "case": case}, keys))
    received = run(capsys, "import", str(bundle), "--identity", str(keys.file))
    assert received.code == 0, received.err
    data = show_json(capsys, case["id"])
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["status"] == "aktiverad" and data["handovers"] == []
    assert {c["giver"] for c in data["consents"]} <= {"vardnadshavare-1", "ungdom"}
    assert data["own_organisation"] == {"id": "skola", "name": "Skola"}
    assert data["journal"][-1]["text"] == "Ärendet togs emot."
    assert data["journal"][-1]["command"] == "import"
    stored = json.loads(case_file(receiver, case["id"]).read_text(encoding="utf-8"))
    assert stored["schema_version"] == SCHEMA_VERSION


@pytest.mark.parametrize("fixture", ["case-v2.json", "case-v3.json"])
def test_a_case_file_of_the_previous_release_loads_unchanged_but_for_its_version(
    store: CaseStore, fixture: str
) -> None:
    store.directory.mkdir(parents=True)
    original = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    shutil.copy(FIXTURES / fixture, store.path(original["id"]))
    case = store.load(original["id"])
    assert case.schema_version == SCHEMA_VERSION == 4
    assert case.handovers == [] and case.earlier_closures == []
    assert all(m.next_starts_at is None for m in case.meetings)
    assert case == Case.model_validate({**original, "schema_version": 4})


# -- An id already here ----------------------------------------------------------------------------


def test_another_case_with_the_same_id_is_never_overwritten(
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = age_keys(tmp_path)
    case = json.loads((FIXTURES / "case-v2.json").read_text(encoding="utf-8"))
    use(monkeypatch, receiver)
    store = CaseStore(receiver)
    store.directory.mkdir(mode=0o700, parents=True)
    receiver.chmod(0o700)
    mine = {**case, "created": "2026-10-01T09:00:00+02:00", "child": {"name": "Någon annan"}}
    store.path(case["id"]).write_text(json.dumps(mine), encoding="utf-8")
    store.path(case["id"]).chmod(0o600)
    kept = store.path(case["id"]).read_bytes()
    bundle = tmp_path / "fil.age"
    bundle.write_bytes(sealed({"format": FORMAT, "version": 1, "case": case}, keys))
    for extra in ((), ("--replace",)):
        message = refused_import(capsys, str(bundle), "--identity", str(keys.file), *extra)
        assert f"redan ett annat ärende med id {case['id']}" in message
        assert store.path(case["id"]).read_bytes() == kept


def test_the_same_case_coming_back_replaces_the_copy_only_with_replace_keeping_both_journals(
    sender: Path,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    skolan, soc = age_keys(tmp_path, "skolan.txt"), age_keys(tmp_path, "soc.txt")
    case_id = activated_case(tmp_path)
    there, back = tmp_path / "dit.age", tmp_path / "tillbaka.age"
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", soc.public)
    assert run(capsys, *args, "--output", str(there)).code == 0
    # The sender's copy is read-only, but its journal may still grow (a later release records
    # exports and reads): a line only the sender has must survive the case's return.
    senders = CaseStore(sender)
    copy = senders.load(case_id)
    copy.log("Barnets plan skrevs ut.", local_now(), senders.actor)
    senders.save(copy)
    senders_journal = copy.journal
    use(monkeypatch, receiver)
    assert run(capsys, "import", str(there), "--identity", str(soc.file)).code == 0
    assert run(capsys, "plan", case_id, "done", "1").code == 0
    args = ("handover", "--yes", case_id, "--to", "skola", "--recipient", skolan.public)
    assert run(capsys, *args, "--output", str(back)).code == 0
    receivers_journal = CaseStore(receiver).load(case_id).journal

    use(monkeypatch, sender)
    path = case_file(sender, case_id)
    kept = path.read_bytes()
    refused = refused_import(capsys, str(back), "--identity", str(skolan.file))
    assert "samma ärende" in refused and "--replace" in refused
    assert path.read_bytes() == kept
    replaced = run(capsys, "import", str(back), "--identity", str(skolan.file), "--replace")
    assert replaced.code == 0, replaced.err
    case = CaseStore(sender).load(case_id)
    assert case.status == "aktiverad"
    assert [h.to.id for h in case.handovers] == ["socialtjanst", "skola"]
    assert case.meetings[0].actions[0].status == "klar"  # the receiver's change came back
    texts = [e.text for e in case.journal]
    # The sender's journal as it was (it only grows), then what the receiver's adds, then the
    # return: every line of both once, the shared history too.
    assert case.journal[: len(senders_journal)] == senders_journal
    # What the receiver's journal held when it sealed the file (its own "överlämnad" line
    # comes after): every one of those entries is here.
    here = [e.model_dump_json() for e in case.journal]
    sealed = [e for e in receivers_journal if e.text != "Status: överlämnad."]
    assert all(e.model_dump_json() in here for e in sealed)
    assert texts.count("Ärendet skapades.") == 1
    assert texts.count("Ärendet överlämnades (överlämning 1).") == 1
    assert texts.count("Ärendet överlämnades (överlämning 2).") == 1
    assert "Insats 1: klar." in texts and "Barnets plan skrevs ut." in texts
    assert texts[-1] == "Ärendet togs emot (överlämning 2) och ersatte kopian som fanns här."
    assert [e.at for e in case.journal] == sorted(e.at for e in case.journal)


def test_merging_journals_keeps_each_entry_once_and_the_journal_here_as_it_was(
    sent: Sent,
) -> None:
    journal = CaseStore(sent.home).load(sent.case_id).journal
    twice = [*journal, journal[-1]]
    assert merge_journals(journal, journal) == journal
    assert merge_journals(twice, journal) == twice
    assert merge_journals(journal[:3], journal) == journal
    assert merge_journals(journal, twice) == twice  # a repeat within one journal stays
    # What arrives is added after what is here, in time order, even if it is older.
    late, early = journal[-1], journal[0].model_copy(update={"text": "Tidigare."})
    assert merge_journals([late], [early, late]) == [late, early]


# -- Writing the file ------------------------------------------------------------------------------


def test_an_unwritable_output_is_one_line_and_the_case_stays_as_it_was(
    sender: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_id = activated_case(tmp_path)
    keys = age_keys(tmp_path)
    path = case_file(sender, case_id)
    kept = path.read_bytes()
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", keys.public)
    a_file = tmp_path / "en-fil"
    a_file.write_text("x", encoding="utf-8")
    for output, expected in (
        (tmp_path / "saknas" / "fil.age", "katalogen"),
        (a_file / "fil.age", "katalogen"),
        (tmp_path, "är en katalog"),
    ):
        refused = run(capsys, *args, "--output", str(output))
        assert expected in refused.one_swedish_line(), output
    # The disk fills while the file is written: no file, no temporary file, the case unchanged.
    target = tmp_path / "fil.age"

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(files, "create_new", full)
    refused = run(capsys, *args, "--output", str(target))
    assert "disken är full" in refused.one_swedish_line()
    assert not target.exists() and not list(tmp_path.glob(".fil.age.*"))
    assert path.read_bytes() == kept


def test_the_file_is_removed_again_when_the_senders_copy_cannot_be_saved(
    sender: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    case_id = activated_case(tmp_path)
    keys = age_keys(tmp_path)
    kept = case_file(sender, case_id).read_bytes()
    target = tmp_path / "fil.age"

    def refuse(self: CaseStore, case: Case) -> None:
        raise KronobarnError("Kunde inte spara ärendet: disken är full.")

    monkeypatch.setattr(CaseStore, "save", refuse)
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", keys.public)
    refused = run(capsys, *args, "--output", str(target))
    assert "disken är full" in refused.one_swedish_line()
    assert not target.exists()
    assert case_file(sender, case_id).read_bytes() == kept


def test_an_existing_file_is_kept_unless_force(
    sender: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = activated_case(tmp_path)
    keys = age_keys(tmp_path)
    target = tmp_path / "fil.age"
    target.write_bytes(b"annat")
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", keys.public)
    assert "finns redan" in run(capsys, *args, "--output", str(target)).one_swedish_line()
    assert target.read_bytes() == b"annat"
    assert CaseStore(sender).load(case_id).status == "aktiverad"
    assert run(capsys, *args, "--output", str(target), "--force").code == 0
    assert target.read_bytes().startswith(b"age-encryption.org/v1\n")


def test_a_recipient_that_is_not_a_public_key_is_one_line_without_the_key(
    sender: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = activated_case(tmp_path)
    secret = str(x25519.Identity.generate())
    args = (
        "handover",
        "--yes",
        case_id,
        "--to",
        "socialtjanst",
        "--output",
        str(tmp_path / "f.age"),
    )
    message = run(capsys, *args, "--recipient", secret).one_swedish_line()
    assert "hemlig nyckel" in message and secret not in message
    assert "ingen giltig age-nyckel" in run(capsys, *args, "--recipient", "age1fel").err
    assert CaseStore(sender).load(case_id).status == "aktiverad"


# -- At a real terminal ----------------------------------------------------------------------------

KRONOBARN = Path(sys.executable).parent / "kronobarn"


@pytest.mark.pty
@pytest.mark.timeout(90)
@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_at_a_terminal_the_passphrase_is_asked_twice_and_never_shown(
    sender: Path, receiver: Path, tmp_path: Path
) -> None:
    case_id = activated_case(tmp_path)
    output = tmp_path / "fil.age"
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "LANG": "C.UTF-8"}
    env.pop(passphrases.ENV, None)

    def spawn(home: Path, *args: str) -> pexpect.spawn:
        return pexpect.spawn(str(KRONOBARN), list(args), env={**env, "KRONOBARN_HOME": str(home)},
                             encoding="utf-8", timeout=30, dimensions=(40, 120))  # fmt: skip

    child = spawn(sender, "handover", case_id, "--to", "socialtjanst", "--output", str(output))
    child.logfile_read = screen = io.StringIO()
    child.expect("Lämna över ärendet")  # asked first; Enter would keep the case here
    child.send("\x1b[B\r")  # down to "Ja, lämna över"
    child.expect("Lösenfras \\(minst 12")
    child.send(PASSPHRASE + "\r")
    child.expect("Skriv lösenfrasen igen")
    child.send(PASSPHRASE + "\r")
    child.expect("Din kopia är nu överlämnad")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, screen.getvalue()
    assert "häftklammer" not in screen.getvalue()  # not echoed, not even as it is typed
    child = spawn(receiver, "import", str(output))
    child.expect("Lösenfras för filen")
    child.send(PASSPHRASE + "\r")
    child.expect("Fortsätt med: kronobarn follow-up")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert CaseStore(receiver).load(case_id).status == "aktiverad"


# -- An old file replayed (second attack) ---------------------------------------------------


def test_rule2_an_old_handover_replayed_with_replace_cannot_undo_a_withdrawal(
    sender: Path,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    soc = age_keys(tmp_path, "soc.txt")
    case_id = activated_case(tmp_path)
    there = tmp_path / "h.age"
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", soc.public)
    assert run(capsys, *args, "--output", str(there)).code == 0
    use(monkeypatch, receiver)
    assert run(capsys, "import", str(there), "--identity", str(soc.file)).code == 0
    withdraw = ("consent", case_id, "withdraw", "--giver", "vardnadshavare-1")
    done = run(capsys, *withdraw, "--organisation", "socialtjanst")
    assert done.code == 0, done.err
    path = case_file(receiver, case_id)
    kept = path.read_bytes()
    for extra in ((), ("--replace",)):
        message = refused_import(capsys, str(there), "--identity", str(soc.file), *extra)
        assert "inte nyare än din kopia" in message
        assert path.read_bytes() == kept
    case = CaseStore(receiver).load(case_id)
    assert case.withdrawals and case.status == "aktiverad"


def test_rule7_a_file_coming_back_with_another_child_is_refused(
    sender: Path,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Same id, same creation time, handed back, but another child's name and no edit in its
    journal: the child's identity never changes silently."""
    skolan = age_keys(tmp_path, "skolan.txt")
    case_id = activated_case(tmp_path)
    there = tmp_path / "dit.age"
    soc = age_keys(tmp_path, "soc.txt")
    args = ("handover", "--yes", case_id, "--to", "socialtjanst", "--recipient", soc.public)
    assert run(capsys, *args, "--output", str(there)).code == 0
    use(monkeypatch, receiver)
    assert run(capsys, "import", str(there), "--identity", str(soc.file)).code == 0
    back = tmp_path / "tillbaka.age"
    args = ("handover", "--yes", case_id, "--to", "skola", "--recipient", skolan.public)
    assert run(capsys, *args, "--output", str(back)).code == 0
    # The file as the receiver sealed it, with another child's name put in.
    data = json.loads(case_file(receiver, case_id).read_text(encoding="utf-8"))
    data["status"] = "aktiverad"
    data["child"]["name"] = "Någon annan"
    forged = tmp_path / "forged.age"
    forged.write_bytes(sealed({"format": FORMAT, "version": 1, "case": data}, skolan))
    use(monkeypatch, sender)
    path = case_file(sender, case_id)
    kept = path.read_bytes()
    message = refused_import(capsys, str(forged), "--identity", str(skolan.file), "--replace")
    assert "Barnets namn eller födelseår" in message
    assert path.read_bytes() == kept
    # The file as sealed, with the child unchanged, comes back as before.
    replaced = run(capsys, "import", str(back), "--identity", str(skolan.file), "--replace")
    assert replaced.code == 0, replaced.err


def test_an_imported_case_over_the_stores_limit_is_refused_and_nothing_is_saved(
    sender: Path,
    receiver: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Over 10 MB of journal, each entry within the limits: the store could not read the
    case back, so it is never written."""
    keys = age_keys(tmp_path)
    case_id = activated_case(tmp_path)
    data = json.loads(case_file(sender, case_id).read_text(encoding="utf-8"))
    entry = {**data["journal"][-1], "text": "x" * 1_000}
    data["journal"] += [entry] * 12_000
    bundle = tmp_path / "stor.age"
    bundle.write_bytes(sealed({"format": FORMAT, "version": 1, "case": data}, keys))
    use(monkeypatch, receiver)
    message = refused_import(capsys, str(bundle), "--identity", str(keys.file))
    assert "större än 10 MB" in message
    assert not case_file(receiver, case_id).exists()
    assert run(capsys, "list", "--json").out.strip() in ("[]", "")


def _long_noticed(data: dict[str, Any]) -> None:
    # What was noticed, 15 MB: the handover file (at most 20 MB) is read, the case is not.
    data["answers"]["behov-av-samverkan"]["uppmarksammat"] = "x" * 15_000_000


def _long_action(data: dict[str, Any]) -> None:
    data["meetings"][0]["actions"][0]["what"] = "x" * 2_001  # one more than an answer may have


def _long_list(data: dict[str, Any]) -> None:
    data["meetings"][0]["answers"]["barnets-plan"]["atgarder"] *= 20_001 // 2 + 1


def _deep_answers(data: dict[str, Any]) -> None:
    nested: Any = "x"
    for _ in range(60):
        nested = [nested]
    data["pending"] = {"step": "atgarder", "items": nested, "current": {}}


@pytest.mark.parametrize(
    "limit",
    [
        (
            _long_noticed,
            "answers.behov-av-samverkan.uppmarksammat: texten är för lång, högst 2 000 tecken",
        ),
        (_long_action, "meetings[0].actions[0].what: texten är för lång, högst 2 000 tecken"),
        (_long_list, "meetings[0].answers: för många värden, högst 20 000"),
        (_deep_answers, "pending: för djupt nästlad, högst 50 nivåer"),
    ],
)
def test_untrusted_input_an_imported_case_is_held_to_the_limits_of_an_answers_file(
    limit: tuple[Any, str],
    sender: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A case file is untrusted input, as an answers file is: no text longer than an answer,
    no answers with more values than `limits.MAX_NODES` or deeper nesting than an answers file
    may hold. One line, naming where, and nothing saved (no case file, no row in the index)."""
    change, where = limit
    receiver = tmp_path / "mottagare"
    keys = age_keys(tmp_path)
    case_id = activated_case(tmp_path)
    data = json.loads(case_file(sender, case_id).read_text(encoding="utf-8"))
    change(data)
    bundle = tmp_path / "gräns.age"
    bundle.write_bytes(sealed({"format": FORMAT, "version": 1, "case": data}, keys))
    use(monkeypatch, receiver)
    message = refused_import(capsys, str(bundle), "--identity", str(keys.file))
    assert where in message and message.endswith("Inget sparades."), message
    assert not case_file(receiver, case_id).exists()
    assert run(capsys, "list", "--json").out.strip() in ("[]", "")


@pytest.mark.parametrize("typed", ["Polis", "POLIS", "Skola", "SKOLA", "skolá"])
def test_handover_to_takes_the_organisation_by_name_in_any_case_or_diacritics(
    typed: str, sender: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--to` finds the directory's organisation as typed; the refusal is then the consent's or
    the own organisation's, never an unknown organisation."""
    case_id = activated_case(tmp_path)
    refused = run(
        capsys, "handover", "--yes", case_id, "--to", typed, "--output", str(tmp_path / "f")
    )
    message = refused.one_swedish_line()
    assert "Okänd verksamhet" not in message, message
    expected = "Samtycket omfattar inte Polis" if "p" in typed.lower() else "Skola har redan"
    assert expected in message, message


@pytest.mark.parametrize("change", [_long_action, None], ids=["text", "size"])
def test_untrusted_input_the_team_store_takes_no_imported_case_over_the_limits(
    change: Any,
    tmp_path: Path,
    pg_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The limits hold whichever store receives: the team store too saves nothing."""
    keys = age_keys(tmp_path)
    case_id = activated_case(tmp_path)
    sender = Path(os.environ["KRONOBARN_HOME"])
    data = json.loads(case_file(sender, case_id).read_text(encoding="utf-8"))
    if change is None:
        data["journal"] += [{**data["journal"][-1], "text": "x" * 1_000}] * 12_000
    else:
        change(data)
    bundle = tmp_path / "gräns.age"
    bundle.write_bytes(sealed({"format": FORMAT, "version": 1, "case": data}, keys))
    monkeypatch.setenv("KRONOBARN_STORE", pg_url)
    message = refused_import(capsys, str(bundle), "--identity", str(keys.file))
    assert message.endswith("Inget sparades."), message
    assert run(capsys, "list", "--json").out.strip() in ("[]", "")
