"""Whose copy a case is: after an import, the receiver's own organisation is the one that
imported it, not the one that opened the case (issue: "Egen verksamhet Skola" at Socialtjänst)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

from rich.console import Console

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import (
    Case,
    Child,
    Consent,
    Handover,
)
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.render.views import consent_view

AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SKOLA = OrganisationRef(id="skola", name="Skola")
SOC = OrganisationRef(id="socialtjanst", name="Socialtjänst")


def _case(status: str) -> Case:
    consent = Consent(giver="vardnadshavare-1", form="skriftlig", given_on=date(2026, 11, 1),
                      organisations=[SKOLA, SOC])  # fmt: skip
    handover = Handover(on=AT, to=SOC, by=SKOLA, after_meeting=1)
    return Case(id="k3m9qa", created=AT, updated=AT, child=Child(name="A. B."),
                status=status, consents=[consent], own_organisation=SKOLA,  # type: ignore[arg-type]
                handovers=[handover])  # fmt: skip


def _shown(case: Case, workflow: Workflow) -> str:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(consent_view(case, workflow, date(2026, 11, 23)))
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_the_receivers_own_organisation_is_the_one_that_imported(workflow: Workflow) -> None:
    case = _case("aktiverad")
    assert case.own_here == SOC
    shown = _shown(case, workflow)
    assert re.search(r"Egen verksamhet +Socialtjänst", shown)
    assert re.search(r"Ärendet öppnades av +Skola", shown)


def test_the_senders_copy_stays_the_senders(workflow: Workflow) -> None:
    case = _case("overlamnad")
    assert case.own_here == SKOLA
    shown = _shown(case, workflow)
    assert re.search(r"Egen verksamhet +Skola", shown)
    assert "öppnades av" not in shown
