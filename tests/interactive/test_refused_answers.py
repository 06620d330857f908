"""A refused text answer is replaced by the retry, never added to (issue: "…kl 13om 2 veckor")."""

from __future__ import annotations

import io
import threading

import pytest
from rich.console import Console

from kronobarn_cli.errors import AnswerError
from kronobarn_cli.interactive.prompter import Prompter

from ..keys import ENTER, line, typed

pytestmark = pytest.mark.timeout(30)
BACKSPACE = "\x7f"
LEFT = "\x1b[D"


def _only(accepted: str) -> object:
    def check(raw: str) -> None:
        if raw != accepted:
            raise AnswerError("Ogiltigt datum.")

    return check


def _prompter() -> Prompter:
    return Prompter(Console(file=io.StringIO(), width=100, color_system=None))


def test_the_retry_after_a_refused_answer_replaces_it() -> None:
    with typed(line("om 2 veckor kl 13"), line("om 2 veckor")):
        answer = _prompter().text("Vilket datum?", _only("om 2 veckor"))  # type: ignore[arg-type]
    assert answer == "om 2 veckor"


def test_a_refused_answer_is_kept_selected_so_backspace_clears_it() -> None:
    with typed(line("fel"), BACKSPACE, line("rätt")):
        answer = _prompter().text("Fråga?", _only("rätt"))  # type: ignore[arg-type]
    assert answer == "rätt"


def test_a_refused_answer_can_still_be_mended_after_moving_the_cursor() -> None:
    """An arrow key ends the selection: the user corrects the text instead of retyping it."""
    with typed(line("2027-01-1"), LEFT, "\x1b[C", line("0")):
        answer = _prompter().text("Datum?", _only("2027-01-10"))  # type: ignore[arg-type]
    assert answer == "2027-01-10"


def test_an_accepted_answer_after_enter_on_a_refused_one() -> None:
    with typed(line("x"), ENTER, line("ok")):
        # Enter on the selected refused text submits it again: refused again, still selected.
        answer = _prompter().text("Fråga?", _only("ok"))  # type: ignore[arg-type]
    assert answer == "ok"


def test_an_error_inside_a_question_ends_it_instead_of_waiting_for_enter_for_ever() -> None:
    """prompt_toolkit's own handler prints an error in English and waits for Enter; with the
    input at its end that wait fails and is handled the same way, round after round."""

    def broken(raw: str) -> None:
        raise RuntimeError("trasig kontroll")

    ended: list[BaseException] = []

    def answer() -> None:
        try:
            with typed(line("svar")):
                _prompter().text("Fråga?", broken)
        except BaseException as error:  # noqa: BLE001 - the error the question ended with
            ended.append(error)

    asking = threading.Thread(target=answer, daemon=True)  # a spinning question can't hang us
    asking.start()
    asking.join(10)
    assert not asking.is_alive(), "the question is still running"
    assert [type(e) for e in ended] == [RuntimeError]
