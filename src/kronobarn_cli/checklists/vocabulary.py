"""The words the checklists and the program share: statuses, family ids, the steps it reads."""

from __future__ import annotations

from typing import Literal

CaseStatus = Literal[
    "bedomning-pagar",
    "ej-aktiverad",
    "ej-aktiverad-hanvisad",
    "vantar-pa-samtycke",
    "aktiverad",
    "avslutad",
    "overlamnad",
]

OrganisationKind = Literal[
    "specialistvard",
    "primarvard",
    "barnhalsovard",
    "elevhalsa",
    "forskola",
    "skola",
    "socialtjanst",
    "polis",
    "frivillig",
    "familjecentral",
    "annan",
    "familj",  # the family or the young person, for actions they own (no consent needed)
]

OTHER_ORGANISATION = "annan"
"""The directory id of "annan verksamhet": the user names it in free text."""
FAMILY = "familjen"
YOUTH_ITSELF = "barnet"
FAMILY_PARTIES = (FAMILY, YOUTH_ITSELF)
"""Directory ids (kind `familj`) for the family and the child/young person: they may own an
action and receive a copy of Barnets plan, and need no consent; they are never invited."""

RecordKind = Literal["consent", "invitee", "action", "copy", "wheel-note"]
ACTION_STATUSES = ("planerad", "pagaende", "klar", "avbruten")

# What the program reads out of a group that `records` a domain object: field id → kind, options.
CONSENT_GIVERS = ("vardnadshavare-1", "vardnadshavare-2", "ungdom")
RECORD_FIELDS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "consent": {
        "roll": ("select", CONSENT_GIVERS),
        "namn": ("text", ()),
        "form": ("select", ("skriftlig", "muntlig")),
        "datum": ("date", ()),
        "giltigt-till": ("date", ()),
        "verksamheter": ("organisations", ()),
    },
    "invitee": {
        "verksamhet": ("organisation", ()),
        "person": ("text", ()),
        "satt": ("select", ("link", "blankett")),
        "skickad": ("date", ()),
        "etablerad-kontakt": ("confirm", ()),
        "kontakt-relevant": ("confirm", ()),
    },
    "action": {
        "vad": ("text", ()),
        "ansvarig": ("organisation", ()),
        "person": ("text", ()),
        "senast": ("date", ()),
        "omrade": ("area", ()),
        "status": ("select", ACTION_STATUSES),
    },
    "wheel-note": {
        "omrade": ("area", ()),
        "fungerar": ("text", ()),
        "utmanande": ("text", ()),
    },
    "copy": {
        "verksamhet": ("organisation", ()),
        "satt": ("select", ("utskriven", "hamtar", "post", "mejl")),
        "har-fatt": ("confirm", ()),
    },
}

# Steps the program itself reads (to record the decision and the consents): id → kind.
REQUIRED_STEPS: dict[str, str] = {
    "uppmarksammat": "text",
    "egen-insats-racker": "confirm",
    "annan-verksamhet-ensam": "confirm",
    "hanvisning-verksamhet": "organisation",
    "hanvisning-vag": "select",
    "hanvisning-samtycke-datum": "date",
    "ej-aktiverad-orsak": "text",
    "ungdom-mogen": "confirm",
    "vardnadshavare-antal": "select",
    "samtycken": "repeat",
    "inbjudare": "text",
    "inbjudare-verksamhet": "organisation",
    "inbjudare-kontakt": "text",
    "omraden": "areas",
    "mote-datum": "date",
    "mote-tid": "time",
    "mote-form": "select",
    "mote-plats": "text",
    "inbjudna": "repeat",
    "kontakt-fore-mote": "confirm",
    "kontakter": "repeat",
    "inget-formote": "confirm",
    "deltagare": "organisations",
    "vardnadshavare-deltog": "checkbox",
    "information-nrp": "confirm",
    "omraden-motet": "areas",
    "barnets-asikter": "text",
    "vardnadshavares-asikter": "text",
    "atgarder": "repeat",
    "kopior": "repeat",
    "samordnare": "organisation",
    "nasta-mote": "date",
    "nasta-tid": "time",
    "nasta-plats": "text",
    "nasta-deltagare": "organisations",
    "ytterligare-parter": "organisations",
}
# Groups the program reads as domain objects, and the rules that must hold for them.
REQUIRED_RECORDS: dict[str, str] = {
    "samtycken": "consent",
    "inbjudna": "invitee",
    "atgarder": "action",
    "kopior": "copy",
}
# Where an organisation must be one of the meeting's participants (and so within the consent).
REQUIRED_PARTICIPANT_SCOPES = (("atgarder", "ansvarig"), ("kopior", "verksamhet"))
# Where specialist care needs an established care contact outside an invitation.
REQUIRED_SPECIALIST_RULE = ("nasta-deltagare", "ytterligare-parter")
GUARDIAN_COUNTS = ("1", "2")
MEETING_SECTION = 3
"""Sections from this number on belong to a meeting and are walked again at each follow-up."""
REFERRAL_ROUTES = ("familjen-kontaktar", "vi-kontaktar")
