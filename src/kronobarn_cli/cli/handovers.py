"""Moving a case between organisations: `handover` and `import`."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import KronobarnError

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case, Handover
    from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import (
    answer_checks,
    handovers,
    parts,
    passphrases,
    rich_text,
    session,
)
from kronobarn_cli.cli.shared import (
    CaseId,
    ConfirmOption,
    ForceOption,
    _confirm,
    _safe,
    app,
    err,
    out,
)
from kronobarn_cli.support.text import swedish_date

ToOption = Annotated[
    str,
    typer.Option(
        "--to",
        metavar="VERKSAMHET",
        help="Verksamheten som tar över samordningen (id eller namn, eller annan:Namn).",
        show_default=False,
    ),
]
PersonOption = Annotated[
    str | None,
    typer.Option("--person", metavar="NAMN", help="Den som tar emot ärendet.", show_default=False),
]
HandoverFileOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        metavar="FIL",
        help="Filen att skriva (standard: kronobarn-ID.age).",
        show_default=False,
    ),
]
RecipientOption = Annotated[
    str | None,
    typer.Option(
        "--recipient",
        metavar="NYCKEL",
        help="Mottagarens publika age-nyckel (age1…) i stället för en lösenfras.",
        show_default=False,
    ),
]


@app.command("handover", cls=i18n.Command)
def handover(
    case_id: CaseId,
    to: ToOption,
    person: PersonOption = None,
    output: HandoverFileOption = None,
    recipient: RecipientOption = None,
    force: ForceOption = False,
    yes: ConfirmOption = False,
) -> None:
    """Lämna över ärendet till verksamheten som samordnar härnäst, i en krypterad fil.

    Filen innehåller hela ärendet och krypteras med en lösenfras eller mottagarens nyckel.

    Lösenfrasen frågas två gånger (eller KRONOBARN_PASSPHRASE i skript).

    Skicka lösenfrasen på ett annat sätt än filen, t.ex. per telefon.

    Din kopia blir överlämnad och kan sedan bara läsas. kronobarn frågar först (--yes i skript).

    Har filen eller lösenfrasen kommit bort gör samma kommando, med samma mottagare, en ny fil
    med en ny lösenfras (loggas); den gamla filen öppnas fortfarande med den gamla lösenfrasen.

    Exempel: kronobarn handover k3m9qa --to socialtjanst --person "Kim Berg"
    """
    workflow = shared._workflow()
    store = shared._store("handover")
    case = store.load(case_id)
    org = parts.OrganisationRef(**answer_checks.organisation_answer(to, workflow))
    target = output if output is not None else Path(handovers.suggested_name(case.id))
    now = session.local_now()
    # Everything that can be refused is refused before anything is asked.
    again = case.handed_over
    if again is not None:
        handovers.check_reissue(case, org, person)
    else:
        handovers.check_handover(case, org, now.date())
    handovers.check_output(target, force=force)
    key = handovers.parse_recipient(recipient) if recipient is not None else None
    _confirm_handover(case, org, again, yes=yes)
    secret = None if key is not None else passphrases.for_sealing(out, "handover")
    if again is not None:
        kept = handovers.reissue(store, case, org, person, target, passphrase=secret,
                                 recipient=key, force=force, now=session.local_now())  # fmt: skip
        out.print(
            rich_text.Text(f"En ny fil för överlämningen av ärendet {kept.id} ")
            + _safe(again.words())
            + " är gjord. Den gamla filen öppnas fortfarande med den gamla lösenfrasen; be "
            "mottagaren radera den om den finns kvar.",
            soft_wrap=True,
        )
    else:
        kept = handovers.send(store, case, org, person, target, passphrase=secret,
                              recipient=key, force=force, now=session.local_now())  # fmt: skip
        out.print(
            rich_text.Text(f"Ärendet {kept.id} är överlämnat ")
            + _safe(kept.handovers[-1].words())
            + ".",
            soft_wrap=True,
        )
    _say_what_to_send(target, by_key=key is not None)


def _confirm_handover(
    case: "Case", org: "OrganisationRef", again: "Handover | None", *, yes: bool
) -> None:
    """Ask before the case is handed over, or before a new file is made for a handover."""
    if again is not None:
        question = (
            f"Ärendet överlämnades redan till {again.to.name} den "
            f"{swedish_date(again.on.date())}. Göra en ny fil för samma överlämning?"
        )
        _confirm(question, "Ja, gör en ny fil", yes=yes,
                 script="'kronobarn handover' frågar innan en ny fil görs, men standard in är "
                 "ingen terminal. Bekräfta med --yes.")  # fmt: skip
    else:
        question = f"Lämna över ärendet {case.id} till {org.name}? Din kopia kan sedan bara läsas."
        _confirm(question, "Ja, lämna över", yes=yes,
                 script="'kronobarn handover' frågar innan ärendet lämnas över, men standard "
                 "in är ingen terminal. Bekräfta med --yes.")  # fmt: skip


def _say_what_to_send(target: Path, *, by_key: bool) -> None:
    """The file written, how the recipient opens it, and that your copy is now read-only."""
    out.print(rich_text.Text("Filen: ") + _safe(str(target)), soft_wrap=True)
    if by_key:
        out.print("Filen kan bara öppnas med mottagarens nyckel.")
    else:
        out.print("Skicka lösenfrasen på ett annat sätt än filen, t.ex. per telefon.")
    out.print(
        rich_text.Text(f"Mottagaren läser in den med: kronobarn import {target.name}\n")
        + rich_text.Text("Din kopia är nu överlämnad och kan bara läsas.", style="bold")
    )


@app.command("import", cls=i18n.Command)
def import_case(
    path: Annotated[Path, typer.Argument(metavar="FIL", help="Filen från 'kronobarn handover'.")],
    identity: Annotated[
        Path | None,
        typer.Option(
            "--identity",
            metavar="FIL",
            help="Din age-nyckelfil, när filen är krypterad för din nyckel.",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Ersätt din kopia när samma ärende kommer tillbaka (journalerna slås ihop).",
        ),
    ] = False,
) -> None:
    """Ta emot ett ärende som en annan verksamhet har lämnat över.

    Frågar efter lösenfrasen (eller KRONOBARN_PASSPHRASE; --identity för en nyckelfil).

    Ärendet fortsätter sedan med 'kronobarn follow-up ID'.

    Exempel: kronobarn import kronobarn-k3m9qa.age
    """
    source = str(path)
    data = handovers.read_file(path)
    sealing = handovers.sealed_with(data, source)
    if sealing == "key" and identity is None:
        raise KronobarnError(
            f"{source} är krypterad för en mottagares nyckel. "
            "Ange din nyckelfil med --identity FIL."
        )
    if sealing == "passphrase" and identity is not None:
        raise KronobarnError(f"{source} är krypterad med en lösenfras. Kör utan --identity.")
    if identity is not None:
        plain = handovers.unseal(data, source, identities=handovers.read_identities(identity))
    else:
        plain = passphrases.open_file(err, data, source, "import")
    incoming = handovers.case_from_envelope(plain, source)
    case, replaced = handovers.receive_into(
        shared._store("import"), incoming, replace=replace, now=session.local_now(), source=source
    )
    meetings = len(case.meetings)
    what = "ersatte din kopia" if replaced else "är mottaget"
    out.print(
        rich_text.Text(f"Ärende {case.id} {what}: ")
        + _safe(case.child.name)
        + rich_text.Text(f", {meetings} {'möte' if meetings == 1 else 'möten'}."),
        soft_wrap=True,
    )
    latest = case.current_meeting
    verb = "resume" if latest is not None and not latest.finished else "follow-up"
    out.print(rich_text.Text(f"Fortsätt med: kronobarn {verb} {case.id}", style="bold"))
