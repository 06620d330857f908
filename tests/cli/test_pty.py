"""End to end: the installed `kronobarn` in a real pseudo-terminal, as a user would run it."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest

from ..conftest import REPO
from ..terminal import KRONOBARN, answer, spawn

pytestmark = [pytest.mark.pty, pytest.mark.timeout(90)]

DOWN = "\x1b[B"


@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_new_case_walks_the_whole_workflow_and_writes_a_valid_case_file(isolated: Path) -> None:
    child = spawn(isolated, "new-case")
    answer(child, "Barnets namn eller initialer", "E. K.\r", ready=None)
    answer(child, "Barnets födelseår", "2016\r")
    answer(child, "Vilken verksamhet arbetar du i", DOWN * 5 + "\r")
    answer(child, "Vad har ni uppmärksammat", "Oro för skolfrånvaro.\r")
    answer(child, "Vem kan ge barnet/ungdomen det stöd", DOWN * 2 + "\r")  # tillsammans
    answer(child, "Hur många vårdnadshavare har vårdnaden", "\r")
    answer(child, "Hur och när lämnades samtycket", DOWN + "\r")  # Muntligt, idag
    answer(
        child,
        "Vilka verksamheter omfattar samtycket",
        DOWN * 5 + " " + DOWN * 3 + " \r",
        ready="Annan verksamhet",
    )
    # Section 3: invite
    meeting_day = (date.today() + timedelta(days=1)).isoformat()  # held at once: tomorrow at most
    answer(child, "Vilka områden i Barnets bästa-hjulet behöver", " \r", ready="Ansvarstagande")
    answer(child, "Vilket datum .* är samverkansmötet", meeting_day + " 13.15\r")
    answer(child, "fysiskt eller digitalt", "\r")
    answer(child, "Lokal eller länk", "Rum 12, Skolan\r")
    answer(child, "Vilken verksamhet bjuder du in", DOWN * 5 + "\r")
    answer(child, "Kontaktperson", "\r")
    answer(child, "Hur bjuder du in", "\r")  # in Link: no letter, so no inviter questions
    answer(child, "Vilket datum skickas", "idag\r")
    answer(child, "Vilken verksamhet bjuder du in", "\r")  # ✓ Inga fler – klart
    # Section 4 and the pause before the meeting
    answer(child, "kontakta någon samverkanspart före mötet", DOWN + "\r")
    answer(child, "Har mötet börjat eller hållits", "\r", ready="fortsätt senare")
    # Section 5: the meeting
    child.expect("Presentationsordning")
    child.expect("Familjen sitter ner först")  # guidance, nothing to answer
    answer(child, "Vilka verksamheter deltog", "\r", ready="Annan verksamhet")  # ticked
    answer(child, "nödvändig, relevant och proportionerlig", "\r")
    answer(child, "Vilka områden i Barnets bästa-hjulet tog ni upp", "\r", ready="Ansvarstag")
    answer(child, "Hur var barnet/ungdomen delaktig", "\r")  # was at the meeting
    answer(child, "Barnets/ungdomens åsikter", "Vill gå i skolan.\r")
    answer(child, "Vårdnadshavarnas åsikter", "\r")  # none expressed
    # Section 6: Barnets plan
    answer(child, "Vad ska göras", "Anpassat schema\r")
    answer(child, "Vem ansvarar", "\r")
    answer(child, "Senast vilket datum", meeting_day + "\r")
    answer(child, "Vad ska göras", "\r")  # an empty line: no more actions
    answer(child, "utskriven kopia av Barnets plan vid mötet", "\r")  # yes: all received
    # Section 7: coordination
    answer(child, "Förslag: Skola", "")
    answer(child, "samordnar nästa samverkansmöte", "\r")
    next_meeting = r"Vilket datum \(och gärna tid och plats\) är nästa samverkansmöte"
    answer(child, next_meeting, "2099-01-10 kl 13, Centralskolan\r")
    answer(child, "Vilka verksamheter ska delta i nästa möte", "\r", ready="Annan verksamhet")
    child.expect("Möte 1 är registrerat")
    child.expect("Samtycke har lämnats muntligen den .* för kontakt med Skola och Socialtjänst.")
    child.expect(r"Ärendet är sparat med id ([a-z0-9]{6})")
    case_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    path = isolated / "arenden" / f"{case_id}.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["status"] == "aktiverad"
    assert case["child"] == {"name": "E. K.", "birth_year": 2016}
    assert case["decision"]["noticed"] == "Oro för skolfrånvaro."
    [consent] = case["consents"]
    assert consent["form"] == "muntlig"
    assert [o["id"] for o in consent["organisations"]] == ["skola", "socialtjanst"]
    [meeting] = case["meetings"]
    assert meeting["finished"] is True
    assert meeting["starts_at"] == "13:15"
    assert meeting["place"] == "Rum 12, Skolan"
    assert [i["organisation"]["id"] for i in meeting["invitees"]] == ["skola"]
    assert meeting["child_view"] == {"expressed": True, "text": "Vill gå i skolan."}
    assert meeting["guardian_view"] == {"expressed": False, "text": None}
    assert [a["what"] for a in meeting["actions"]] == ["Anpassat schema"]
    assert case["own_organisation"] == {"id": "skola", "name": "Skola"}
    assert meeting["coordinator"] == {"id": "skola", "name": "Skola"}
    assert meeting["next_meeting"] == "2099-01-10"
    assert (meeting["next_starts_at"], meeting["next_place"]) == ("13:00", "Centralskolan")


@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_ctrl_c_prints_the_resume_command_and_resume_continues(isolated: Path) -> None:
    child = spawn(isolated, "new-case")
    answer(child, "Barnets namn eller initialer", "M\r", ready=None)
    answer(child, "Barnets födelseår", "\r")
    answer(child, "Vilken verksamhet arbetar du i", "\r")
    answer(child, "Vad har ni uppmärksammat", "Oro.\r")
    child.expect("Vem kan ge barnet/ungdomen det stöd")
    child.expect("Tillbaka")
    child.sendcontrol("c")
    child.expect(r"kronobarn resume ([a-z0-9]{6})")
    case_id = child.match.group(1)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    saved = json.loads((isolated / "arenden" / f"{case_id}.json").read_text(encoding="utf-8"))
    assert saved["answers"] == {"behov-av-samverkan": {"uppmarksammat": "Oro."}}

    child = spawn(isolated, "resume", case_id)
    answer(child, "Vem kan ge barnet/ungdomen det stöd", "\r")  # own support suffices
    child.expect("Samverkan aktiveras inte")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    saved = json.loads((isolated / "arenden" / f"{case_id}.json").read_text(encoding="utf-8"))
    assert saved["status"] == "ej-aktiverad"


@pytest.mark.skipif(not KRONOBARN.exists(), reason="the console script is not installed")
def test_a_broken_checklist_is_one_line_once_the_child_is_typed_and_nothing_is_saved(
    isolated: Path, tmp_path: Path
) -> None:
    """The checklists are read while the first question is on the screen: a broken one is still
    one Swedish line (naming the file), exit 1, and no case is created."""
    county = tmp_path / "county"
    shutil.copytree(REPO / "checklists", county)
    (county / "01-behov-av-samverkan.yaml").write_text("steps: [\n", encoding="utf-8")
    child = spawn(isolated, "--checklists", str(county), "new-case")
    answer(child, "Barnets namn eller initialer", "M\r", ready=None)
    answer(child, "Barnets födelseår", "\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    errors = [line[line.index("Fel:") :] for line in child.before.splitlines() if "Fel:" in line]
    assert len(errors) == 1 and "01-behov-av-samverkan.yaml" in errors[0], child.before
    assert "Traceback" not in child.before
    assert not list((isolated / "arenden").glob("*.json"))
