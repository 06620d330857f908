"""`kronobarn export`: the plan, letters, consent form, consent note and calendar file."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from kronobarn_cli.cli import completion
from kronobarn_cli.cli import typer_support as i18n
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.support.files import write_file

if TYPE_CHECKING:
    from kronobarn_cli.domain.case import Case
from kronobarn_cli.cli import shared
from kronobarn_cli.cli.lazy_modules import exports, pdfs
from kronobarn_cli.cli.shared import KINDS, CaseId, ForceOption, app, err

FORMATS = ("markdown", "text", "pdf")


KindOption = Annotated[
    str,
    typer.Option(
        "--kind",
        metavar="SORT",
        help="plan, invitation, consent-form (blanketten), consent-note eller calendar.",
        autocompletion=completion.choices(KINDS),
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="FORMAT",
        help="markdown (standard), text eller pdf (utskrift, A4). consent-form: bara pdf.",
        show_default=False,
        autocompletion=completion.choices(FORMATS),
    ),
]
MeetingOption = Annotated[
    int | None,
    typer.Option(
        "--meeting", metavar="N", help="Mötets nummer (annars det senaste).", show_default=False
    ),
]
OrganisationOption = Annotated[
    str | None,
    typer.Option(
        "--organisation",
        metavar="VERKSAMHET",
        help="Bara inbjudan till denna verksamhet (id eller namn).",
        show_default=False,
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        metavar="FIL",
        help="Skriv till filen (annars till standard ut; en PDF bara till en fil eller rör).",
        show_default=False,
    ),
]
WithDetailsOption = Annotated[
    bool,
    typer.Option("--with-details", help="Kalender: barnets namn och deltagare i beskrivningen."),
]
TemplatesOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        metavar="KATALOG",
        help="Länets egna mallar (annars KRONOBARN_TEMPLATES eller de inbyggda).",
        show_default=False,
    ),
]


@app.command(cls=i18n.Command)
def export(
    case_id: CaseId,
    kind: KindOption = "plan",
    fmt: FormatOption = None,
    meeting: MeetingOption = None,
    organisation: OrganisationOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    with_details: WithDetailsOption = False,
    templates: TemplatesOption = None,
) -> None:
    """Skriv ut Barnets plan, inbjudningar, samtyckesblanketten, samtyckesanteckningen eller en
    kalenderfil.

    Exempel: kronobarn export k3m9qa --format pdf --output barnets-plan.pdf
    """
    _check_kind_and_format(kind, fmt)
    # Each flag and the kinds of export it applies to: given with another, it is refused.
    for flag, given, kinds in (
        ("--meeting", meeting is not None, ("plan",)),
        ("--organisation", organisation is not None, ("invitation",)),
        ("--with-details", with_details, ("calendar",)),
        ("--format", fmt not in (None, "markdown"), ("plan", "invitation", "consent-form")),
        ("--templates", templates is not None, ("plan", "invitation", "consent-form")),
    ):
        if given and kind not in kinds:
            only = " och ".join(f"--kind {k}" for k in kinds)
            raise KronobarnError(f"{flag} gäller bara {only}, inte --kind {kind}.")
    chosen_format = fmt or ("pdf" if kind == "consent-form" else "markdown")
    if chosen_format == "pdf" and output is None and sys.stdout.isatty():
        raise KronobarnError("En PDF skrivs inte till terminalen: ange --output FIL.")
    case = shared._store("export").load(case_id)
    custom = exports.template_dir(templates)
    if chosen_format == "pdf":
        data = _pdf(case, kind, meeting, organisation, custom)
    else:
        chosen = cast("exports.Format", chosen_format)
        data = _document(case, kind, chosen, meeting, organisation, with_details, custom)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_file(output, data, force=force)
    err.print(f"Skrev {output}.", soft_wrap=True)


def _check_kind_and_format(kind: str, fmt: str | None) -> None:
    """Refuse a `--kind` or `--format` that is not known, or that do not go together."""
    if kind not in KINDS:
        raise KronobarnError(f"Okänd sort '{kind}'. Välj {', '.join(KINDS)}.")
    if fmt is not None and fmt not in FORMATS:
        raise KronobarnError(f"Okänt format '{fmt}'. Välj markdown, text eller pdf.")
    if kind == "consent-form" and fmt not in (None, "pdf"):
        raise KronobarnError("Samtyckesblanketten finns bara som PDF: använd --format pdf.")


def _document(
    case: "Case",
    kind: str,
    chosen: "exports.Format",
    meeting: int | None,
    organisation: str | None,
    with_details: bool,
    custom: Path | None,
) -> bytes:
    """A Markdown or text document, the consent note or the calendar file, as bytes."""
    if kind == "calendar":
        return exports.calendar(case, with_details)
    if kind == "consent-note":
        return exports.consent_note(case).encode("utf-8")
    if kind == "invitation":
        return exports.invitations(case, shared._workflow(), chosen, organisation, custom).encode(
            "utf-8"
        )
    return exports.plan(case, shared._workflow(), chosen, meeting, custom).encode("utf-8")


def _pdf(
    case: "Case", kind: str, meeting: int | None, organisation: str | None, custom: Path | None
) -> bytes:
    """The print-ready document; typst is loaded only here."""
    if kind == "consent-form":
        return pdfs.consent_form(case, shared._workflow(), custom)
    if kind == "invitation":
        return pdfs.invitations(case, shared._workflow(), organisation, custom)
    return pdfs.plan(case, shared._workflow(), meeting, custom)
