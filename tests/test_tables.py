"""The tables of `list` and `remind`: the quick ways a row is drawn (one line, or wrapping only
in the wrapping column) give the same lines as the general way, which measures every piece."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kronobarn_cli.render.tables import Red, Table

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
