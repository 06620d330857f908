"""County templates rendered in Jinja2's sandbox, with bounded work, output and time.

A template directory is something a county (or anyone who can set KRONOBARN_TEMPLATES) writes,
so a template is untrusted code: it gets no access to Python internals (the immutable sandbox),
`range()` and the operators and functions that multiply work are bounded, and the rendering as a
whole is stopped after MAX_SECONDS or MAX_OUTPUT characters. Every way a template can fail ends
as a `TemplateProblem` with a Swedish reason and, where known, the line.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from jinja2 import (
    FileSystemLoader,
    Template,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SECONDS = 3.0
MAX_OUTPUT = 1_000_000  # characters; a plan is a few kilobytes
MAX_TEMPLATE_BYTES = 200_000
MAX_RANGE = 10_000  # values in one range()
MAX_STEPS = 200_000  # range values and calls in one rendering
MAX_TEXT_ARGUMENT = 100_000  # characters in a string handed to a function or filter
MAX_WIDTH = 1_000  # widths and counts of the functions that pad, repeat or wrap text

# Functions and filters whose integer arguments multiply the size of their result.
_WIDTH_TAKING = {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap",
                 "truncate", "batch", "slice"}  # fmt: skip
_FORMAT_WIDTH = re.compile(r"%[^a-zA-Z%]*\d{4,}|\{[^{}]*\d{4,}[^{}]*\}")


class TemplateProblem(Exception):
    """Why a template cannot be used (Swedish), and the line of the template where known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class _Limit(Exception):
    """Raised inside the rendering when a bound is reached."""


class _Budget:
    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def spend(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise _Limit(f"mallen gör för mycket arbete (fler än {MAX_STEPS} varv eller anrop)")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise _Limit(f"mallen tar längre tid än {MAX_SECONDS:g} sekunder (en ändlös loop?)")


class _BoundedRange:
    """range() for templates: at most MAX_RANGE values, each one counted against the budget."""

    def __init__(self, budget: _Budget, values: range) -> None:
        if len(values) > MAX_RANGE:
            raise _Limit(f"range() ger {len(values)} värden; högst {MAX_RANGE} är tillåtna")
        self.budget = budget
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[int]:
        for value in self.values:
            self.budget.spend()
            yield value


def _check_arguments(name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    values = [*args, *kwargs.values()]
    texts = [value for value in values if isinstance(value, str)]
    if any(len(text) > MAX_TEXT_ARGUMENT for text in texts):
        raise _Limit(f"för lång text (över {MAX_TEXT_ARGUMENT} tecken) till {name or 'ett anrop'}")
    if name in _WIDTH_TAKING:
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
                raise _Limit(f"{name}() med {value}; högst {MAX_WIDTH} är tillåtet")
    if name == "replace" and len(texts) >= 3:
        text, old, new = texts[:3]
        occurrences = text.count(old) if old else len(text) + 1
        if occurrences * len(new) > MAX_OUTPUT:
            raise _Limit("replace() skulle ge för lång text")
    if name in ("format", "format_map") and texts and _FORMAT_WIDTH.search(texts[0]):
        raise _Limit("för stor bredd i en formatsträng")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


class CountyEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with the operators and calls that can multiply work kept within bounds."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.budget = _Budget()
        self.globals["range"] = self._range
        self.globals.pop("lipsum", None)  # generates text by the megabyte on request

    def _range(self, *args: int) -> _BoundedRange:
        return _BoundedRange(self.budget, range(*args))

    def bound_filters(self) -> None:
        """Wrap every filter so that its arguments are checked; call after adding filters."""
        for name, function in list(self.filters.items()):
            self.filters[name] = _checked(name, function)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.budget.spend()
        if obj != self._range:
            name = getattr(obj, "__name__", "")
            owner = getattr(obj, "__self__", None)
            _check_arguments(name, (owner, *args) if isinstance(owner, str) else args, kwargs)
        return super().call(context, obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # str.format is reached through attribute access, not `call`; "{:>99999999}" would
        # build a hundred megabytes before any output bound could see it.
        owner = getattr(value, "__self__", None)
        name = getattr(value, "__name__", "")
        if isinstance(owner, str) and name in ("format", "format_map"):
            _check_arguments(name, (owner,), {})
        return super().wrap_str_format(value)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        numbers = isinstance(left, int | float) and isinstance(right, int | float)
        if operator == "**" and numbers and abs(right) > 64 and abs(left) > 1:
            raise _Limit("för stor exponent")
        if operator == "*":
            for text, count in ((left, right), (right, left)):
                size = _size(text)
                if size is not None and isinstance(count, int) and size * count > MAX_OUTPUT:
                    raise _Limit("en text eller lista upprepas för många gånger")
        if operator == "+":
            first, second = _size(left), _size(right)
            if first is not None and second is not None and first + second > MAX_OUTPUT:
                raise _Limit("för lång text")
        if operator == "%" and isinstance(left, str) and _FORMAT_WIDTH.search(left):
            raise _Limit("för stor bredd i en formatsträng")
        return super().call_binop(context, operator, left, right)


def _checked(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment markers
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(name, args, kwargs)
        return function(*args, **kwargs)

    return checked


class BoundedFileSystemLoader(FileSystemLoader):
    """A county's template directory; a template file larger than MAX_TEMPLATE_BYTES is refused."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        for directory in self.searchpath:
            path = Path(directory, *split_template_path(template))
            if path.is_file() and path.stat().st_size > MAX_TEMPLATE_BYTES:
                raise TemplateProblem(f"mallfilen är större än {MAX_TEMPLATE_BYTES // 1000} kB")
        return super().get_source(environment, template)


def render(environment: CountyEnvironment, name: str, context: Mapping[str, Any]) -> str:
    """The template `name` filled in with `context`, or a TemplateProblem."""
    try:
        template = environment.get_template(name)
    except TemplateProblem:
        raise
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"syntaxfel: {exc.message}", exc.lineno) from None
    except TemplateNotFound as exc:
        raise TemplateProblem(f"mallen {exc.name} finns inte") from None
    except UnicodeDecodeError:
        raise TemplateProblem("mallfilen är inte text i UTF-8") from None
    except Exception as exc:  # noqa: BLE001 - e.g. OSError, or RecursionError for deep nesting
        raise TemplateProblem(f"mallen kan inte läsas ({exc.__class__.__name__})") from None
    return _generate(environment.budget, template, context)


def _generate(budget: _Budget, template: Template, context: Mapping[str, Any]) -> str:
    chunks: list[str] = []
    size = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        # Every line run while rendering checks the clock: a loop that calls nothing and prints
        # nothing is stopped too.
        budget.check_time()
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise _Limit(f"mallen skriver mer än {MAX_OUTPUT // 1_000_000} miljon tecken")
            chunks.append(chunk)
    except TemplateProblem:
        raise
    except _Limit as exc:
        raise TemplateProblem(str(exc), _line(exc.__traceback__, template)) from None
    except SecurityError:
        line = _line(sys.exc_info()[2], template)
        raise TemplateProblem("otillåten åtgärd (stoppad av mallarnas sandlåda)", line) from None
    except UndefinedError as exc:
        found = re.search(r"'([^']*)' is undefined", exc.message or "")
        what = f"'{found.group(1)}' finns inte i mallens data" if found else "ett värde saknas"
        raise TemplateProblem(what, _line(exc.__traceback__, template)) from None
    except TemplateError as exc:
        raise TemplateProblem(f"fel i mallen ({exc.__class__.__name__})") from None
    except RecursionError:
        raise TemplateProblem("mallen anropar sig själv för djupt") from None
    except MemoryError:
        raise TemplateProblem("mallen kräver för mycket minne") from None
    except Exception as exc:  # noqa: BLE001 - a template can raise anything Python can
        line = _line(exc.__traceback__, template)
        raise TemplateProblem(f"fel när mallen fylls i ({exc.__class__.__name__})", line) from None
    finally:
        sys.settrace(previous)
    return "".join(chunks)


def _line(traceback: TracebackType | None, template: Template) -> int | None:
    """The template line where rendering stopped (Jinja maps its frames to template lines)."""
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == template.filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
