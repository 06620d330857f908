"""The walk loop: asks a `Walk`'s steps one by one until it ends, going back or jumping back.

Every answer is saved by the walk as it is given; a save refused because another session saved
the case meanwhile reads the case again and goes on from where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from kronobarn_cli.errors import AnswerError, StaleCaseError
from kronobarn_cli.interactive.fields import Combined, FieldWidgets
from kronobarn_cli.interactive.groups import Groups
from kronobarn_cli.interactive.questions import Questions
from kronobarn_cli.interactive.screens import Screens, item_header
from kronobarn_cli.interactive.widgets import BACK, Widgets, safe
from kronobarn_cli.support.lazy import LazyModule
from kronobarn_cli.support.text import IDENTITY_NUMBER_WARNING, swedish_date

if TYPE_CHECKING:
    from kronobarn_cli.checklists.schema import Step
    from kronobarn_cli.domain import engine
    from kronobarn_cli.interactive import walk as session
    from kronobarn_cli.interactive.walk import Walk
else:
    engine = LazyModule("kronobarn_cli.domain.engine")
    session = LazyModule("kronobarn_cli.interactive.walk")


@dataclass(frozen=True)
class _ItemChoice:
    """In the `<<` list: an item of the group being filled in, by its index."""

    index: int


class WalkDriver:
    """Drives one walk through the questions, the groups and the screens."""

    def __init__(
        self,
        widgets: Widgets,
        screens: Screens,
        fields: FieldWidgets,
        questions: Questions,
        groups: Groups,
    ) -> None:
        self.widgets = widgets
        self.screens = screens
        self.fields = fields
        self.questions = questions
        self.groups = groups

    def walk(self, walk: Walk) -> engine.Position:
        """Ask until the walk ends, or the user saves and goes on later (before a meeting)."""
        shown: str | None = None
        while True:
            try:
                pos = walk.position()
                if pos.finished:
                    if shown is None and self._reopened(walk, pos):
                        shown = ""
                        continue
                    return pos
                step = pos.step
                assert step is not None
                if pos.section.id != shown:
                    finished = walk.outcome_of(shown) if shown else None
                    if finished is not None:
                        self.widgets.say(f"✔ {finished.title}", "bold green")
                    returning = any(s.id in walk.remembered for s in pos.section.steps)
                    if (
                        pos.section.pause
                        and not returning
                        and (shown is not None or _meeting_ahead(walk))
                        and not _meeting_begun(walk)
                    ):
                        go_on = self._go_on(pos.section.pause, walk)
                        if go_on == "change-date":
                            walk.back_to("mote-datum")
                            shown = None
                            continue
                        if not go_on:
                            return pos
                    self.screens.show_section(pos.section)
                    shown = pos.section.id
                self._step(walk, step)
            except StaleCaseError:
                self._reload(walk)

    def _step(self, walk: Walk, step: Step) -> None:
        """One step: kept from before a jump, recorded without asking, or asked and answered."""
        if self._given_again(walk, step):
            return
        automatic = walk.automatic(step)
        if automatic is not None:
            self.screens.show_automatic(step, walk, automatic)
            walk.answer(step.id, automatic)
            return
        answer = self.ask_step(step, walk)
        if answer is BACK:
            self._go_back(walk)
            return
        given = answer.answers if isinstance(answer, Combined) else ((step.id, answer),)
        for step_id, _ in given[1:]:
            walk.remembered.pop(step_id, None)  # answered now, not from before a jump
        try:
            warnings = [w for step_id, value in given for w in walk.answer(step_id, value)]
        except AnswerError as exc:
            self.widgets.say(exc.message, "red")  # the steps left are asked one by one
            return
        for warning in warnings:
            if warning == IDENTITY_NUMBER_WARNING:  # the others were said at the item
                self.widgets.say(warning, "yellow")

    def ask_step(self, step: Step, walk: Walk) -> Any:
        if step.kind == "repeat":
            return self.groups.ask_repeat(step, walk)
        if step.combined is not None:
            return self.fields.combined(step, walk)
        return self.questions.ask_field(step, walk, walk.default_for(step))

    def _reload(self, walk: Walk) -> None:
        """The case was saved in another session after this walk read it: nothing of that is
        overwritten. Read it again, say what the other session changed (as `kronobarn log`
        says it: no typed text), and go on from there; stop where the case cannot go on."""
        before = walk.position().step
        case_id = walk.case.id
        self.widgets.say(
            f"Ditt senaste svar kunde inte sparas: ärendet {case_id} har ändrats i en annan "
            "session medan du svarade. Inget sparat skrevs över.",
            "bold yellow",
        )
        self.screens.show_changes(walk.reload(), case_id)
        session.refuse_if_not_open(walk.case)
        after = walk.position().step
        again = before is not None and after is not None and before.id == after.id
        self.widgets.say(
            "Ärendet är inläst på nytt; bara svaret du just gav gick förlorat. "
            + ("Svara på frågan igen." if again else "Du fortsätter där ärendet står nu."),
            "yellow",
        )

    def _reopened(self, walk: Walk, pos: engine.Position) -> bool:
        """A resumed case that stopped for want of consent: let the user add it now."""
        if pos.outcome is None or pos.outcome.reopen is None:
            return False
        self.widgets.say(f"{pos.outcome.title}.", "bold")
        choices: list[tuple[str, Any]] = [("Ja", True), ("Nej", False)]
        if not self.widgets.select("Vill du registrera samtycke nu?", choices, back=False):
            return False
        group = walk.workflow.step(pos.outcome.reopen)
        if group.records != "consent":
            walk.reopen()
            return True
        # Added to, never changed: what was recorded (and perhaps withdrawn since) stays.
        return self.questions.add_missing_consents(walk)

    def _go_on(self, question: str, walk: Walk) -> Any:
        """Before the meeting itself: go on now, or save and go on at the meeting."""
        meeting = walk.meeting
        held_on = meeting.held_on if meeting is not None else None
        if held_on is not None and _meeting_ahead(walk):
            # A meeting weeks ahead cannot have been held: recording it now would be wrong.
            self.widgets.say(f"Mötet är planerat till {swedish_date(held_on)}.", "yellow")
            choices: list[tuple[str, Any]] = [
                ("Spara och fortsätt vid mötet", False),
                ("Mötet hålls tidigare – ändra datumet", "change-date"),
            ]
            return self.widgets.select(
                "Mötet har inte hållits ännu. Vad vill du göra?", choices, back=False
            )
        choices = [("Ja, fortsätt nu", True), ("Nej, spara och fortsätt senare", False)]
        return self.widgets.select(question, choices, back=False)

    def _given_again(self, walk: Walk, step: Step) -> bool:
        """After a jump back: an answer from before that still holds is kept, unasked."""
        if step.id not in walk.remembered:
            return False
        value = walk.remembered_answer(step)
        try:
            walk.answer(step.id, value)
        except AnswerError:
            return False  # it no longer fits: asked again
        self.widgets.console.print(Text("↺ ", style="dim") + safe(f"{step.prompt} (som tidigare)"))
        return True

    def _go_back(self, walk: Walk) -> None:
        """One question back, or (after `<<`) to an answer the user picks."""
        if self.widgets.jumped:
            self.widgets.jumped = False
            self._jump_back(walk)
            return
        previous = walk.back()
        # Going back past what was never asked (guidance, a known default), and to the
        # question that answered several steps at once.
        while previous is not None and (
            walk.automatic(previous) is not None or _answered_together(walk, previous)
        ):
            previous = walk.back()
        if previous is None:
            self.widgets.say("Du är redan vid första frågan.")

    def _jump_back(self, walk: Walk) -> None:
        """Change an earlier answer without going back one question at a time: an item of the
        group being filled in (edited where it is, every other item kept), or an earlier step."""
        steps = [
            s
            for s in walk.answered_steps()
            if walk.automatic(s) is None and not _answered_together(walk, s)
        ]
        group = self.groups.being_filled(walk)
        choices: list[tuple[str, Any]] = []
        if group is not None:
            step, items = group
            choices += [
                (f"{item_header(step, item, n, walk.workflow)} · "
                 f"{self.screens.item_summary(step, item, walk)}", _ItemChoice(n - 1))
                for n, item in reversed(list(enumerate(items, 1)))
            ]  # fmt: skip
        choices += [(s.combined.prompt if s.combined else s.prompt, s.id) for s in reversed(steps)]
        if not choices:
            self.widgets.say("Det finns inget tidigare svar att ändra här.")
            return
        chosen = self.widgets.select(
            "Vilket svar vill du ändra? (senare svar behålls om de fortfarande gäller)", choices
        )
        if chosen is BACK:
            return
        if isinstance(chosen, _ItemChoice):
            assert group is not None
            self.groups.edit_pending_item(walk, group[0], chosen.index)
            return
        if not self.groups.leave(walk):
            return
        # The chosen answer is asked again (starting from the old one), the later ones kept.
        walk.back_to(str(chosen))


def _meeting_ahead(walk: Walk) -> bool:
    """Is the meeting being walked more than a day away (so it cannot have been held)?"""
    meeting = walk.meeting
    held_on = meeting.held_on if meeting is not None else None
    return held_on is not None and (held_on - walk.today).days > 1


def _meeting_begun(walk: Walk) -> bool:
    """Has the meeting being walked begun by its date and time (an earlier day, or today at a
    time that has come)? Then whether it has begun needs no asking."""
    meeting = walk.meeting
    held_on = meeting.held_on if meeting is not None else None
    if held_on is None or held_on > walk.today:
        return False
    if held_on < walk.today:
        return True
    starts = meeting.starts_at if meeting is not None else None
    return bool(starts) and str(starts) <= f"{walk.clock():%H:%M}"


def _answered_together(walk: Walk, step: Step) -> bool:
    """Was this step answered by an earlier step's combined question (which is answered)?"""
    combiner = walk.workflow.section_of(step.id).combined_into(step.id)
    return combiner is not None and combiner.id in engine.flatten(walk.answers())
