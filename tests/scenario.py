"""A realistic case as data: the answers the tests walk through, step by step."""

from __future__ import annotations

from typing import Any

from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.interactive.walk import Walk

GUARDIANS = ("vardnadshavare-antal", "1")
"""One guardian has custody: the realistic case's first answer in section 2 after maturity."""
GUARDIAN_ORAL = {
    "roll": "vardnadshavare-1",
    "form": "muntlig",
    "datum": "2026-11-20",
    "verksamheter": ["skola", "socialtjanst"],
}
YOUTH_WRITTEN = {
    "roll": "ungdom",
    "form": "skriftlig",
    "datum": "2026-11-21",
    "verksamheter": ["skola"],
}


def answer_all(walk: Walk, answers: list[tuple[str, object]]) -> None:
    """Answer steps in order; what the walk answers itself (guidance, notes not asked for),
    `Walk.answer` gives first, as the prompts would, unless the list gives it."""
    for step_id, value in answers:
        walk.answer(step_id, value)


def activate_need(walk: Walk) -> None:
    answer_all(
        walk,
        [
            ("uppmarksammat", "Hög frånvaro och oro hemma."),
            ("egen-insats-racker", False),
            ("annan-verksamhet-ensam", False),
            ("tillsammans", True),
        ],
    )


SKOLA = {"id": "skola", "name": "Skola"}
SOC = {"id": "socialtjanst", "name": "Socialtjänst"}


def invitee(org: Any = "skola", **extra: Any) -> dict[str, Any]:
    return {"verksamhet": org, "satt": "link", "skickad": "2026-11-23", **extra}


def action(
    what: str, org: Any, status: str = "planerad", due: str = "2027-01-15"
) -> dict[str, Any]:
    return {"vad": what, "ansvarig": org, "senast": due, "omrade": "utvecklas", "status": status}


def copy(org: Any) -> dict[str, Any]:
    return {"verksamhet": org, "satt": "utskriven", "har-fatt": True}


INVITATION = [
    ("omraden", ["trygg", "utvecklas"]),
    ("mote-datum", "2026-12-20"),
    ("mote-tid", "9.30"),
    ("mote-form", "fysiskt"),
    ("mote-plats", "Rum 3"),
    ("inbjudna", [invitee("skola"), invitee("socialtjanst", satt="blankett", brev="mejl")]),
    # asked because a letter goes out: who invites stands in it
    ("inbjudare", "Maria Lind"),
    ("inbjudare-verksamhet", "skola"),
    ("inbjudare-kontakt", "0470-123 45"),
    ("kontakt-fore-mote", False),
]
BEFORE_INVITEES = INVITATION[:5]
"""Section 3 up to the invitations."""
MEETING = [
    ("familjen-forst", True),
    ("deltagare", ["skola", "socialtjanst"]),
    ("information-nrp", True),
    ("omraden-motet", ["trygg"]),
    ("barnets-delaktighet", "narvarande"),
    ("barnets-asikter", "Vill ha lugn i klassrummet."),
    ("vardnadshavares-asikter", ""),
    ("samverkanslosningar", True),
]
PLAN = [
    (
        "atgarder",
        [
            action("Anpassat schema", "skola"),
            action("Stödsamtal", "socialtjanst", "pagaende"),
            action("Läxhjälp", "skola", "klar"),
        ],
    ),
    ("kopior-utskrivna", False),
    ("kopior", [copy("skola"), copy("socialtjanst")]),
]
COORDINATION = [
    ("samordnare", "skola"),
    ("nasta-mote", "2027-02-01"),
    ("nasta-deltagare", ["skola", "socialtjanst"]),
    ("ytterligare-parter", []),
]


def realistic_case(store: Any, workflow: Any, clock: Any, *, name: str = "Elsa K.") -> Walk:
    """One case through its first meeting, with a fixed id so its exports can be compared."""
    now = clock()
    case = Case(id="k3m9qa", created=now, updated=now, child=Child(name=name, birth_year=2014))
    store.save(case)
    walk = Walk(workflow, store, case, clock=clock)
    activate_need(walk)
    answer_all(walk, [("ungdom-mogen", False), GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    answer_all(walk, INVITATION + MEETING + PLAN + COORDINATION)
    return walk
