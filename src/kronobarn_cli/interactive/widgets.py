"""The terminal's widgets (text, select, checkbox, passphrase) on questionary and prompt_toolkit.

Every widget offers "Tillbaka": a choice in lists, `<` in text fields (`<<` to change an earlier
answer). Ctrl-C raises KeyboardInterrupt to the caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import questionary
from prompt_toolkit.application.current import get_app_or_none
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from questionary import Choice
from rich.console import Console
from rich.text import Text

from kronobarn_cli.errors import AnswerError
from kronobarn_cli.support.text import terminal_safe


class _Back:
    """Marker returned by a prompt when the user chose to go back."""

    def __repr__(self) -> str:
        return "BACK"


BACK = _Back()
BACK_VALUE = "__tillbaka__"
BACK_TITLE = "← Tillbaka"
BACK_TEXT = "<"
JUMP_TEXT = "<<"
SHORT_HINTS = {"select": "(↑↓ Enter)", "checkbox": "(↑↓ mellanslag Enter, < tillbaka)"}
SELECT_HINT = "(piltangenterna flyttar, Enter väljer)"
CHECKBOX_HINT = "(piltangenterna flyttar, mellanslag markerar, Enter går vidare, < tillbaka)"


class _End:
    """Marker returned by the first question of a new group item: the group is complete."""

    def __repr__(self) -> str:
        return "END"


END: _End = _End()
END_VALUE = "__klart__"
OPT_IN_VALUE = "__anteckna__"
END_TITLE = "✓ Inga fler – klart"


def safe(value: str) -> Text:
    """Typed text as a rich Text: never parsed as markup, control characters neutralised."""
    return Text(terminal_safe(value))


def ask(question: questionary.Question) -> Any:
    """Run one question. An exception raised inside it (a check, a key handler, a signal) ends
    the question and reaches the caller, who reports it in Swedish and keeps what is saved.

    prompt_toolkit's own handler would print the exception in English and wait for Enter; with
    no more input to read, that wait fails, is reported the same way, and spins for ever.
    """
    app = question.application

    def end_on_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, BaseException) and app.future is not None and not app.future.done():
            app.exit(exception=error)
        else:
            loop.default_exception_handler(context)

    def route_errors() -> None:
        asyncio.get_running_loop().set_exception_handler(end_on_error)

    return app.run(pre_run=route_errors, set_exception_handler=False)


def _validator(check: Callable[[str], Any]) -> Callable[[str], bool | str]:
    def validate(raw: str) -> bool | str:
        if raw.strip() in (BACK_TEXT, JUMP_TEXT):
            return True
        try:
            check(raw)
        except AnswerError as exc:
            _select_refused()
            return exc.message
        return True

    return validate


def _select_refused() -> None:
    """A refused answer stays in the field, selected: what is typed next replaces it instead of
    being added to it (prompt_toolkit's shift-selection, as a text editor does)."""
    app = get_app_or_none()
    if app is None:
        return
    buffer = app.current_buffer
    if not buffer.text:
        return
    buffer.exit_selection()
    buffer.cursor_position = 0
    buffer.start_selection()
    assert buffer.selection_state is not None
    buffer.selection_state.enter_shift_mode()
    buffer.cursor_position = len(buffer.text)  # prompt_toolkit puts it there too


class Widgets:
    """The widgets of one session at the terminal, and what they have in common: the console,
    the count of questions asked, key help shown once, and a `<<` typed in a text field."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self.asked = 0
        """Questions answered at the terminal: every one costs time with the family."""
        self.jumped = False
        """Set when the user asked to change an earlier answer; the walk offers the steps."""
        self._hinted: set[str] = set()
        self.once_drawn: Callable[[], None] | None = None
        """Called once, when the next question is on the screen (work that may wait until the
        user reads it)."""

    def say(self, message: str, style: str = "") -> None:
        self.console.print(Text(message, style=style))

    def _hint(self, kind: str, text: str) -> str:
        """Key help in full once per session, then short: a long hint makes questions wrap
        (and no hint at all would let questionary print its English one)."""
        if kind in self._hinted:
            return SHORT_HINTS[kind]
        self._hinted.add(kind)
        return text

    def text(
        self,
        message: str,
        check: Callable[[str], Any],
        *,
        hint: str = "",
        back: bool = True,
        default: str = "",
    ) -> str | _Back:
        parts = [hint] if hint else []
        if back:
            parts.append(f"{BACK_TEXT} = tillbaka, {JUMP_TEXT} = ändra ett tidigare svar")
        instruction = f"({'; '.join(parts)})" if parts else None
        self.asked += 1
        question = questionary.text(
            message, validate=_validator(check), instruction=instruction, default=default
        )
        self._when_drawn(question)
        raw = ask(question)
        if back and raw.strip() == BACK_TEXT:
            return BACK
        if back and raw.strip() == JUMP_TEXT:
            self.jumped = True
            return BACK
        return str(raw)

    def _when_drawn(self, question: questionary.Question) -> None:
        hook, self.once_drawn = self.once_drawn, None
        if hook is None:
            return
        pending = [hook]

        def drawn(_: object) -> None:
            while pending:
                pending.pop()()

        question.application.after_render += drawn

    def select(
        self,
        message: str,
        choices: list[tuple[str, Any]],
        *,
        back: bool = True,
        default: Any = None,
    ) -> Any:
        options = [Choice(title=terminal_safe(title), value=value) for title, value in choices]
        if back:
            options.append(Choice(title=BACK_TITLE, value=BACK_VALUE))
        start = (
            next((o for o in options if o.value == default), None) if default is not None else None
        )
        self.asked += 1
        value = ask(
            questionary.select(
                message,
                choices=options,
                instruction=self._hint("select", SELECT_HINT),
                default=start,
            )
        )
        return BACK if value == BACK_VALUE else value

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
        ticked = set(checked or [])
        options = [
            Choice(title=terminal_safe(title), value=value, checked=value in ticked)
            for title, value in choices
        ]

        def validate(values: list[str]) -> bool | str:
            if required and not values:
                return "Välj minst ett alternativ (mellanslag markerar)."
            return True

        question = questionary.checkbox(
            message,
            choices=options,
            instruction=self._hint("checkbox", CHECKBOX_HINT),
            validate=validate,
            erase_when_done=True,  # questionary's own summary line is in English
        )
        if back:
            # "Tillbaka" is a key, not a choice: ticked with real choices it would lose them.
            bindings = KeyBindings()

            @bindings.add(BACK_TEXT, eager=True)
            def _go_back(event: KeyPressEvent) -> None:
                event.app.exit(result=BACK_VALUE)

            app = question.application
            app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), bindings])
        self.asked += 1
        values = ask(question)
        if values == BACK_VALUE:
            return BACK
        titles = [(names or {}).get(v, t) for t, v in choices if v in values and v != OPT_IN_VALUE]
        line = Text("✔ ", style="green") + Text(message + " ", style="bold")
        self.console.print(line + safe(", ".join(titles) or "inget valt"))
        return list(values)

    def ask_passphrase(self) -> str:
        """The passphrase a handover file was encrypted with (never echoed)."""
        self.asked += 1
        return str(ask(questionary.password("Lösenfras för filen:")))

    def ask_new_passphrase(
        self, minimum: int, generate: Callable[[], str], weakness: Callable[[str], str | None]
    ) -> str:
        """Ask twice until both agree; an empty answer gets a generated passphrase, shown once."""
        self.say(
            "Filen krypteras med en lösenfras. Skicka lösenfrasen på ett annat sätt än filen, "
            "t.ex. per telefon."
        )

        def long_enough(raw: str) -> bool | str:
            why = weakness(raw) if raw else None
            return f"{why} Lämna tomt så föreslår kronobarn en." if why else True

        while True:
            self.asked += 1
            first = str(
                ask(
                    questionary.password(
                        f"Lösenfras (minst {minimum} tecken; tomt = kronobarn föreslår en):",
                        validate=long_enough,
                    )
                )
            )
            if not first:
                made = generate()
                self.console.print(Text("Lösenfras: ") + Text(made, style="bold"))
                self.say(
                    "Skriv upp den eller läs upp den för mottagaren; kronobarn sparar den inte."
                )
                return made
            self.asked += 1
            again = str(ask(questionary.password("Skriv lösenfrasen igen:")))
            if again == first:
                return first
            self.say("Lösenfraserna var inte lika. Försök igen.", "red")
