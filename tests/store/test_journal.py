"""The journal a data-protection officer asks for: who changed what, when, through which command;
never the free text itself; entries only ever added."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Actor, Child, JournalEntry
from kronobarn_cli.errors import JournalRewriteError
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store.case_files import CaseStore
from kronobarn_cli.support.text import IDENTITY_NUMBER_WARNING

from ..conftest import NOW, REPO, fixed_clock
from ..helpers import run

EXAMPLE = REPO / "examples" / "svar.yaml"
FIXTURE_V1 = REPO / "tests" / "fixtures" / "case-v1.json"

# Free text a user types, each distinctive enough that it cannot appear by chance.
CHILD = "Zlatana Qvistbergh"
NEW_NAME = "Ylvina Ökvistrand"
NOTICED = "Berättade om Hemlighetsxyz hemma"
ACTION = "Läxstöd hos Pirrelundsmormor"
PERSON = "Kimbo Bergqvistsson"
OTHER_ORG = "Föreningen Blåklintsgården"
REASON = "Flyttade till Snurrebrostaden"
VIEW = "Vill ha lugnare raster hos Gnolleberga"
FREE_TEXT = (CHILD, NEW_NAME, NOTICED, ACTION, PERSON, OTHER_ORG, REASON, VIEW)


def answers_file(tmp_path: Path) -> Path:
    """The shipped example with distinctive free text and real future dates."""
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["barn"]["namn"] = CHILD
    answers = data["svar"]
    answers["uppmarksammat"] = NOTICED
    answers["barnets-asikter"] = VIEW
    answers["atgarder"][1]["person"] = PERSON
    answers["inbjudna"][0]["person"] = PERSON
    soon = date.today() + timedelta(days=60)
    answers["mote-datum"] = soon
    answers["nasta-mote"] = soon + timedelta(days=30)
    path = tmp_path / "svar.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def new_case(capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str) -> str:
    result = run(capsys, *options, "new-case", "--answers", str(answers_file(tmp_path)))
    assert result.code == 0, result.err
    return result.out.split()[1]  # "Ärende ID skapat från …"


def journal_on_disk(isolated: Path, case_id: str) -> list[dict[str, Any]]:
    data = json.loads((isolated / "arenden" / f"{case_id}.json").read_text(encoding="utf-8"))
    entries: list[dict[str, Any]] = data["journal"]
    return entries


def test_journal_entries_carry_user_command_and_fields_and_never_the_free_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated: Path
) -> None:
    case_id = new_case(capsys, tmp_path, "--user", "Maria Lind")
    steps: list[tuple[str, ...]] = [
        ("plan", case_id, "add", "--what", ACTION, "--organisation", "skola",
         "--due", "2027-05-01", "--area", "utvecklas", "--person", PERSON),
        ("plan", case_id, "done", "3"),
        ("consent", case_id, "add", "--giver", "vardnadshavare-1", "--organisation", "skola",
         "--organisation", "socialtjanst", "--organisation", f"annan:{OTHER_ORG}"),
        ("consent", case_id, "withdraw", "--giver", "vardnadshavare-1",
         "--organisation", f"annan:{OTHER_ORG}"),
        ("edit", case_id, "--name", NEW_NAME),
        ("close", case_id, "--reason", REASON, "--yes"),
    ]  # fmt: skip
    for args in steps:
        result = run(capsys, "--user", "Maria Lind", *args)
        assert result.code == 0, (args, result.err)
        assert "personnummer" not in result.err, (args, result.err)

    journal = journal_on_disk(isolated, case_id)
    written = json.dumps(journal, ensure_ascii=False)
    for text in FREE_TEXT:
        assert text not in written, text
    # The free text did reach the case itself: the test typed what it looks for.
    case_file = (isolated / "arenden" / f"{case_id}.json").read_text(encoding="utf-8")
    assert all(text in case_file for text in FREE_TEXT if text not in (CHILD,))

    assert all(entry["user"] == "Maria Lind" for entry in journal)
    commands = [entry["command"] for entry in journal]
    assert set(commands) == {"new-case", "plan add", "plan done", "consent add",
                             "consent withdraw", "edit", "close"}  # fmt: skip
    by_command = {entry["command"]: entry for entry in journal}
    assert journal[0]["text"] == "Ärendet skapades."
    assert journal[0]["fields"] == ["child", "own_organisation"]
    assert by_command["plan add"]["fields"] == ["atgarder"]
    assert by_command["edit"]["fields"] == ["child.name"]
    assert by_command["consent withdraw"]["fields"] == ["withdrawals"]
    assert by_command["close"] == {**by_command["close"], "text": "Ärendet avslutades.",
                                   "fields": ["status", "closed"]}  # fmt: skip
    answered = [e for e in journal if e["command"] == "new-case" and e["text"].startswith("Bes")]
    assert answered[0]["fields"] == ["uppmarksammat"]
    assert all(len(entry["fields"]) >= 1 for entry in journal)


def test_a_group_filled_in_field_by_field_is_journalled_once_without_its_text(
    workflow: Workflow, isolated: Path
) -> None:
    store = CaseStore(isolated, actor=Actor(user="Bo", command="resume"))
    case = store.create(Child(name=CHILD, birth_year=2016), NOW)
    walk = Walk(workflow, store, case, clock=fixed_clock)
    walk.answer("uppmarksammat", NOTICED)
    step = workflow.step("atgarder")
    for current in ({"vad": ACTION}, {"vad": ACTION, "person": PERSON}):
        walk.save_pending(step, [], current)
    journal = store.load(case.id).journal
    assert [e.text.split(":")[0] for e in journal] == [
        "Ärendet skapades.",
        "Besvarade",
        "Fyllde i (inte klart)",
    ]
    assert (journal[-1].user, journal[-1].command, journal[-1].fields) == (
        "Bo",
        "resume",
        ["atgarder"],
    )
    assert ACTION in store.path(case.id).read_text(encoding="utf-8")
    assert not any(text in json.dumps([e.model_dump(mode="json") for e in journal])
                   for text in FREE_TEXT)  # fmt: skip


def test_the_user_comes_from_user_option_then_kronobarn_user_then_the_system(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "systemkonto")
    case_id = new_case(capsys, tmp_path)
    assert journal_on_disk(isolated, case_id)[-1]["user"] == "systemkonto"

    monkeypatch.setenv("KRONOBARN_USER", "Kurator Bo")
    assert run(capsys, "edit", case_id, "--birth-year", "2015").code == 0
    assert journal_on_disk(isolated, case_id)[-1]["user"] == "Kurator Bo"

    assert run(capsys, "--user", "Rektor Al", "edit", case_id, "--birth-year", "2016").code == 0
    assert journal_on_disk(isolated, case_id)[-1]["user"] == "Rektor Al"

    bad = run(capsys, "--user", "Al\x1b[2J", "edit", case_id, "--birth-year", "2015")
    assert "--user" in bad.one_swedish_line()
    assert journal_on_disk(isolated, case_id)[-1]["user"] == "Rektor Al"


def test_the_store_refuses_a_journal_that_is_not_the_one_on_disk_with_entries_added(
    walk: Walk, store: CaseStore, capsys: pytest.CaptureFixture[str]
) -> None:
    walk.answer("uppmarksammat", "Oro.")
    path = store.path(walk.case.id)
    saved = path.read_bytes()
    on_disk = store.load(walk.case.id)
    assert len(on_disk.journal) == 2

    changed = on_disk.model_copy(deep=True)
    changed.journal[0] = changed.journal[0].model_copy(update={"text": "Något annat."})
    removed = on_disk.model_copy(update={"journal": on_disk.journal[1:]}, deep=True)
    emptied = on_disk.model_copy(update={"journal": []}, deep=True)
    other_user = on_disk.model_copy(deep=True)
    other_user.journal[1] = other_user.journal[1].model_copy(update={"user": "någon annan"})
    for rewritten in (changed, removed, emptied, other_user):
        with pytest.raises(JournalRewriteError) as refused:
            store.save(rewritten)
        assert path.read_bytes() == saved
    message = refused.value.message
    assert "\n" not in message and message.startswith(f"Ärendet {walk.case.id} sparades inte")

    # A session that read the case before another one saved it cannot drop that entry either.
    stale = on_disk.model_copy(deep=True)
    walk.answer("egen-insats-racker", True)
    stale.log("Ärendet avslutades.", NOW, store.actor)
    with pytest.raises(JournalRewriteError):
        store.save(stale)

    grown = store.load(walk.case.id)
    grown.log("Barnets uppgifter ändrades: namn.", NOW, store.actor, ["child.name"])
    store.save(grown)  # entries added: fine
    assert store.load(walk.case.id).journal == grown.journal


def test_log_shows_time_user_command_and_what_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per entry, to read it back
    case_id = new_case(capsys, tmp_path, "--user", "Maria Lind")
    assert run(capsys, "--user", "Bo Berg", "plan", case_id, "done", "1").code == 0
    shown = run(capsys, "log", case_id)
    assert shown.code == 0, shown.err
    text = " ".join(shown.out.split())
    for expected in (f"Journal för ärende {case_id}", "Maria Lind", "Bo Berg", "new-case",
                     "plan done", "Ärendet skapades.", "Insats 1: klar.", "atgarder",
                     "uppmarksammat", date.today().isoformat()):  # fmt: skip
        assert expected in text, expected
    assert CHILD not in shown.out and NOTICED not in shown.out


def test_log_json_is_the_journal_with_user_command_and_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    case_id = new_case(capsys, tmp_path, "--user", "Maria Lind")
    shown = run(capsys, "log", case_id, "--json")
    assert shown.code == 0, shown.err
    entries = json.loads(shown.out)
    assert entries[0] == {"at": entries[0]["at"], "text": "Ärendet skapades.",
                          "user": "Maria Lind", "command": "new-case",
                          "fields": ["child", "own_organisation"]}  # fmt: skip
    assert all(set(e) == {"at", "text", "user", "command", "fields"} for e in entries)
    schema = json.loads(run(capsys, "schema", "journal").out)
    assert set(schema["items"]["$ref"].split("/")[-1:]) == {"JournalEntry"}


def test_version_1_journal_entries_still_load_and_show_without_a_user(
    capsys: pytest.CaptureFixture[str], store: CaseStore, isolated: Path
) -> None:
    data = json.loads(FIXTURE_V1.read_text(encoding="utf-8"))
    store.directory.mkdir(parents=True)
    (store.directory / f"{data['id']}.json").write_text(json.dumps(data), encoding="utf-8")
    case = store.load(data["id"])
    assert case.journal[0] == JournalEntry(at=case.journal[0].at, text=data["journal"][0]["text"])
    assert (case.journal[0].user, case.journal[0].command, case.journal[0].fields) == (
        None,
        None,
        [],
    )
    shown = run(capsys, "log", data["id"], "--json")
    assert json.loads(shown.out)[0]["user"] is None
    assert run(capsys, "--user", "Ny", "edit", data["id"], "--birth-year", "2013").code == 0
    after = journal_on_disk(isolated, data["id"])
    assert after[: len(data["journal"])] == [
        {**entry, "user": None, "command": None, "fields": []} for entry in data["journal"]
    ]
    assert after[-1]["user"] == "Ny"


def test_log_of_an_unknown_case_is_one_swedish_line(capsys: pytest.CaptureFixture[str]) -> None:
    line = run(capsys, "log", "abcdef").one_swedish_line()
    assert "Det finns inget ärende med id 'abcdef'" in line


def test_a_case_from_an_answers_file_is_created_before_its_answers_even_when_the_clock_ticks(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    isolated: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The journal is in time order: "Ärendet skapades." is stamped when the replay began,
    not after it (the clock may tick while the answers are applied)."""
    from datetime import datetime  # noqa: PLC0415

    from kronobarn_cli.interactive import walk as session  # noqa: PLC0415

    # The command reads the clock after the answers were applied: a second later.
    monkeypatch.setattr(session, "local_now", lambda: datetime.now().astimezone() + timedelta(1))
    case_id = new_case(capsys, tmp_path)
    journal = journal_on_disk(isolated, case_id)
    assert journal[0]["text"] == "Ärendet skapades."
    moments = [entry["at"] for entry in journal]
    assert moments == sorted(moments), moments


NUMBER = "Barn 20160101-1234"
ACTION_OPTIONS = ("--organisation", "skola", "--due", "2027-05-01", "--area", "utvecklas")


FREE_TEXT_OPTIONS = {
    "plan-what": ("plan", "{id}", "add", "--what", NUMBER, *ACTION_OPTIONS),
    "plan-person": ("plan", "{id}", "add", "--what", ACTION, "--person", NUMBER, *ACTION_OPTIONS),
    "plan-goal": ("plan", "{id}", "add", "--what", ACTION, "--goal", NUMBER, *ACTION_OPTIONS),
    "consent-name": ("consent", "{id}", "add", "--giver", "vardnadshavare-1",
                     "--organisation", "skola", "--name", "Vårdnadshavare 198001011234"),
    "close-reason": ("close", "{id}", "--reason", f"Flyttade, se {NUMBER}", "--yes"),
}  # fmt: skip


@pytest.mark.parametrize("args", FREE_TEXT_OPTIONS.values(), ids=FREE_TEXT_OPTIONS.keys())
def test_free_text_given_as_an_option_warns_of_an_identity_number_and_is_still_saved(
    args: tuple[str, ...], capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated: Path
) -> None:
    case_id = new_case(capsys, tmp_path)
    result = run(capsys, *(case_id if a == "{id}" else a for a in args))
    assert result.code == 0, result.err
    assert result.err.count(IDENTITY_NUMBER_WARNING) == 1, result.err
    assert result.err.strip() == f"Varning: {IDENTITY_NUMBER_WARNING}"
    case_file = (isolated / "arenden" / f"{case_id}.json").read_text(encoding="utf-8")
    assert next(a for a in args if "1234" in a) in case_file  # the warning does not refuse
