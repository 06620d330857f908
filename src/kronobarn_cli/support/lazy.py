"""Work done later, for a quick start-up: a module imported or a console made the first time it
is used, and work started on a thread while the user reads a question."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from kronobarn_cli.support import terminal_facts

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


class _LazyConsole:
    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._console is None:
            from rich.console import Console  # noqa: PLC0415 - the point of this class

            self._console = Console(**self._options)
        return getattr(self._console, attribute)


def lazy_console(**options: Any) -> Console:
    """A rich Console made when first used: importing rich costs about 30 ms, and `list` or
    `remind --json` print nothing through it."""
    return cast("Console", _LazyConsole(options))


_DECIDED_OPTIONS = frozenset({"highlight", "stderr"})
"""Options that change nothing `terminal_facts.decided` answers (the file, width and colour)."""


def console_output(console: Console) -> terminal_facts.Output:
    """Where `console` writes, how wide, and whether in colour: for a lazy console not yet made,
    as rich would make it now, without importing rich where `terminal_facts` can be sure (a
    table over a pipe or in a terminal needs nothing else of rich); else the console's own."""
    if isinstance(console, _LazyConsole) and console._console is None:
        options = console._options
        if options.keys() <= _DECIDED_OPTIONS:
            found = terminal_facts.decided(stderr=bool(options.get("stderr", False)))
            if found is not None:
                return found
    return terminal_facts.of_console(console)


class Background(Generic[T]):
    """`work` run on a thread from `start()`; `result()` waits for it and returns its value or
    raises its exception, as if it had been called there (it runs then if never started)."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._thread: threading.Thread | None = None
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = False

    def start(self) -> None:
        if self._thread is None and not self._done:
            self._thread = threading.Thread(target=self._run, name="kronobarn-background")
            self._thread.daemon = True
            self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work()
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self._error = exc
        self._done = True

    def result(self) -> T:
        if self._thread is not None:
            self._thread.join()
        elif not self._done:
            self._run()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
