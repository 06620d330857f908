"""The tables of `list` and `remind`: the quick ways a row is drawn (one line, or wrapping only
in the wrapping column) give the same lines as the general way, which measures every piece."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Column
from rich.table import Table as RichTable

from kronobarn_cli.render.outputs import minute
from kronobarn_cli.render.tables import Red, Table, cell
from kronobarn_cli.support.text import terminal_safe

WORDS = st.text(alphabet="abcåäö ABC-12", min_size=0, max_size=40)
WIDE = st.text(alphabet="ab 漢字é\u0301", min_size=1, max_size=20)


@st.composite
def tables(draw: st.DrawFn) -> tuple[Table, list[list[str]]]:
    columns = draw(st.integers(2, 6))
    headers = [f"Kol{i}" for i in range(columns)]
    wrap = draw(st.integers(0, columns - 1))
    color = draw(st.booleans())
    width = draw(st.integers(20, 140))
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        row = []
        for i in range(columns):
            text = draw(st.one_of(WORDS, WIDE) if draw(st.booleans()) else WORDS)
            row.append(Red(text) if i != wrap and draw(st.booleans()) else text)
        rows.append(row)
    page = draw(st.integers(1, 5))
    return Table(headers, width=width, wrap=wrap, color=color, page=page), rows


@settings(max_examples=300, deadline=None)
@given(made=tables())
def test_every_quick_way_draws_a_row_as_the_general_way_does(
    made: tuple[Table, list[list[str]]],
) -> None:
    table, rows = made
    drawn = list(table.lines("Titel", rows))
    widths = table._widths(rows[: table.page])
    red, reset = ("\x1b[31m", "\x1b[0m") if table.color else ("", "")
    general = [line for row in rows for line in Table._wrapped(row, widths, red, reset)]
    assert drawn[4:-1] == general


CELL = st.text(alphabet="abcåäöABC-12", min_size=0, max_size=20)


@settings(max_examples=100, deadline=None)
@given(
    columns=st.integers(2, 5),
    wrap=st.integers(0, 4),
    width=st.integers(100, 140),
    cells=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=8),
)
def test_a_table_that_fits_is_what_the_installed_rich_draws_with_heavy_head(
    columns: int, wrap: int, width: int, cells: list[list[str]]
) -> None:
    """What `tables.Table` stands in for (docs/architecture.md, "Framework internals"): the
    installed rich's `Table(box=HEAVY_HEAD)`, spread to the width through the wrapping column,
    draws the same lines wherever no cell has to wrap. A rich release that draws its box
    otherwise fails here."""
    wrap %= columns
    headers = [f"Kol{i}" for i in range(columns)]
    rows = [row[:columns] for row in cells]
    ours = list(Table(headers, width=width, wrap=wrap, color=False).lines("Titel", rows))
    console = Console(file=io.StringIO(), width=width, color_system=None)
    theirs = RichTable(
        *(Column(h, ratio=1 if i == wrap else None) for i, h in enumerate(headers)),
        title="Titel", title_justify="left", box=box.HEAVY_HEAD, expand=True,
    )  # fmt: skip
    for row in rows:
        theirs.add_row(*row)
    console.print(theirs)
    assert ours == [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31),
        timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=2))]),
    ),
    st.sampled_from(["seconds", "microseconds", "minutes"]),
    st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_the_list_tables_minute_is_what_strftime_writes(
    moment: datetime, timespec: str, zulu: bool
) -> None:
    """The `list` table's quick cut of a moment to the minute writes what parsing it and
    `strftime` write, in every form `fromisoformat` reads (years before 1000, offsets, Z)."""
    written = moment.isoformat(timespec=timespec)
    if zulu and written.endswith("+00:00"):
        written = written.removesuffix("+00:00") + "Z"
    assert minute(written) == datetime.fromisoformat(written).strftime("%Y-%m-%d %H:%M")


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(), st.text(alphabet="ab\t\n\x1b\x7f\x9b\u202e\u2028 é")))
def test_a_cell_is_typed_text_with_every_control_replaced(value: str | None) -> None:
    """The quick way (printable text as it is) gives what replacing every control does."""
    assert cell(value) == terminal_safe(value or "–").replace("\t", " ")
