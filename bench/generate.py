"""Generated case stores for the benchmark: N realistic, valid cases from a fixed seed.

Usage: python bench/generate.py HOME N [--seed S] [--check all|sample]

A few hundred distinct cases are built with the pydantic model (so each is valid by
construction) and written the way the store writes them. The N files are variants of those:
the same text with every date shifted by whole weeks, another case id and other initials,
put together by joining pieces of text. That keeps 100,000 cases within seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kronobarn_cli.domain.case import (
    ID_PATTERN,
    Case,
    Child,
    Closure,
    Consent,
    ConsentWithdrawal,
    Decision,
    Handover,
    JournalEntry,
)
from kronobarn_cli.domain.meeting import (
    Invitee,
    Inviter,
    Meeting,
    PlanAction,
    PlanCopy,
    View,
)
from kronobarn_cli.domain.parts import GiverRole, OrganisationRef
from kronobarn_cli.store.case_files import CASES_DIR, CaseStore

_ID_SHAPE = re.fullmatch(r"\^\[(\w+)\]\{(\d+)\}\$", ID_PATTERN)
assert _ID_SHAPE is not None, f"case ids no longer look like {ID_PATTERN}"
ID_ALPHABET, ID_LENGTH = _ID_SHAPE[1], int(_ID_SHAPE[2])

TODAY = date(2026, 11, 23)
"""The day the generated dates are spread around; run `remind --today` with it."""
SEED = 20261123
PROTOTYPES = 300
SHIFTS = tuple(range(-42, 1, 7))
"""Whole weeks a variant's dates move back by: the week day of each date stays the same."""


def _org(org_id: str, name: str) -> OrganisationRef:
    return OrganisationRef(id=org_id, name=name)


OPENERS = [
    _org("skola", "Skola"),
    _org("forskola", "Förskola"),
    _org("barnhalsovarden", "Barnhälsovården"),
    _org("barn-och-elevhalsa", "Barn- och elevhälsa"),
    _org("socialtjanst", "Socialtjänst"),
    _org("vardcentral", "Vårdcentral"),
    _org("familjecentralen", "Familjecentralen"),
]
OTHERS = [
    _org("socialtjanst", "Socialtjänst"),
    _org("bup", "Barn- och ungdomspsykiatri (BUP)"),
    _org("habiliteringen", "Habiliteringen"),
    _org("polis", "Polis"),
    _org("ungdomsmottagningen", "Ungdomsmottagningen"),
    _org("familjehalsan", "Familjehälsan"),
    _org("frivilligsektorn", "Frivilligsektorn"),
    _org("skola", "Skola"),
    _org("barn-och-ungdomskliniken", "Barn- och ungdomskliniken"),
    _org("annan", "Fritidsgården Navet"),
    _org("annan", "Kulturskolan"),
]
FAMILY = _org("familjen", "Familjen")
CHILD_ITSELF = _org("barnet", "Barnet/ungdomen själv")
AREAS = [
    "trygg",
    "ma-bra",
    "utvecklas",
    "omvardad",
    "aktiv",
    "respekterad-och-delaktig",
    "ansvarstagande",
]
ACTIONS = [
    ("Anpassat schema", "Att hen är i skolan hela dagar"),
    ("Stödsamtal med familjen", None),
    ("Läxhjälp två dagar i veckan", "Klara matematiken i årskurs 6"),
    ("Kontakt med skolkurator varje vecka", "Någon vuxen att prata med i skolan"),
    ("Föräldrastödsprogram", "Färre konflikter hemma"),
    ("Utredning av koncentrationssvårigheter", None),
    ("Fritidsaktivitet på fredagar", "En trygg plats efter skolan"),
    ("Tätare kontakt mellan förskola och BVC", None),
    ("Samtal om sömn och rutiner", "Somna före klockan 22"),
    ("Följa med till första besöket på BUP", None),
]
QUESTIONS = [
    ("uppmarksammat", "Vad har ni uppmärksammat i barnets/ungdomens liv?"),
    ("egen-insats-racker", "Räcker det stöd som barnet/ungdomen får av er verksamhet?"),
    ("annan-verksamhet-ensam", "Kan en annan verksamhet ge stödet på egen hand?"),
    ("tillsammans", "Kan er verksamhet och andra verksamheter stödja barnet tillsammans?"),
    ("vardnadshavare-antal", "Hur många vårdnadshavare har vårdnaden om barnet?"),
    ("samtycken", "Registrera samtycke"),
]
MEETING_QUESTIONS = [
    ("omraden", "Vilka områden i Barnets bästa-hjulet gäller oron?"),
    ("mote-datum", "Vilket datum är mötet?"),
    ("mote-tid", "Vilken tid börjar mötet?"),
    ("mote-form", "Hålls mötet fysiskt eller digitalt?"),
    ("mote-plats", "Var hålls mötet?"),
    ("inbjudna", "Vilka verksamheter bjuds in?"),
    ("inbjudare", "Vem bjuder in?"),
    ("kontakt-fore-mote", "Har ni haft kontakt med verksamheterna före mötet?"),
    ("deltagare", "Vilka deltog i mötet?"),
    ("information-nrp", "Har ni kommit överens om vilken information som delas?"),
    ("barnets-delaktighet", "Hur var barnet delaktigt?"),
    ("barnets-asikter", "Vad säger barnet själv?"),
    ("atgarder", "Vilka insatser kom ni överens om?"),
    ("kopior", "Vilka har fått en kopia av Barnets plan?"),
    ("samordnare", "Vilken verksamhet samordnar?"),
    ("nasta-mote", "När är nästa möte?"),
]
PLACES = ["Rum 3, Centralskolan", "Socialkontoret, plan 2", "Familjecentralen", "Teams"]
FIRST_NAMES = ["Maria", "Kim", "Ali", "Sara", "Johan", "Leila", "Erik", "Anna", "Mehmet"]
LAST_NAMES = ["Lind", "Berg", "Svensson", "Nilsson", "Haddad", "Karlsson", "Ek", "Öberg"]
STATUSES = [
    ("vantar-pa-samtycke", 15),
    ("aktiverad", 55),
    ("avslutad", 17),
    ("overlamnad", 5),
    ("bedomning-pagar", 4),
    ("ej-aktiverad", 4),
]


def _ref(org: OrganisationRef) -> dict[str, str]:
    return {"id": org.id, "name": org.name}


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randint(7, 16), rng.randint(0, 59), tzinfo=UTC
    )


class _Journal:
    def __init__(self, rng: random.Random, user: str) -> None:
        self.rng = rng
        self.user = user
        self.entries: list[JournalEntry] = []

    def add(self, day: date, text: str, command: str, fields: list[str]) -> None:
        entry = JournalEntry(
            at=_at(day, self.rng), text=text, user=self.user, command=command, fields=fields
        )
        self.entries.append(entry)

    def answered(self, day: date, questions: list[tuple[str, str]], command: str) -> None:
        for step, question in questions:
            self.add(day, f"Besvarade: {question}", command, [step])


def _meeting(
    rng: random.Random,
    *,
    number: int,
    held_on: date,
    holder: OrganisationRef,
    consented: list[OrganisationRef],
    earlier: Meeting | None,
    finished: bool,
) -> Meeting:
    others = [o for o in consented if o.key() != holder.key()]
    attendees = [holder, *rng.sample(others, k=min(len(others), rng.randint(1, 3)))]
    areas = rng.sample(AREAS, k=rng.randint(1, 3))
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    started = _at(held_on - timedelta(days=rng.randint(14, 30)), rng)
    actions: list[PlanAction] = []
    if earlier is not None:  # carried over and evaluated at the follow-up
        for old in earlier.actions:
            if old.is_open and rng.random() < 0.8:
                status = rng.choice(["klar", "pagaende", "pagaende", "avbruten"])
                update = {
                    "status": status,
                    "evaluation": rng.choice(["har-hjalpt", "delvis", "inte-hjalpt"]),
                    "due": old.due + timedelta(days=rng.choice([0, 0, 30, 60])),
                }
                if any(
                    o.key() == old.organisation.key() for o in [*attendees, FAMILY, CHILD_ITSELF]
                ):
                    actions.append(old.model_copy(update=update))
    for _ in range(rng.randint(2, 5)):
        what, goal = rng.choice(ACTIONS)
        owner = rng.choice([*attendees, *attendees, FAMILY, CHILD_ITSELF])
        actions.append(
            PlanAction(
                what=what,
                goal=goal,
                organisation=owner,
                person=person if rng.random() < 0.3 else None,
                due=held_on + timedelta(days=rng.randint(14, 150)),
                area=rng.choice(areas),
                status=rng.choice(["planerad", "planerad", "pagaende", "klar", "avbruten"]),
            )
        )
    if not finished:
        actions = []
    copies = [
        PlanCopy(
            organisation=o,
            method=rng.choice(["utskriven", "hamtar", "post", "mejl"]),
            received=rng.random() < 0.9,
        )
        for o in [FAMILY, *attendees]
    ]
    coordinator = rng.choice(attendees)
    next_meeting = held_on + timedelta(days=rng.randint(45, 120)) if finished else None
    invitees = [
        Invitee(
            organisation=o,
            person=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            method=rng.choice(["link", "blankett"]),
            letter_by=rng.choice(["mejl", "post", "lamnas"]),
            sent_on=started.date(),
        )
        for o in attendees[1:]
    ]
    answers = {
        "initiera-och-bjuda-in": {
            "omraden": areas,
            "omraden-anteckningar": [],
            "mote-datum": held_on.isoformat(),
            "mote-tid": "09:30",
            "mote-form": "fysiskt",
            "mote-plats": rng.choice(PLACES),
            "inbjudna": [
                {"verksamhet": _ref(i.organisation), "person": i.person, "satt": i.method}
                for i in invitees
            ],
            "inbjudare": person,
            "inbjudare-verksamhet": _ref(holder),
            "inbjudare-kontakt": "0470-123 45",
        },
        "kontakt-innan-motet": {"kontakt-fore-mote": False},
    }
    if finished:
        answers["samverkansmotet"] = {
            "familjen-forst": True,
            "deltagare": [_ref(o) for o in attendees],
            "information-nrp": True,
            "omraden-motet": areas[:1],
            "barnets-delaktighet": "narvarande",
            "barnets-asikter": "Vill ha lugnare raster.",
            "vardnadshavares-asikter": "",
        }
        answers["barnets-plan"] = {
            "atgarder": [
                {
                    "vad": a.what,
                    "ansvarig": _ref(a.organisation),
                    "status": a.status,
                    "senast": a.due.isoformat(),
                    "omrade": a.area,
                }
                for a in actions
            ],
            "kopior": [
                {"verksamhet": _ref(c.organisation), "satt": c.method, "har-fatt": c.received}
                for c in copies
            ],
        }
        answers["fortsatt-samordning"] = {
            "samordnare": _ref(coordinator),
            "nasta-mote": next_meeting.isoformat() if next_meeting else None,
            "nasta-deltagare": [_ref(o) for o in attendees],
        }
    return Meeting(
        number=number,
        started=started,
        answers=answers,
        finished=finished,
        inviter=Inviter(name=person, organisation=holder, contact="0470-123 45"),
        areas=areas,
        held_on=held_on,
        starts_at="09:30",
        form=rng.choice(["fysiskt", "digitalt"]),
        place=rng.choice(PLACES),
        invitees=invitees,
        attendees=attendees if finished else [],
        information_agreed=True if finished else None,
        areas_discussed=areas[:1] if finished else [],
        child_participation="narvarande" if finished else None,
        child_view=View(expressed=True, text="Vill ha lugnare raster.") if finished else None,
        guardian_view=View(expressed=False) if finished else None,
        actions=actions,
        copies=copies if finished else [],
        coordinator=coordinator if finished else None,
        next_meeting=next_meeting,
        next_participants=attendees if finished else [],
    )


def prototype(index: int, rng: random.Random, today: date = TODAY) -> Case:
    """One distinct, valid case; what it holds follows its status, and its dates lie where
    such a case's would: an activated case met lately and has actions due around `today`."""
    case = _built(index, rng, today)
    if case.status == "aktiverad":
        last = case.meetings[-1]
        assert last.held_on is not None
        reference = last.held_on
        target = today - timedelta(
            days=rng.randint(-10, 80) if last.finished else -rng.randint(3, 40)
        )
    elif case.closed is not None:
        reference, target = case.closed.on, today - timedelta(days=rng.randint(0, 500))
    elif case.handovers:
        reference = case.handovers[-1].on.date()
        target = today - timedelta(days=rng.randint(0, 300))
    else:
        reference, target = case.created.date(), today - timedelta(days=rng.randint(0, 90))
    return Case.model_validate_json(shifted(encoded(case), (target - reference).days))


def _built(index: int, rng: random.Random, today: date) -> Case:  # noqa: PLR0915
    status = rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]
    opened_on = today - timedelta(days=rng.randint(40, 560))
    holder = rng.choice(OPENERS)
    user = f"{rng.choice(FIRST_NAMES).lower()}.{rng.choice(LAST_NAMES).lower()}"
    journal = _Journal(rng, user)
    journal.add(opened_on, "Ärendet skapades.", "new-case", ["child", "own_organisation"])
    journal.answered(opened_on, QUESTIONS[:1], "new-case")
    birth_year = today.year - rng.randint(1, 17)
    case_id = _case_id(index, 7)
    child = Child(name=_initials(index), birth_year=birth_year)
    if status == "bedomning-pagar":
        return Case(
            id=case_id,
            created=journal.entries[0].at,
            updated=journal.entries[-1].at,
            child=child,
            own_organisation=holder,
            status=status,
            answers={"behov-av-samverkan": {"uppmarksammat": "Hög frånvaro."}},
            journal=journal.entries,
        )
    journal.answered(opened_on, QUESTIONS[1:4], "new-case")
    if status == "ej-aktiverad":
        journal.add(opened_on, "Status: ej aktiverad.", "new-case", ["status"])
        return Case(
            id=case_id,
            created=journal.entries[0].at,
            updated=journal.entries[-1].at,
            child=child,
            own_organisation=holder,
            status=status,
            decision=Decision(outcome="ej-aktiverad-egen-insats", noticed="Oro för frånvaro."),
            answers={
                "behov-av-samverkan": {
                    "uppmarksammat": "Oro för frånvaro.",
                    "egen-insats-racker": True,
                }
            },
            journal=journal.entries,
        )
    journal.add(opened_on, "Status: väntar på samtycke.", "new-case", ["status"])
    guardians = rng.choice([1, 2, 2])
    youth_mature = today.year - birth_year >= 13 and rng.random() < 0.5
    scope = [
        holder,
        *rng.sample([o for o in OTHERS if o.key() != holder.key()], k=rng.randint(1, 3)),
    ]
    guardian_roles: list[GiverRole] = ["vardnadshavare-1", "vardnadshavare-2"]
    givers = guardian_roles[:guardians] + (["ungdom"] if youth_mature else [])
    if status == "vantar-pa-samtycke":
        givers = givers[: rng.randint(0, len(givers) - 1)]
    consents = []
    given_on = opened_on + timedelta(days=rng.randint(1, 10))
    for giver in givers:
        valid_until = (
            given_on + timedelta(days=rng.randint(180, 500)) if rng.random() < 0.3 else None
        )
        consents.append(
            Consent(
                giver=giver,
                giver_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                if rng.random() < 0.3
                else None,
                form=rng.choice(["skriftlig", "muntlig"]),
                given_on=given_on,
                valid_until=valid_until,
                organisations=scope,
            )
        )
    journal.answered(given_on, QUESTIONS[4:], "new-case")
    withdrawals = []
    if len(consents) == 2 and len(scope) > 2 and rng.random() < 0.15:
        withdrawn_on = given_on + timedelta(days=rng.randint(30, 120))
        withdrawals.append(
            ConsentWithdrawal(
                giver="vardnadshavare-2",
                on=withdrawn_on,
                organisations=[scope[-1]],
                consents_before=len(consents),
                recorded=_at(withdrawn_on, rng),
            )
        )
        journal.add(withdrawn_on, "Samtycke återkallat.", "consent withdraw", ["withdrawals"])
    answers = {
        "behov-av-samverkan": {
            "uppmarksammat": "Hög frånvaro och oro hemma, berättat av barnet.",
            "egen-insats-racker": False,
            "annan-verksamhet-ensam": False,
            "tillsammans": True,
        },
        "samtycke": {
            "vardnadshavare-antal": str(guardians),
            "samtycken": [
                {
                    "roll": c.giver,
                    "form": c.form,
                    "datum": c.given_on.isoformat(),
                    "verksamheter": [_ref(o) for o in c.organisations],
                }
                for c in consents
            ],
        },
    }
    meetings: list[Meeting] = []
    if status != "vantar-pa-samtycke":
        journal.add(given_on, "Status: aktiverad.", "new-case", ["status"])
        held_on = given_on + timedelta(days=rng.randint(14, 40))
        count = rng.choice([1, 2, 2])
        for number in range(1, count + 1):
            finished = number < count or rng.random() < 0.85
            earlier = meetings[-1] if meetings else None
            meeting = _meeting(
                rng,
                number=number,
                held_on=held_on,
                holder=holder,
                consented=scope,
                earlier=earlier,
                finished=finished,
            )
            meetings.append(meeting)
            command = "new-case" if number == 1 else "follow-up"
            journal.answered(held_on, MEETING_QUESTIONS, command)
            if meeting.next_meeting is None:
                break
            held_on = meeting.next_meeting
    closed = None
    handovers = []
    last_day = max([opened_on, given_on, *(m.held_on for m in meetings if m.held_on)])
    if status == "avslutad":
        closed_on = last_day + timedelta(days=rng.randint(20, 90))
        closed = Closure(on=closed_on, reason="Insatserna har hjälpt; familjen vill avsluta.")
        journal.add(closed_on, "Ärendet avslutades.", "close", ["status", "closed"])
    if status == "overlamnad":
        to = rng.choice([o for o in scope if o.key() != holder.key()])
        handed_on = last_day + timedelta(days=rng.randint(5, 60))
        handovers.append(
            Handover(
                on=_at(handed_on, rng),
                to=to,
                person=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                by=holder,
                by_user=user,
                after_meeting=len(meetings),
            )
        )
        journal.add(handed_on, "Ärendet lämnades över.", "handover", ["status", "handovers"])
    return Case(
        id=case_id,
        created=journal.entries[0].at,
        updated=max(e.at for e in journal.entries),
        child=child,
        own_organisation=holder,
        status=status,
        decision=Decision(outcome="aktiveras", noticed="Hög frånvaro och oro hemma."),
        youth_mature=youth_mature or None,
        guardians=guardians,
        consents=consents,
        withdrawals=withdrawals,
        answers=answers,
        meetings=meetings,
        closed=closed,
        handovers=handovers,
        journal=journal.entries,
    )


def _case_id(index: int, salt: int = 0) -> str:
    """A distinct id for each index below 31**6, spread over the id space (a bijection)."""
    base = len(ID_ALPHABET)
    space = base**ID_LENGTH
    value = (index * 104_729 + 7_919 * (salt + 1)) % space
    letters = []
    for _ in range(ID_LENGTH):
        value, digit = divmod(value, base)
        letters.append(ID_ALPHABET[digit])
    return "".join(letters)


def _initials(index: int) -> str:
    letters = "ABDEFHIJKLMNOPRSTUVY"
    return f"{letters[index % 20]}. {letters[index // 20 % 20]}."


def encoded(case: Case) -> str:
    """The file's text, as `CaseStore` writes it."""
    return case.model_dump_json(indent=2) + "\n"


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class _Template:
    """A prototype's text with every date shifted, cut where the id and the initials go."""

    before_id: str
    before_name: str
    after_name: str


def shifted(text: str, days: int) -> str:
    """A case file's text with every date (also in timestamps) moved by `days`."""
    if not days:
        return text
    step = timedelta(days=days)
    return _DATE.sub(lambda m: (date.fromisoformat(m.group()) + step).isoformat(), text)


def _template(text: str, case: Case, shift: int) -> _Template:
    text = shifted(text, shift)
    id_field = f'\n  "id": "{case.id}",'
    name_field = f'"name": "{case.child.name}",'
    head, rest = text.split(id_field)
    middle, tail = rest.split(name_field, 1)
    return _Template(head + '\n  "id": "', '",' + middle + '"name": "', '",' + tail)


@dataclass
class Generated:
    home: Path
    count: int
    seconds: float
    megabytes: float
    statuses: dict[str, int]


WRITERS = 4
BATCH = 2000


def _write_new(item: tuple[str, bytes]) -> None:
    path, data = item
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def generate(
    home: Path, count: int, *, seed: int = SEED, prototypes: int = PROTOTYPES
) -> Generated:
    """Write `count` cases to `home`/arenden (0700; files 0600), replacing nothing."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - a reproducible store, not a secret
    cases = [prototype(i, rng) for i in range(min(prototypes, count))]
    texts = [encoded(c) for c in cases]
    directory = home / CASES_DIR
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.mkdir(mode=0o700)
    directory.chmod(0o700)
    templates: dict[tuple[int, int], _Template] = {}
    statuses: dict[str, int] = {}
    written = 0
    batch: list[tuple[str, bytes]] = []
    # Creating a file costs far more than putting its text together; a few threads overlap it.
    with ThreadPoolExecutor(WRITERS) as writers:
        for index in range(count):
            which = index if index < len(cases) else rng.randrange(len(cases))
            shift = 0 if index < len(cases) else rng.choice(SHIFTS)
            template = templates.get((which, shift))
            if template is None:
                template = _template(texts[which], cases[which], shift)
                templates[which, shift] = template
            case_id = _case_id(index)
            parts = (template.before_id, case_id, template.before_name, _initials(index))
            data = "".join((*parts, template.after_name)).encode("utf-8")
            batch.append((f"{directory}/{case_id}.json", data))
            written += len(data)
            status = cases[which].status
            statuses[status] = statuses.get(status, 0) + 1
            if len(batch) == BATCH or index == count - 1:
                list(writers.map(_write_new, batch, chunksize=BATCH // WRITERS))
                batch = []
    return Generated(home, count, time.perf_counter() - started, written / 1e6, statuses)


def check(home: Path, *, sample: int | None = 200, seed: int = SEED) -> int:
    """Load cases through `CaseStore.load` (all, or a sample with the first and the last);
    raise on the first that is not valid. Returns how many were loaded."""
    store = CaseStore(home)
    ids = sorted(p.stem for p in (home / CASES_DIR).glob("*.json"))
    if sample is not None and len(ids) > sample:
        rng = random.Random(seed)  # noqa: S311
        ids = [ids[0], *rng.sample(ids[1:-1], sample - 2), ids[-1]]
    for case_id in ids:
        store.load(case_id)
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("home", type=Path, help="KRONOBARN_HOME to write (arenden/ must not exist)")
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", choices=["all", "sample"], default="sample")
    options = parser.parse_args()
    made = generate(options.home, options.count, seed=options.seed)
    loaded = check(options.home, sample=None if options.check == "all" else 200)
    print(
        f"{made.count} ärenden, {made.megabytes:.0f} MB på {made.seconds:.1f} s i {made.home} "
        f"({loaded} lästa genom CaseStore.load). Status: "
        + ", ".join(f"{k} {v}" for k, v in sorted(made.statuses.items()))
    )


if __name__ == "__main__":
    sys.exit(main())
