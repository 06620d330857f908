"""`kronobarn profile`: the coordinator's remembered details."""

from typing import Annotated

import typer

from kronobarn_cli.cli import shared
from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.cli.lazy_modules import answer_checks, profiles, vocabulary
from kronobarn_cli.cli.shared import _one_line, _safe, _warn_if_identity_number, app, err, out
from kronobarn_cli.errors import KronobarnError

profile_app = typer.Typer(
    help=(
        "Din profil: namn, verksamhet och hur du nås, som nya ärenden utgår från. Den sparas "
        "i din användares inställningar, aldrig i ett ärende.\n\n"
        "Exempel: kronobarn profile set --name 'Anna Lindqvist, kurator' --organisation skola "
        "--contact '0470-123 45'"
    ),
    cls=i18n.Group,
    no_args_is_help=True,
)
app.add_typer(profile_app, name="profile")


@profile_app.command("show", cls=i18n.Command)
def profile_show() -> None:
    """Visa den sparade profilen.

    Exempel: kronobarn profile show
    """
    saved = profiles.load(lambda line: err.print(_one_line(line), soft_wrap=True))
    if saved is None:
        out.print("Ingen profil är sparad. Den erbjuds efter ditt första ärende.")
        return
    out.print(_safe(f"Namn: {saved.name}\nVerksamhet: {saved.organisation_name}\n"
                    f"Nås på: {saved.contact}\nFil: {profiles.path()}"))  # fmt: skip


@profile_app.command("set", cls=i18n.Command)
def profile_set(
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAMN", help="Ditt namn, gärna med roll och enhet."),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option(
            "--organisation", metavar="VERKSAMHET", help="Din verksamhet (id eller namn)."
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option("--contact", metavar="KONTAKT", help="Hur du nås: telefon eller mejl."),
    ] = None,
) -> None:
    """Spara eller ändra profilen; det som inte anges behålls.

    Exempel: kronobarn profile set --contact anna.lindqvist@kommun.se
    """
    try:
        saved = profiles.load()
    except profiles.ProfileError:
        saved = None  # a broken profile is replaced by what is given now
    org = None
    if organisation is not None:
        try:
            org = answer_checks.organisation_answer(organisation, shared._workflow())
        except KronobarnError as exc:
            raise KronobarnError(f"--organisation: {exc.message}") from None
        if org["id"] in vocabulary.FAMILY_PARTIES:
            raise KronobarnError(
                f"--organisation: {org['name']} öppnar inga ärenden; ange din verksamhet."
            )
    for option, given in (("--name", name), ("--contact", contact)):
        if given is not None and not given.strip():
            raise KronobarnError(f"{option} får inte vara tomt.")
    fields = {
        "name": name if name is not None else (saved.name if saved else None),
        "organisation": org or ({"id": saved.organisation_id, "name": saved.organisation_name}
                                if saved else None),
        "contact": contact if contact is not None else (saved.contact if saved else None),
    }  # fmt: skip
    missing = [o for o, k in (("--name", "name"), ("--organisation", "organisation"),
                              ("--contact", "contact")) if not fields[k]]  # fmt: skip
    if missing:
        raise KronobarnError(f"Ingen profil finns ännu; ange också {', '.join(missing)}.")
    try:
        made = profiles.checked(fields)
    except profiles.ProfileError as exc:
        raise KronobarnError(f"Profilen kan inte sparas: {exc.message}.") from None
    where = profiles.save(made)
    out.print(_safe(f"Profilen är sparad i {where}: {made.words()}."))
    _warn_if_identity_number(made.name, made.contact)


@profile_app.command("clear", cls=i18n.Command)
def profile_clear() -> None:
    """Ta bort profilen; nästa ärende frågar efter namn, verksamhet och kontakt igen.

    Exempel: kronobarn profile clear
    """
    if profiles.clear():
        out.print("Profilen är borttagen.")
    else:
        out.print("Ingen profil var sparad.")
