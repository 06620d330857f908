"""Options whose value needs no coercion skip Typer's (and with it the import of pydantic), and
every command still gets exactly the values Typer would give it."""

from typing import Annotated, Any

import pytest
import typer
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.core import TyperCommand, TyperGroup, TyperOption

from kronobarn_cli import cli
from kronobarn_cli.cli import typer_support as i18n


def _options() -> list[tuple[str, typer.Context, TyperOption]]:
    found: list[tuple[str, typer.Context, TyperOption]] = []

    def walk(command: Any, path: str) -> None:
        ctx = typer.Context(command, info_name=path)
        for param in command.get_params(ctx):
            if isinstance(param, TyperOption):
                found.append((f"{path} {param.opts[0]}", ctx, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(cli.app), "kronobarn")
    return found


OPTIONS = _options()
TYPICAL = ["", " ", "skola", "2w", "14d", "2026-12-01", "csv", "table", "12", "-1", "a\udcffb"]


def _outcome(process: Any, ctx: typer.Context, param: TyperOption, value: Any) -> tuple[Any, ...]:
    try:
        return ("value", process(param, ctx, value))
    except Exception as error:  # noqa: BLE001 - the two must fail alike, whatever the error
        return ("error", type(error), str(error))


def test_every_option_of_every_command_is_a_plain_option() -> None:
    assert len(OPTIONS) > 40
    assert {type(param) for _, _, param in OPTIONS} == {i18n._PlainOption}


@pytest.mark.parametrize(("ctx", "param"), [o[1:] for o in OPTIONS], ids=[o[0] for o in OPTIONS])
@settings(max_examples=25, deadline=None)
@given(
    value=st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(TYPICAL),
        st.text(st.characters(exclude_categories=()), max_size=12),  # lone surrogates too
    )
)
def test_an_option_gets_what_typers_coercion_would_give_it(
    ctx: typer.Context, param: TyperOption, value: Any
) -> None:
    if param.callback is not None and value is not None:
        value = None  # `--help` given would print the help page and end the run
    for given_value in (value, param.default):
        ours = _outcome(i18n._PlainOption.process_value, ctx, param, given_value)
        typers = _outcome(TyperOption.process_value, ctx, param, given_value)
        assert ours == typers


def _callbacks_seen(command_class: type[Any], group_class: type[Any]) -> list[object]:
    seen: list[object] = []

    def remember(value: object) -> object:
        seen.append(value)
        return value

    app = typer.Typer(cls=group_class)

    @app.command("a", cls=command_class)
    def command(
        name: Annotated[str | None, typer.Option("--name", callback=remember)] = None,
        count: Annotated[int | None, typer.Option("--count", callback=remember)] = None,
        kinds: Annotated[list[str] | None, typer.Option("--kind", callback=remember)] = None,
    ) -> None:
        seen.append((name, count, kinds))

    @app.command("b", cls=command_class)
    def other() -> None: ...

    command_line = typer.main.get_command(app)
    command_line.main(["a"], standalone_mode=False)
    command_line.main(["a", "--name", "x", "--count", "3", "--kind", "k"], standalone_mode=False)
    return seen


def test_an_option_runs_its_callback_with_what_typer_would_give_it() -> None:
    """No option of kronobarn but `--help` has a callback; one that had would still see its
    value, coerced or not, left out or given, as with Typer's own classes."""
    ours = _callbacks_seen(i18n.Command, i18n.Group)
    assert ours == _callbacks_seen(TyperCommand, TyperGroup)
    assert ours == [None, None, None, (None, None, None), "x", 3, ["k"], ("x", 3, ["k"])]
