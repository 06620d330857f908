"""The prompter: everything a command asks at the terminal, behind one object.

It puts together the widgets (`widgets`), the screens between questions (`screens`), a field
drawn as its widget (`fields`), answers checked with the walk (`questions`), repeat groups
(`groups`) and the walk loop (`driver`), and asks itself what comes before a walk: the child,
the profile and the organisation opening the case. Every step offers "Tillbaka": a choice in
lists, `<` in text fields. Ctrl-C raises KeyboardInterrupt to the caller, after everything
answered so far has been saved.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from rich.console import Console
from rich.panel import Panel

from kronobarn_cli.interactive.driver import WalkDriver
from kronobarn_cli.interactive.fields import FieldWidgets
from kronobarn_cli.interactive.groups import Groups
from kronobarn_cli.interactive.questions import Questions
from kronobarn_cli.interactive.screens import Screens
from kronobarn_cli.interactive.widgets import BACK, END, Widgets, _Back, safe
from kronobarn_cli.support.lazy import LazyModule

# The first question of `new-case` is drawn before the case model and the checklists exist
# (pydantic and the YAML cost a few hundred milliseconds): they are imported when first used.
if TYPE_CHECKING:
    from kronobarn_cli.checklists import schema as checklists
    from kronobarn_cli.checklists.schema import (
        FieldSpec,
        Outcome,
        Section,
        Step,
        Workflow,
    )
    from kronobarn_cli.domain import answer_checks, engine, parts
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain.case import Case, Child
    from kronobarn_cli.domain.meeting import Meeting
    from kronobarn_cli.domain.parts import OrganisationRef
    from kronobarn_cli.interactive import walk as session
    from kronobarn_cli.interactive.walk import Walk
    from kronobarn_cli.store.profile import Profile
else:
    answer_checks = LazyModule("kronobarn_cli.domain.answer_checks")
    parts = LazyModule("kronobarn_cli.domain.parts")
    cases = LazyModule("kronobarn_cli.domain.case")
    checklists = LazyModule("kronobarn_cli.checklists.schema")
    engine = LazyModule("kronobarn_cli.domain.engine")
    session = LazyModule("kronobarn_cli.interactive.walk")

__all__ = ["BACK", "END", "OWN_ORGANISATION", "Prompter", "safe", "split_birth_year"]

OWN_ORGANISATION = "Vilken verksamhet arbetar du i (öppnar ärendet)?"


class Prompter:
    """One session at the terminal. Commands and tests use its methods; each hands the work to
    the collaborator that does it."""

    def __init__(self, console: Console | None = None) -> None:
        self.widgets = Widgets(console)
        self.screens = Screens(self.widgets.console)
        self.fields = FieldWidgets(self.widgets)
        self.questions = Questions(self.widgets, self.screens, self.fields)
        self.groups = Groups(self.widgets, self.screens, self.questions)
        self.driver = WalkDriver(
            self.widgets, self.screens, self.fields, self.questions, self.groups
        )

    @property
    def console(self) -> Console:
        return self.widgets.console

    @property
    def asked(self) -> int:
        """Questions answered at the terminal: every one costs time with the family."""
        return self.widgets.asked

    @property
    def once_drawn(self) -> Callable[[], None] | None:
        """Called once, when the next question is on the screen (work that may wait until the
        user reads it)."""
        return self.widgets.once_drawn

    @once_drawn.setter
    def once_drawn(self, hook: Callable[[], None] | None) -> None:
        self.widgets.once_drawn = hook

    # -- widgets -------------------------------------------------------------------------------

    def say(self, message: str, style: str = "") -> None:
        self.widgets.say(message, style)

    def text(
        self,
        message: str,
        check: Callable[[str], Any],
        *,
        hint: str = "",
        back: bool = True,
        default: str = "",
    ) -> str | _Back:
        return self.widgets.text(message, check, hint=hint, back=back, default=default)

    def select(
        self,
        message: str,
        choices: list[tuple[str, Any]],
        *,
        back: bool = True,
        default: Any = None,
    ) -> Any:
        return self.widgets.select(message, choices, back=back, default=default)

    def checkbox(
        self,
        message: str,
        choices: list[tuple[str, str]],
        *,
        required: bool,
        back: bool = True,
        checked: list[str] | None = None,
        names: dict[str, str] | None = None,
    ) -> list[str] | _Back:
        return self.widgets.checkbox(
            message, choices, required=required, back=back, checked=checked, names=names
        )

    def ask_passphrase(self) -> str:
        return self.widgets.ask_passphrase()

    def ask_new_passphrase(
        self, minimum: int, generate: Callable[[], str], weakness: Callable[[str], str | None]
    ) -> str:
        return self.widgets.ask_new_passphrase(minimum, generate, weakness)

    # -- screens -------------------------------------------------------------------------------

    def show_section(self, section: Section) -> None:
        self.screens.show_section(section)

    def show_guidance(self, spec: FieldSpec, item: dict[str, Any] | None = None) -> None:
        self.screens.show_guidance(spec, item)

    def show_contact_routes(self, org: dict[str, str], workflow: Workflow) -> None:
        self.screens.show_contact_routes(org, workflow)

    def show_presentation_order(self, walk: Walk) -> None:
        self.screens.show_presentation_order(walk)

    def show_header(self, walk: Walk) -> None:
        self.screens.show_header(walk)

    def show_outcome(self, case: Case, outcome: Outcome | None, workflow: Workflow) -> None:
        self.screens.show_outcome(case, outcome, workflow)

    def show_meeting_done(self, case: Case, meeting: Meeting) -> None:
        self.screens.show_meeting_done(case, meeting)

    def show_documentation_lines(self, case: Case) -> None:
        self.screens.show_documentation_lines(case)

    # -- the walk ------------------------------------------------------------------------------

    def walk(self, walk: Walk) -> engine.Position:
        """Ask until the walk ends; every answer is saved by `walk` as it is given."""
        return self.driver.walk(walk)

    def ask_step(self, step: Step, walk: Walk) -> Any:
        return self.driver.ask_step(step, walk)

    def ask_field(
        self,
        spec: FieldSpec,
        walk: Walk,
        default: Any = None,
        *,
        ending: bool = False,
        item: dict[str, Any] | None = None,
        folded: tuple[FieldSpec, str] | None = None,
        same: tuple[str, list[Any]] | None = None,
    ) -> Any:
        """One answer to a step or field, checked with the walk, or BACK (`Questions`)."""
        return self.questions.ask_field(
            spec, walk, default, ending=ending, item=item, folded=folded, same=same
        )

    def ask_repeat(self, step: Step, walk: Walk) -> Any:
        return self.groups.ask_repeat(step, walk)

    def ask_consent(self, walk: Walk) -> dict[str, Any] | None:
        return self.questions.ask_consent(walk)

    # -- before the walk -----------------------------------------------------------------------

    def ask_child(self, recorded: Child | None = None) -> Child:
        """The child's minimum data; with `recorded`, starting from what the case holds."""
        self.console.print(
            Panel(
                "Uppgifter om barnet. Skriv bara det som behövs: namn eller initialer och "
                "födelseår. Personnummer behövs inte.",
                title="Nytt ärende" if recorded is None else "Rätta barnets uppgifter",
                title_align="left",
            )
        )
        while True:
            typed = self.text(
                "Barnets namn eller initialer",
                _validator_child_name,
                hint="gärna med födelseåret efter ett kommatecken, t.ex. E. K., 2014",
                back=False,
                default=recorded.name if recorded else "",
            )
            assert isinstance(typed, str)
            name, given = split_birth_year(typed)
            if given is not None:
                return session.parse_child(name, given, date.today())
            known = recorded.birth_year if recorded is not None else None
            year = self.text(
                "Barnets födelseår",
                functools.partial(_check_birth_year, name),
                hint="fyra siffror, lämna tomt om okänt",
                default=str(known) if known else "",
            )
            if isinstance(year, str):
                return session.parse_child(name, year, date.today())

    def ask_use_profile(self, saved: Profile) -> bool | _Back:
        """Whether this case is opened with the remembered profile (Enter), or another
        organisation and other details for this case alone."""
        choices: list[tuple[str, Any]] = [
            ("Ja, använd profilen", True),
            ("Nej, ange verksamhet och uppgifter för det här ärendet", False),
        ]
        return cast("bool | _Back", self.select(f"Du är {saved.words()}. Stämmer det?", choices))

    def offer_profile(self, saved: Profile) -> bool:
        """After a first case: remember the coordinator's details for the next one?"""
        choices: list[tuple[str, Any]] = [("Ja, spara profilen", True), ("Nej", False)]
        question = f"Spara {saved.words()} som din profil till nästa ärende?"
        return self.select(question, choices, back=False) is True

    def ask_own_organisation(self, workflow: Workflow) -> OrganisationRef | _Back:
        """The organisation that opens the case: always within the consent's scope."""
        spec = checklists.FieldSpec(
            id="egen-verksamhet", kind="organisation", prompt=OWN_ORGANISATION
        )
        self.say(
            "Din verksamhet har redan uppgifterna om barnet och ingår alltid i samtycket.", "italic"
        )
        raw: Any = self.fields.organisation(spec, workflow, None)
        if isinstance(raw, _Back):
            return BACK
        return parts.OrganisationRef(**answer_checks.organisation_answer(raw, workflow))


def _check_birth_year(name: str, raw: str) -> None:
    session.parse_child(name, raw, date.today())


def _validator_child_name(raw: str) -> None:
    name, year = split_birth_year(raw)
    session.parse_child(name, year or "", date.today())


_BIRTH_YEAR_AFTER_NAME = re.compile(r"^(?P<name>.*?\S)\s*,\s*(?P<year>\d{4})\s*$")


def split_birth_year(raw: str) -> tuple[str, str | None]:
    """`E. K., 2014` → (`E. K.`, `2014`): the birth year typed after the name saves a question;
    without one, (`raw`, None) and the year is asked for by itself."""
    match = _BIRTH_YEAR_AFTER_NAME.match(raw)
    if match is None:
        return raw, None
    return match["name"], match["year"]
