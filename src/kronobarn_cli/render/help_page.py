"""Draws a command's help page in Swedish, laid out like Typer's own rich help.

Called from `i18n.Command.format_help` / `i18n.Group.format_help` (Click's public hook for a help
page), so no Typer internals are patched: it reads Click's public command and parameter
attributes and draws with rich. Panels, columns and styles follow Typer's layout, so the page
looks like any Typer app's, with Swedish titles and tags.

One thing only Typer knows is a parameter's type name (`<str>`, `<path>`): it comes from the
parameter's `display_type()` and is translated through `TYPES`. Should a Typer release rename
or drop that method, or spell a type differently, the type column shows Typer's English word or
nothing; the page is still drawn. Not drawn because no command uses them: Markdown help, number
ranges, deprecation tags.
"""

from __future__ import annotations

import inspect
import os
from collections import defaultdict
from collections.abc import Callable
from enum import Enum
from typing import Any

from rich.align import Align
from rich.columns import Columns
from rich.console import Console, Group, RenderableType
from rich.highlighter import RegexHighlighter
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

ARGUMENTS_PANEL = "Argument"
OPTIONS_PANEL = "Flaggor"
COMMANDS_PANEL = "Kommandon"
DEFAULT = "[standard: {}]"
ENVVAR = "[miljövariabel: {}]"
REQUIRED = "[krävs]"
DYNAMIC = "(beräknas)"
# The type Typer shows for a parameter without a metavar, in Swedish; a flag shows none.
TYPES: dict[str, str | None] = {
    "<bool>": None,
    "<str>": "<text>",
    "<path>": "<sökväg>",
    "<int>": "<heltal>",
    "<float>": "<tal>",
}


class _OptionHighlighter(RegexHighlighter):
    highlights = [  # noqa: RUF012 - rich's own class attribute
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
    ]


class _TypesHighlighter(RegexHighlighter):
    highlights = [  # noqa: RUF012 - rich's own class attribute
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


_highlight = _OptionHighlighter()
_highlight_types = _TypesHighlighter()
THEME = Theme(
    {
        "option": "bold cyan",
        "switch": "bold green",
        "types": "bold yellow",
        "types_sep": "dim",
        "usage": "yellow",
    }
)


def _console() -> Console:
    """A console as Typer makes one: TERMINAL_WIDTH, and colours forced where CI asks for them."""
    width = os.environ.get("TERMINAL_WIDTH")
    force = bool(os.environ.get("GITHUB_ACTIONS") or os.environ.get("FORCE_COLOR")) or None
    return Console(
        theme=THEME,
        highlighter=_highlight,
        force_terminal=force,
        width=int(width) if width and width.isdigit() else None,
    )


def _rich_text(text: str, style: str = "") -> Text:
    return _highlight(Text.from_markup(inspect.cleandoc(text), style=style))


def _help_text(command: Any) -> RenderableType:
    """The command's help: the first paragraph plain, the rest dimmed (as Typer does)."""
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    first, *rest = text.split("\n\n")
    if not first.startswith("\b"):
        first = first.replace("\n", " ")
    parts: list[RenderableType] = [_rich_text(first.strip())]
    if rest:
        parts += [Text(""), _rich_text("\n\n".join(rest), style="dim")]
    return Group(*parts)


def _type_shown(param: Any, ctx: Any) -> str | None:
    if param.param_type_name == "option":
        if param.metavar is not None:
            return str(param.metavar)
        if param.is_flag:
            return None
    display_type: Callable[[Any], object] | None = getattr(param, "display_type", None)
    try:
        shown = display_type(ctx) if display_type is not None else None
    except Exception:  # noqa: BLE001 - a Typer change costs the type column, never the page
        shown = None
    if not isinstance(shown, str):
        return None
    shown = TYPES.get(shown, shown)
    if shown is not None and param.param_type_name == "option" and param.nargs != 1:
        shown += "..."
    return shown


def _default_shown(param: Any, ctx: Any) -> str | None:
    if isinstance(param.show_default, str):
        return f"({param.show_default})"
    if not (param.show_default or ctx.show_default):
        return None
    resilient, ctx.resilient_parsing = ctx.resilient_parsing, True
    try:
        value = param.get_default(ctx, call=False)
    finally:
        ctx.resilient_parsing = resilient
    if value is None:
        return None
    if callable(value):
        return DYNAMIC
    if param.param_type_name == "option" and param.is_flag:
        if not param.secondary_opts:
            return None
        names = param.opts if value else param.secondary_opts
        return str(names[0]).lstrip("-/")
    values = value if isinstance(value, list | tuple) else [value]
    shown = [str(v.value if isinstance(v, Enum) else v) for v in values]
    return ", ".join(shown) or None


def _param_help(param: Any, ctx: Any) -> Columns:
    items: list[Text] = []
    if param.help:
        paragraphs = [
            p.replace("\n", " ").strip() if not p.startswith("\b") else p.strip("\b\n") + "\n"
            for p in param.help.split("\n\n")
        ]
        items.append(_rich_text("\n".join(paragraphs).strip()))
    envvar = getattr(param, "envvar", None)
    if envvar and getattr(param, "show_envvar", False):
        names = envvar if isinstance(envvar, str) else ", ".join(map(str, envvar))
        items.append(Text(ENVVAR.format(names), style="dim yellow"))
    default = _default_shown(param, ctx)
    if default:
        items.append(Text(DEFAULT.format(default), style="dim"))
    if param.required:
        items.append(Text(REQUIRED, style="dim red"))
    return Columns(items)


def _params_panel(title: str, params: list[Any], ctx: Any, console: Console) -> None:
    rows: list[list[RenderableType]] = []
    for param in params:
        long: list[str] = []
        short: list[str] = []
        if param.param_type_name == "argument":
            name = str(param.metavar or param.name)
            short.append(name + ("..." if param.metavar is None and param.nargs != 1 else ""))
        else:
            for opt in param.opts:
                (long if "--" in opt else short).append(opt)
        second_long = [o for o in param.secondary_opts if "--" in o]
        second_short = [o for o in param.secondary_opts if "--" not in o]
        types = Text(style="bold yellow", overflow="fold")
        types.append(_type_shown(param, ctx) or "")
        rows.append(
            [
                Text("*", style="red") if param.required else "",
                _highlight(",".join(long)),
                _highlight(",".join(short)),
                _highlight(",".join(second_long)),
                _highlight(",".join(second_short)),
                _highlight_types(types),
                _param_help(param, ctx),
            ]
        )
    if not rows:
        return
    if not any(param.required for param in params):
        rows = [row[1:] for row in rows]
    table = Table(
        highlight=True, show_header=False, expand=True, box=None, pad_edge=False, padding=(0, 1)
    )
    for row in rows:
        table.add_row(*row)
    console.print(Panel(table, border_style="dim", title=title, title_align="left"))


def _commands_panel(title: str, commands: list[Any], width: int, console: Console) -> None:
    if not commands:
        return
    table = Table(
        highlight=False, show_header=False, expand=True, box=None, pad_edge=False, padding=(0, 1)
    )
    table.add_column(style="bold cyan", no_wrap=True, width=width)
    table.add_column("Beskrivning", justify="left", no_wrap=False, ratio=10)
    for command in commands:
        first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        table.add_row(Text(command.name or ""), _rich_text(first.replace("\b\n", "").strip()))
    console.print(Panel(table, border_style="dim", title=title, title_align="left"))


def show(command: Any, ctx: Any) -> None:
    """Print `command`'s help page: usage, help text, argument, option and command panels."""
    console = _console()
    console.print(Padding(_highlight(command.get_usage(ctx)), 1), style="bold")
    if command.help:
        console.print(Padding(Align(_help_text(command), pad=False), (0, 1, 1, 1)))
    arguments: dict[str, list[Any]] = defaultdict(list, {ARGUMENTS_PANEL: []})
    options: dict[str, list[Any]] = defaultdict(list, {OPTIONS_PANEL: []})
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        panel = getattr(param, "rich_help_panel", None)
        if param.param_type_name == "argument":
            arguments[panel or ARGUMENTS_PANEL].append(param)
        elif param.param_type_name == "option":
            options[panel or OPTIONS_PANEL].append(param)
    for title, params in [*arguments.items(), *options.items()]:
        _params_panel(title, params, ctx, console)
    if hasattr(command, "list_commands"):
        panels: dict[str, list[Any]] = defaultdict(list, {COMMANDS_PANEL: []})
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                panels[getattr(sub, "rich_help_panel", None) or COMMANDS_PANEL].append(sub)
        width = max((len(c.name or "") for cs in panels.values() for c in cs), default=0)
        for title, commands in panels.items():
            _commands_panel(title, commands, width, console)
    if command.epilog:
        epilog = _rich_text("\n\n".join(command.epilog.split("\n\n")))
        console.print(Padding(Align(epilog, pad=False), 1))
