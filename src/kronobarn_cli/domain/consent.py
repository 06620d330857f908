"""Consent as the workflow means it: every required giver, each with their own scope, over time.

The seed asks for consent "från vårdnadshavare, samt från en ungdom med egen ålder och mognad".
An organisation is within scope only if every required giver's active consent covers it (the
intersection, never the union); the organisation that opened the case already holds the
information and is always within scope. A consent is active from the day it was given until
its end date, and a withdrawal ends it (whole, or for some organisations) from its date on.
Nothing is ever deleted: consents and withdrawals are a history, read as of one day.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

from kronobarn_cli.checklists.vocabulary import FAMILY_PARTIES, CaseStatus
from kronobarn_cli.domain.case import Case, Consent, ConsentWithdrawal
from kronobarn_cli.domain.meeting import Meeting
from kronobarn_cli.domain.parts import GiverRole, OrganisationRef
from kronobarn_cli.support.text import join_swedish, swedish_date

GUARDIAN_1: GiverRole = "vardnadshavare-1"
GUARDIAN_2: GiverRole = "vardnadshavare-2"
YOUTH: GiverRole = "ungdom"

GIVER_WORDS: dict[str, str] = {
    GUARDIAN_1: "vårdnadshavare 1",
    GUARDIAN_2: "vårdnadshavare 2",
    YOUTH: "ungdomen",
}

Key = tuple[str, str]
Reason = Literal["withdrawn", "expired", "missing"]


def required_groups(
    guardians: int | None, youth_mature: bool | None, *, each_guardian: bool = True
) -> tuple[tuple[GiverRole, ...], ...]:
    """Who must consent: each group is satisfied by any one of its givers.

    With two guardians with custody both consent (or, by a county's routine, either); the young
    person consents when judged mature enough.
    """
    groups: list[tuple[GiverRole, ...]] = []
    if guardians == 2:
        if each_guardian:
            groups += [(GUARDIAN_1,), (GUARDIAN_2,)]
        else:
            groups.append((GUARDIAN_1, GUARDIAN_2))
    else:
        groups.append((GUARDIAN_1,))
    if youth_mature:
        groups.append((YOUTH,))
    return tuple(groups)


def giver_word(giver: str, consents: Iterable[Consent] = ()) -> str:
    """`vårdnadshavare 1`, or `vårdnadshavare 1 (A. K.)` when a name was recorded."""
    word = GIVER_WORDS.get(giver, giver)
    names = [c.giver_name for c in consents if c.giver == giver and c.giver_name]
    return f"{word} ({names[-1]})" if names else word


@dataclass(frozen=True)
class ConsentScope:
    """What the consents of a case allow on one day."""

    required: tuple[tuple[GiverRole, ...], ...]
    consents: tuple[Consent, ...]
    withdrawals: tuple[ConsentWithdrawal, ...]
    own: OrganisationRef | None
    day: date
    maturity_to_judge: bool = False
    """The young person's age and maturity are still to be judged (see `of`): their own consent
    counts as required until then."""
    _covered: dict[tuple[GiverRole, ...], dict[Key, OrganisationRef]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    """What each group of givers covers, worked out once: every question asks it again."""
    _inside: list[frozenset[Key] | None] = field(
        default_factory=list, init=False, repr=False, compare=False
    )
    """`inside()`, once worked out (a list of one)."""

    @classmethod
    def of(cls, case: Case, day: date) -> ConsentScope:
        each = case.consent_from_each_guardian
        scope = cls(
            required_groups(case.guardians, case.youth_mature, each_guardian=each),
            tuple(case.consents),
            tuple(case.withdrawals),
            case.own_organisation,
            day,
        )
        # The walk keeps a case waiting in section 2 while a question there has no answer.
        # With every guardian's consent given, that is the young person's maturity: asked once
        # the child may be old enough (e.g. after `edit --birth-year`). Until it is judged,
        # nothing is shared that the young person might not consent to.
        if (
            case.status == "vantar-pa-samtycke"
            and case.youth_mature is None
            and case.guardians is not None
            and scope.complete()
        ):
            groups = required_groups(case.guardians, youth_mature=True, each_guardian=each)
            return replace(scope, required=groups, maturity_to_judge=True)
        return scope

    @classmethod
    def _history(cls, case: Case, day: date) -> ConsentScope:
        """The consents and withdrawals of `case` on `day`, for `active` and `coverage` only
        (nothing is required of anyone: it covers everything)."""
        return cls((), tuple(case.consents), tuple(case.withdrawals), case.own_organisation, day)

    def active(self, index: int, consent: Consent) -> list[OrganisationRef]:
        if consent.given_on > self.day:
            return []
        if consent.valid_until is not None and self.day > consent.valid_until:
            return []
        ended = [w for w in self.withdrawals if w.on <= self.day and w.ends(index, consent)]
        if not ended:
            return list(consent.organisations)
        if any(not w.organisations for w in ended):
            return []
        gone = {o.key() for w in ended for o in w.organisations}
        return [o for o in consent.organisations if o.key() not in gone]

    def coverage(self, giver: str) -> dict[Key, OrganisationRef]:
        """The organisations this giver's active consents cover today."""
        found: dict[Key, OrganisationRef] = {}
        for index, consent in enumerate(self.consents):
            if consent.giver == giver:
                for org in self.active(index, consent):
                    found.setdefault(org.key(), org)
        return found

    def _group_coverage(self, group: Sequence[GiverRole]) -> dict[Key, OrganisationRef]:
        covered = self._covered
        found = covered.get(tuple(group))
        if found is None:
            found = {}
            for giver in group:
                for key, org in self.coverage(giver).items():
                    found.setdefault(key, org)
            covered[tuple(group)] = found
        return found

    def is_own(self, org: OrganisationRef) -> bool:
        return self.own is not None and self.own.key() == org.key()

    def covers(self, org: OrganisationRef) -> bool:
        """The family itself needs no consent; the own organisation already holds the data."""
        if org.id in FAMILY_PARTIES:
            return True
        inside = self._inside[0] if self._inside else self._keys_inside()
        return inside is None or org.key() in inside

    def _keys_inside(self) -> frozenset[Key] | None:
        """The keys of what `covers` allows besides the family: the own organisation and what
        every required group covers (None: anything, when no consent is required). Worked out
        once: a case names its organisations in many places."""
        inside: frozenset[Key] | None = None
        if self.required:
            first, *others = [self._group_coverage(group) for group in self.required]
            keys = {key for key in first if all(key in other for other in others)}
            if self.own is not None:
                keys.add(self.own.key())
            inside = frozenset(keys)
        self._inside.append(inside)
        return inside

    def missing_givers(self, org: OrganisationRef) -> list[GiverRole]:
        """The givers whose consent would have to cover `org`, in the order they are asked."""
        return [g for group in self._unmet(org) for g in group]

    def organisations(self) -> list[OrganisationRef]:
        """The effective scope: the own organisation, then what every required giver covers."""
        scope: dict[Key, OrganisationRef] = {}
        if self.own is not None:
            scope[self.own.key()] = self.own
        groups = [self._group_coverage(g) for g in self.required]
        if groups:
            for key, org in groups[0].items():
                if all(key in g for g in groups[1:]):
                    scope.setdefault(key, org)
        return list(scope.values())

    def givers_without_consent(self) -> list[GiverRole]:
        """Required givers with no active consent at all (every giver of an unmet group)."""
        return [g for group in self._unmet(None) for g in group]

    def _unmet(self, org: OrganisationRef | None) -> list[tuple[GiverRole, ...]]:
        """The groups of givers whose consent is missing (for `org`, or any consent at all)."""
        if org is not None and self.is_own(org):
            return []
        unmet = []
        for group in self.required:
            covered = self._group_coverage(group)
            if (org is None and not covered) or (org is not None and org.key() not in covered):
                unmet.append(group)
        return unmet

    def word(self, giver: str) -> str:
        """A giver in words; with one guardian with custody, simply `vårdnadshavaren`."""
        one_guardian = not any(GUARDIAN_2 in group for group in self.required)
        if giver == GUARDIAN_1 and one_guardian:
            names = [c.giver_name for c in self.consents if c.giver == giver and c.giver_name]
            return f"vårdnadshavaren ({names[-1]})" if names else "vårdnadshavaren"
        return giver_word(giver, self.consents)

    def missing_words(self, org: OrganisationRef | None = None) -> str:
        """Whose consent is missing, in words: `vårdnadshavare 2 och ungdomen`; a group that
        any one giver satisfies reads `vårdnadshavare 1 eller vårdnadshavare 2`."""
        return join_swedish(
            " eller ".join(self.word(g) for g in group) for group in self._unmet(org)
        )

    def complete(self) -> bool:
        return not self.givers_without_consent()

    def reason(self, org: OrganisationRef) -> tuple[Reason, GiverRole, date | None]:
        """Why `org` is outside the scope: for the first giver missing, and since when."""
        giver = self.missing_givers(org)[0]
        for index, consent in reversed(list(enumerate(self.consents))):
            if consent.giver != giver or org.key() not in {o.key() for o in consent.organisations}:
                continue
            if consent.valid_until is not None and self.day > consent.valid_until:
                return "expired", giver, consent.valid_until
            ended = [
                w
                for w in self.withdrawals
                if w.on <= self.day
                and w.ends(index, consent)
                and (not w.organisations or org.key() in {o.key() for o in w.organisations})
            ]
            if ended:
                return "withdrawn", giver, min(w.on for w in ended)
        return "missing", giver, None

    def refusal(self, org: OrganisationRef) -> str:
        """Why an organisation cannot be named, naming whose consent is missing."""
        reason, _, since = self.reason(org)
        who = self.missing_words(org)
        if reason == "withdrawn" and since is not None:
            return (
                f"Samtycket för {org.name} har återkallats ({who}, {swedish_date(since)}). "
                f"{org.name} kan inte bjudas in, delta, ansvara eller få en kopia."
            )
        if reason == "expired" and since is not None:
            return (
                f"Samtycket för {org.name} gällde till och med {swedish_date(since)} ({who}). "
                f"Ett nytt samtycke behövs innan {org.name} kan nämnas här."
            )
        return (
            f"Samtycket omfattar inte {org.name}: samtycke saknas från {who}. "
            f"Samtycket måste utökas innan {org.name} kan bjudas in eller ta del av ärendet."
        )


def status_on(case: Case, day: date, scope: ConsentScope | None = None) -> CaseStatus:
    """The case's status as it stands on `day`. A case is activated while every required
    consent holds: one whose consent has run out waits for consent, as one withdrawn does. The
    file keeps the status of its last change (time passes without a save); `list`, `show` and
    `remind` read this instead. `scope` is `ConsentScope.of(case, day)` where the caller has it."""
    if case.status != "aktiverad":
        return case.status
    if not (scope or ConsentScope.of(case, day)).complete():
        return "vantar-pa-samtycke"
    return case.status


def consent_givers(scope: ConsentScope) -> str:
    """Who consented, by role only, for a letter to another organisation: `vårdnadshavaren och
    ungdomen själv`."""
    guardians = [g for g in scope.required if YOUTH not in g]
    words = []
    if len(guardians) == 2:
        words.append("båda vårdnadshavarna")
    elif guardians and len(guardians[0]) > 1:
        words.append("en vårdnadshavare")
    elif guardians:
        words.append("vårdnadshavaren")
    if any(YOUTH in g for g in scope.required):
        words.append("ungdomen själv")
    return join_swedish(words)


# -- What a case records outside the scope ------------------------------------------------------


@dataclass(frozen=True)
class ScopeFlag:
    """An organisation recorded in a meeting that the consent no longer (or never) covers."""

    meeting: int
    organisation: OrganisationRef
    reason: Reason
    since: date | None
    places: tuple[str, ...]
    text: str
    """For the coordinator: names whose consent is missing."""
    public: str
    """For documents every party receives (Barnets plan): the same without who withdrew."""


def scope_flags(case: Case, day: date, scope: ConsentScope | None = None) -> list[ScopeFlag]:
    """What the coordinator must act on in the latest meeting, one flag per organisation
    (`scope` is `ConsentScope.of(case, day)` where the caller has it).

    After a withdrawal or expiry, only what lies ahead counts (open actions, copies still to be
    received, the next meeting); what was never within the scope (e.g. a case recorded before
    the intersection rule) is flagged wherever it appears.
    """
    meeting = case.current_meeting
    if meeting is None or case.status == "avslutad":
        return []
    scope = scope or ConsentScope.of(case, day)
    places: dict[Key, list[tuple[str, bool]]] = {}
    orgs: dict[Key, OrganisationRef] = {}
    for org, place, forward in _recorded(case, meeting):
        if not scope.covers(org):
            orgs.setdefault(org.key(), org)
            places.setdefault(org.key(), []).append((place, forward))

    flags: list[ScopeFlag] = []
    for key, org in orgs.items():
        reason, _, since = scope.reason(org)
        chosen = [p for p, forward in places[key] if forward or reason == "missing"]
        if not chosen:
            continue
        who = scope.missing_words(org)
        where = ", ".join(dict.fromkeys(chosen))
        if reason == "withdrawn" and since is not None:
            public = f"Samtycket har återkallats för {org.name} från {swedish_date(since)}"
            text = f"Samtycket har återkallats för {org.name} ({who}, {swedish_date(since)})"
        elif reason == "expired" and since is not None:
            public = f"Samtycket för {org.name} gällde till och med {swedish_date(since)}"
            text = f"{public} ({who})"
        else:
            public = f"{org.name} omfattas inte av samtycket"
            text = f"{public} (saknas från {who})"
        chosen_places = tuple(dict.fromkeys(chosen))
        flags.append(
            ScopeFlag(
                meeting.number,
                org,
                reason,
                since,
                chosen_places,
                f"{text}: {where}",
                f"{public}: {where}",
            )
        )
    return flags


def _recorded(case: Case, meeting: Meeting) -> Iterator[tuple[OrganisationRef, str, bool]]:
    """Each organisation the latest meeting records, where, and whether that lies ahead."""
    ahead = not meeting.finished
    for invitee in meeting.invitees:
        yield invitee.organisation, "inbjuden", ahead
    for contact in meeting.pre_contacts:
        yield contact.organisation, "kontakt före mötet", ahead
    for org in meeting.attendees:
        yield org, "deltagare", ahead
    plan = next((m for m in reversed(case.meetings) if m.actions), None)
    for action in plan.actions if plan is not None else []:
        if action.is_open:
            yield action.organisation, f"ansvarig för insatsen '{action.what}'", True
    for copy in meeting.copies:
        yield copy.organisation, "kopia av Barnets plan", ahead or not copy.received
    if meeting.coordinator is not None:
        yield meeting.coordinator, "samordnare", True
    for org in meeting.next_participants:
        yield org, "deltar i nästa möte", True
    for org in meeting.further_parties:
        yield org, "ytterligare part till nästa möte", True


def expiring(case: Case) -> Iterator[tuple[Consent, list[OrganisationRef]]]:
    """Consents with an end date, and the organisations no other consent keeps after it."""
    own = case.own_organisation.key() if case.own_organisation is not None else None
    for index, consent in enumerate(case.consents):
        if consent.valid_until is None:
            continue
        # `active` and `coverage` read the consents and withdrawals only, not who must consent.
        after = ConsentScope._history(case, consent.valid_until + timedelta(days=1))
        still = after.coverage(consent.giver)
        active = ConsentScope._history(case, consent.valid_until).active(index, consent)
        lost = [o for o in active if o.key() not in still and o.key() != own]
        if lost:
            yield consent, lost
