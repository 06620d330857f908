"""The pieces `show`'s rich views are built from: typed text made safe, label-and-value grids."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.meeting import View
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.support.text import terminal_safe


def safe_text(value: str | None) -> Text:
    """Typed text as rich Text, never markup, control characters neutralised; `–` for none."""
    return Text(terminal_safe(value or "–"))


def org_names(orgs: Iterable[OrganisationRef]) -> Text:
    return safe_text(", ".join(o.name for o in orgs) or None)


def facts(rows: list[tuple[str, Text | str]]) -> Table:
    """Label and value rows, the label bold."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value if isinstance(value, Text) else safe_text(value))
    return table


def area_names(workflow: Workflow, ids: list[str]) -> Text:
    return safe_text(", ".join(workflow.area_names(ids)) or None)


def view_text(view: View | None) -> Text:
    if view is None:
        return safe_text(None)
    if not view.expressed:
        return Text("Inga åsikter uttrycktes.", style="italic")
    return safe_text(view.text)


def yes_no(value: bool | None) -> str:
    return "–" if value is None else ("ja" if value else "nej")
