"""The command classes the commands are made with, passed to Typer as `cls=`.

`Group` and `Command` are given to `typer.Typer(cls=...)` and `@app.command(cls=...)`. They set
the Swedish metavars of the usage line and the text of `--help`, and draw the help page with
`kronobarn_cli.render.help_page` (imported only when a help page is shown, so start-up pays
nothing).

They also spare start-up the coercion of options left out. Typer coerces every option's value
through a pydantic `TypeAdapter` it builds on first use, even a `None` that it then returns
unchanged; building the first one imports pydantic, which costs more than all the rest of
`kronobarn list` on an empty store or of drawing the first question of `new-case`. Every
option is made a `_PlainOption`, which gives an optional option left out its `None` (`()` if
it can be repeated), a `str` option its string and a flag its `True` or `False` as they are,
which is what Typer's coercion returns for them; every other value is coerced by Typer as
before. This reads two attributes Typer gives its options (`type_descriptor`, and its
`parameter_info.parser`); a test compares every option of every command with Typer's own
coercion, so an upgrade that changes it fails there. Nothing here touches Typer's or Click's
private (underscored) attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand, TyperGroup, TyperOption

USAGE = "Användning: "
OPTIONS_METAVAR = "[FLAGGOR]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENT]..."
HELP_OPTION = "Visa den här hjälpen och avsluta."


def _format_usage(command: TyperCommand | TyperGroup, ctx: Any, formatter: Any) -> None:
    pieces = command.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = HELP_OPTION
    return _plain(option)


class _PlainOption(TyperOption):
    """An option whose value needs no coercion when it is left out or is a plain string."""

    def process_value(self, ctx: Any, value: Any) -> Any:
        # Read defensively: should a later Typer name these otherwise, it coerces as usual.
        described = getattr(self, "type_descriptor", None)
        annotation = getattr(described, "annotation", None)
        parser = getattr(getattr(described, "parameter_info", None), "parser", True)
        plain: Any
        if value is None and not self.required:
            plain = () if self.multiple or self.nargs == -1 else None
        elif type(value) is str and annotation is str and parser is None:
            plain = value
        elif type(value) is bool and annotation is bool and parser is None:
            plain = value  # a flag (`--version`), given or left out
        else:
            return super().process_value(ctx, value)
        # What Typer makes of it, less building an adapter that would return it unchanged.
        return plain if self.callback is None else self.callback(ctx, self, plain)


def _plain(param: Any) -> Any:
    # A hack kept by measure (issue 24): Typer has no public hook for an option's class
    # (`typer.Option` takes no `cls=`, and its `parser=` is itself wrapped in a `TypeAdapter`).
    # `python bench/internals.py`: `list` on an empty store 117 ms of CPU with it, 202 ms
    # without (+72 %); `remind` 128 ms against 210 ms (+64 %). tests/cli/test_options.py holds
    # every option to what the installed Typer's own coercion gives.
    if type(param) is TyperOption:
        param.__class__ = _PlainOption  # it adds no state, only the method above
    return param


def _plain_options(params: list[Any]) -> None:
    for param in params:
        _plain(param)


if TYPE_CHECKING:
    _Base = TyperCommand  # what the mixin below is mixed into, for the type checker
else:
    _Base = object


class _Swedish(_Base):
    """What `Command` and `Group` share: the Swedish usage line, `--help` and help page.

    A mixin rather than a collaborator: Click calls these methods on the command object
    itself, and the two must subclass Typer's two different classes."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _format_usage(self, ctx, formatter)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # Our page, not Typer's rich one (kept by measure, issue 24): `python bench/internals.py`
        # `remind --help` 148 ms of CPU, 180 ms with Typer's page (+22 %); `--help` 163 ms against
        # 184 ms (+12 %). tests/render/test_help_page.py holds it to what Typer's page shows.
        from kronobarn_cli.render import help_page  # noqa: PLC0415 - only a help page needs it

        help_page.show(self, ctx)


class Command(_Swedish, TyperCommand):
    """A command whose usage line, `--help` and help page are Swedish."""

    def __init__(self, name: str | None, **attrs: Any) -> None:
        super().__init__(name, **attrs)
        self.options_metavar = OPTIONS_METAVAR
        _plain_options(self.params)


class Group(_Swedish, TyperGroup):
    """A group of commands whose usage line, `--help` and help page are Swedish."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = SUBCOMMAND_METAVAR
        _plain_options(self.params)
