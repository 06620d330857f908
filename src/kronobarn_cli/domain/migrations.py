"""Older case files brought to the current schema version, before they are validated."""

from __future__ import annotations

from typing import Any


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """A case file of an earlier schema version, brought to the current one (not validated)."""
    version = data.get("schema_version", 1)
    if version == 1:
        data = _from_version_1(data)
        version = 2
    if version == 2:
        # Version 3 added handovers (none yet) and a status; nothing recorded changes.
        data = {**data, "schema_version": 3}
        version = 3
    if version == 3:
        # Version 4 added the next meeting's time and place, which of two guardians took part,
        # copy records and earlier closures (none recorded before); nothing changes.
        data = {**data, "schema_version": 4}
    return data


_OLD_GUARDIAN = "vardnadshavare"


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 knew one guardian's consent and took the union of all consents.

    The old consents become the guardian's (guardian 1) and the young person's own; one guardian
    with custody is what version 1 required. The organisation that opened the case is the one
    that invited to the first meeting, where that was recorded. Nothing recorded is dropped:
    what now lies outside the scope is flagged by `show` and `remind`, not rewritten.
    """
    data = dict(data)
    data["schema_version"] = 2
    # A hand-edited or hostile file may hold anything here; validation reports it afterwards.
    consents = data.get("consents")
    for consent in consents if isinstance(consents, list) else []:
        if isinstance(consent, dict) and consent.get("giver") == _OLD_GUARDIAN:
            consent["giver"] = "vardnadshavare-1"
    answers = data.get("answers")
    section = answers.get("samtycke") if isinstance(answers, dict) else None
    if isinstance(section, dict):
        _rename_givers(section.get("samtycken"))
        if "samtycken" in section and "vardnadshavare-antal" not in section:
            # Asked before the consents from version 2 on; keep the answer order.
            items = section.pop("samtycken")
            section["vardnadshavare-antal"] = "1"
            section["samtycken"] = items
    pending = data.get("pending")
    if isinstance(pending, dict) and pending.get("step") == "samtycken":
        _rename_givers(pending.get("items"))
        _rename_givers([pending.get("current")])
        if isinstance(answers, dict):
            answers.setdefault("samtycke", {}).setdefault("vardnadshavare-antal", "1")
    if data.get("consents"):
        data["guardians"] = 1
    meetings = data.get("meetings")
    meetings = meetings if isinstance(meetings, list) else []
    for meeting in meetings:
        if isinstance(meeting, dict):
            meeting.pop("consent_to_extend", None)
            _letter_routes(meeting.get("answers"))
    if isinstance(pending, dict) and pending.get("step") == "inbjudna":
        _letter_route_items(pending.get("items"))
        _letter_route_items([pending.get("current")])
    first = meetings[0] if meetings and isinstance(meetings[0], dict) else {}
    inviter = first.get("inviter")
    if isinstance(inviter, dict) and "own_organisation" not in data:
        data["own_organisation"] = inviter.get("organisation")
    return data


_LETTER_ROUTES = {"mejl": "mejl", "post": "post", "telefon": None}


def _letter_routes(answers: Any) -> None:
    """Version 1 offered e-mail, phone and post beside the letter; they are ways to send it."""
    section = answers.get("initiera-och-bjuda-in") if isinstance(answers, dict) else None
    if isinstance(section, dict):
        _letter_route_items(section.get("inbjudna"))


def _letter_route_items(items: Any) -> None:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("satt") in _LETTER_ROUTES:
            route = _LETTER_ROUTES[item["satt"]]
            item["satt"] = "blankett"
            if route is not None:
                item["brev"] = route


def _rename_givers(items: Any) -> None:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("roll") == _OLD_GUARDIAN:
            item["roll"] = "vardnadshavare-1"
