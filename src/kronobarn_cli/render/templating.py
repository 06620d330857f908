"""Rendering an export's template: text a user typed escaped for Markdown or plain text, the
county's own templates (`--templates`) before the built-in ones, all in the sandbox.

Every value a template prints is escaped for its format unless a filter has already done so, so
text a user typed can never become Markdown syntax or break a table. Templates are rendered in a
sandbox with bounded work (`sandbox.py`): a county's template is untrusted code.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from jinja2 import BaseLoader, ChoiceLoader, PackageLoader, StrictUndefined

from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render import sandbox
from kronobarn_cli.support.text import drop_control_characters

Format = Literal["markdown", "text"]
TEXT_WIDTH = 80

_MD_ALWAYS = re.compile(r"([\\`*_\[\]|<>&~!])")
_MD_LINE_START = re.compile(r"^(\s*)([#=+>-]|\d+[.)])")


class Escaped(str):
    """Text already made safe for the output format."""

    __slots__ = ()


def _clean(value: str) -> str:
    return drop_control_characters(value.replace("\r\n", "\n"), keep_newlines=True)


def markdown_text(value: str) -> str:
    """User text as CommonMark inline content: syntax escaped, line breaks kept as hard breaks."""
    lines = []
    for raw in _clean(value).split("\n"):
        line = _MD_ALWAYS.sub(r"\\\1", raw.strip())
        lines.append(_MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), line))
    return "\\\n".join(line for line in lines if line)


def markdown_cell(value: str) -> Escaped:
    """User text for a GFM table cell: one line, pipes escaped."""
    return Escaped(" ".join(markdown_text(value).replace("\\\n", " ").split()))


def plain_text(value: str) -> str:
    """User text for plain text: one line (a line break would break the layout)."""
    return " ".join(_clean(value).split())


def wrap_text(document: str, width: int = TEXT_WIDTH) -> str:
    """Wrap every long line; a `Label: value` line wraps under its value."""
    out: list[str] = []
    for line in document.split("\n"):
        if len(line) <= width:
            out.append(line.rstrip())
            continue
        indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
        label = re.match(r"\s*[^:]{1,24}:\s+", line)
        hanging = " " * len(label.group(0)) if label else indent
        out.extend(
            textwrap.wrap(
                line.strip(),
                width=width,
                initial_indent=indent,
                subsequent_indent=hanging,
                break_long_words=True,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def template_dir(explicit: Path | None = None) -> Path | None:
    """The county's template directory (--templates, else KRONOBARN_TEMPLATES), if one is set.

    A directory that is set but does not exist is an error: silently using the built-in
    wording would send out letters the county did not write."""
    if explicit is not None:
        chosen, source = explicit, "--templates"
    elif os.environ.get("KRONOBARN_TEMPLATES"):
        chosen, source = Path(os.environ["KRONOBARN_TEMPLATES"]), "KRONOBARN_TEMPLATES"
    else:
        return None
    if not chosen.is_dir():
        raise KronobarnError(
            f"Mallkatalogen {chosen} ({source}) finns inte eller är ingen katalog."
        )
    return chosen


def _environment(fmt: Format, custom: Path | None) -> sandbox.CountyEnvironment:
    escape: Callable[[str], str] = markdown_text if fmt == "markdown" else plain_text

    def finalize(value: Any) -> Any:
        if isinstance(value, Escaped) or not isinstance(value, str):
            return value
        return escape(value)

    loaders: list[BaseLoader] = []
    if custom is not None:
        loaders.append(sandbox.BoundedFileSystemLoader(str(custom)))
    loaders.append(PackageLoader("kronobarn_cli.render", "templates"))
    # Not HTML: `finalize` escapes every value for Markdown or plain text instead.
    env = sandbox.CountyEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["cell"] = markdown_cell
    env.bound_filters()
    return env


def render(name: str, fmt: Format, custom: Path | None, **context: Any) -> str:
    file_name = f"{name}.{'md' if fmt == 'markdown' else 'txt'}.j2"
    try:
        document = sandbox.render(_environment(fmt, custom), file_name, context)
    except sandbox.TemplateProblem as exc:
        own = custom / file_name if custom is not None else None
        path = str(own) if own is not None and own.is_file() else file_name
        where = f"{path}:{exc.line}" if exc.line is not None else path
        raise KronobarnError(
            f"Mallen {file_name} kan inte användas ({where}): {exc.reason}"
        ) from None
    document = document.rstrip("\n")
    return (wrap_text(document) if fmt == "text" else document) + "\n"
