"""What the walk shows between its questions: sections, guidance, contact routes, items, outcomes.

Nothing here asks: these are rich panels and lines, with every typed text escaped (`safe`).
"""

from __future__ import annotations

import shlex
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from kronobarn_cli.interactive.widgets import safe
from kronobarn_cli.support.lazy import LazyModule
from kronobarn_cli.support.text import swedish_date

# The first question of `new-case` is drawn before the case model and the checklists exist:
# they are imported when first used.
if TYPE_CHECKING:
    from kronobarn_cli.checklists import schema as checklists
    from kronobarn_cli.checklists import vocabulary
    from kronobarn_cli.checklists.schema import (
        FieldSpec,
        Outcome,
        Section,
        Step,
        Workflow,
    )
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain import consent, engine, rules
    from kronobarn_cli.domain.case import Case, JournalEntry
    from kronobarn_cli.domain.meeting import Meeting
    from kronobarn_cli.interactive.walk import Walk
else:
    vocabulary = LazyModule("kronobarn_cli.checklists.vocabulary")
    cases = LazyModule("kronobarn_cli.domain.case")
    checklists = LazyModule("kronobarn_cli.checklists.schema")
    consent = LazyModule("kronobarn_cli.domain.consent")
    engine = LazyModule("kronobarn_cli.domain.engine")
    rules = LazyModule("kronobarn_cli.domain.rules")

STALE_ENTRIES_SHOWN = 5
"""Another session's changes a walk lists when it reads the case again; `log` has them all."""


class Screens:
    """The panels and lines of a walk, printed on its console."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _say(self, message: str, style: str = "") -> None:
        self.console.print(Text(message, style=style))

    def show_section(self, section: Section) -> None:
        body = Text()
        if section.intro:
            body.append(section.intro.strip() + "\n")
        for line in section.guidance:
            body.append("! " + line + "\n", style="bold")
        for line in section.seed:
            body.append("• " + line + "\n", style="dim")
        body.rstrip()
        title = f"Avsnitt {section.number}: {section.title}"
        if body.plain:
            self.console.print(Panel(body, title=title, title_align="left"))
        else:
            self.console.rule(Text(title, style="bold"), align="left")

    def show_guidance(self, spec: FieldSpec, item: dict[str, Any] | None = None) -> None:
        relevant = spec.seed_when is None or engine.holds(
            spec.seed_when, item or {}, engine.Facts()
        )
        if spec.seed and relevant:
            body = Text("\n".join(spec.seed), style="dim")
            self.console.print(Panel(body, title="Ur arbetsgången", title_align="left"))
        if spec.help:
            self._say(spec.help, "italic")

    def show_contact_routes(self, org: dict[str, str], workflow: Workflow) -> None:
        entry = workflow.organisation(org["id"])
        contact = entry.contact if entry is not None else None
        routes = [
            (label, value)
            for label, value in (
                ("Mejl", contact.email if contact else ""),
                ("Telefon", contact.phone if contact else ""),
                ("Post", contact.address if contact else ""),
            )
            if value
        ]
        text = Text(f"Kontaktvägar till {org['name']}: ", style="bold")
        if routes:
            text += safe("; ".join(f"{label} {value}" for label, value in routes))
        else:
            text += Text(
                "saknas i katalogen; se Kontaktvägar inom Kronobarnsmodellen.", style="italic"
            )
        self.console.print(text)

    def show_presentation_order(self, walk: Walk) -> None:
        order = walk.presentation_order()
        body = Text()
        if walk.physical_meeting():
            body += Text("Låt familjen sätta sig först i rummet.\n")
        body += Text("Presentationsordning:\n", style="bold")
        for number, name in enumerate(order, 1):
            body += Text(f"  {number}. ") + safe(name) + Text("\n")
        body.rstrip()
        self.console.print(Panel(body, title="Mötesguide", title_align="left"))

    def show_automatic(self, step: Step, walk: Walk, value: Any) -> None:
        """What the walk records without asking: guidance to follow, or a known answer."""
        if step.kind == "info":
            self.show_guidance(step)
            if step.show == "presentation-order":
                self.show_presentation_order(walk)
            self._say(f"• {step.prompt}", "bold")
            return
        shown = display_value(step, value, walk.workflow)
        if shown:
            self.console.print(Text(f"{step.prompt}: ", style="bold") + safe(shown))

    def item_summary(self, step: Step, item: dict[str, Any], walk: Walk) -> str:
        parts = [display_value(spec, item[spec.id], walk.workflow, item) for spec in step.fields
                 if spec.id in item]  # fmt: skip
        return " · ".join(p for p in parts if p)

    def show_item(self, step: Step, item: dict[str, Any], walk: Walk) -> None:
        self.console.print(Text("  • ") + safe(self.item_summary(step, item, walk)))

    def show_header(self, walk: Walk) -> None:
        """Where a resumed walk stands: the child as recorded, the section, what comes next."""
        case = walk.case
        born = f" (född {case.child.birth_year})" if case.child.birth_year else ""
        body = Text("Barn: ", style="bold") + safe(case.child.name + born)
        status = consent.status_on(case, walk.today)
        body += Text(f"\nStatus: {cases.STATUS_LABELS[status]}")
        pos = walk.position()
        meeting = walk.meeting
        if meeting is not None:
            body += Text(f"\nMöte {meeting.number}")
        if pos.step is not None:
            body += Text(f"\nAvsnitt {pos.section.number}: {pos.section.title}")
            body += Text("\nNu: ", style="bold") + safe(walk.progress() or pos.step.prompt)
        self.console.print(Panel(body, title=f"Ärende {case.id}", title_align="left"))

    def show_changes(self, added: list[JournalEntry], case_id: str) -> None:
        """Another session's changes, as `kronobarn log` says them (no typed text)."""
        if not added:
            return
        self._say("Ändrat i den andra sessionen:")
        shown = added[-STALE_ENTRIES_SHOWN:]
        for entry in shown:
            self.console.print(Text("  • ") + safe(_journal_line(entry)))
        if len(added) > len(shown):
            more = len(added) - len(shown)
            self._say(f"  … och {more} till (kronobarn log {case_id}).")

    def show_outcome(self, case: Case, outcome: Outcome | None, workflow: Workflow) -> None:
        if outcome is None:
            return
        body = Text(outcome.text.strip())
        body.append(f"\n\nStatus: {cases.STATUS_LABELS[case.status]}", style="bold")
        if case.status == "vantar-pa-samtycke":
            scope = consent.ConsentScope.of(case, date.today())
            if not scope.complete():
                body.append(f"\nSamtycke saknas från: {scope.missing_words()}")
        self.console.print(Panel(body, title=outcome.title, title_align="left"))
        self.show_documentation_lines(case)

    def show_meeting_done(self, case: Case, meeting: Meeting) -> None:
        body = Text(f"Möte {meeting.number} är registrerat.")
        if meeting.coordinator is not None:
            body += Text("\nSamordnare till nästa möte: ") + safe(meeting.coordinator.name)
        if meeting.next_meeting_text is not None:
            body += Text("\nNästa möte: ") + safe(meeting.next_meeting_text)
        body += Text(f"\n\nNästa möte startar du med: kronobarn follow-up {case.id}")
        handover = _handover_command(case, meeting)
        if handover is not None:
            body += Text("\nLämna över samordningen med: ") + safe(handover)
        waiting = [c for c in meeting.copies if not c.handled]
        if waiting:
            first = waiting[0].organisation
            party = first.id
            if party == vocabulary.OTHER_ORGANISATION:
                party = f"{party}:{first.name}"
            body += (
                Text(
                    "\nNär en kopia av planen har skickats eller kommit fram: "
                    f"kronobarn plan {case.id} copy "
                )
                + safe(shlex.quote(party))
                + Text(" --sent (eller --received)")
            )
        self.console.print(Panel(body, title="Barnets plan är sparad", title_align="left"))
        self.show_documentation_lines(case)

    def show_documentation_lines(self, case: Case) -> None:
        lines = rules.documentation_lines(case.decision, case.consents)
        if lines:
            self._say("Att skriva i din dokumentation:", "bold")
            for line in lines:
                self.console.print(safe(line))


def _handover_command(case: Case, meeting: Meeting) -> str | None:
    """`kronobarn handover ID --to ORG` when another organisation than the one holding the case
    coordinates from the next meeting on; None when the coordination stays (or who holds the
    case is not known)."""
    coordinator, holder = meeting.coordinator, case.holder
    if coordinator is None or holder is None or coordinator.key() == holder.key():
        return None
    to = coordinator.id
    if to == vocabulary.OTHER_ORGANISATION:
        to = f"{to}:{coordinator.name}"
    return f"kronobarn handover {case.id} --to {shlex.quote(to)}"


def _journal_line(entry: JournalEntry) -> str:
    """One journal entry as `kronobarn log` shows it: when, who, which command, what, fields."""
    who = entry.user or "okänd användare"
    if entry.command:
        who += f" ({entry.command})"
    fields = f" [{', '.join(entry.fields)}]" if entry.fields else ""
    return f"{entry.at:%Y-%m-%d %H:%M} {who}: {entry.text}{fields}"


def item_header(step: Step, item: dict[str, Any], number: int, workflow: Workflow) -> str:
    """`Insats i Barnets plan (2)`, or for one item per participant or area, its name."""
    first = item.get(step.fields[0].id) if step.for_each else None
    if isinstance(first, dict):
        return f"{step.prompt}: {first.get('name', '')}"
    area = workflow.area(first) if isinstance(first, str) else None
    if area is not None:
        return f"{step.prompt}: {area.name}"
    return f"{step.prompt} ({number})"


def prompt_text(spec: FieldSpec, item: dict[str, Any]) -> str:
    """The question, naming the item's party where the checklist writes `{part}`."""
    org = next((v for v in item.values() if isinstance(v, dict) and "name" in v), None)
    return spec.prompt.replace("{part}", str(org["name"]) if org else "parten")


def display_value(
    spec: FieldSpec, value: Any, workflow: Workflow, item: dict[str, Any] | None = None
) -> str:
    """An answer in words, as the walk echoes it."""
    if isinstance(value, bool):
        return f"{prompt_text(spec, item or {}).rstrip('?')}: {'ja' if value else 'nej'}"
    if spec.kind == "select":
        return spec.option_label(str(value))
    if spec.kind == "date":
        return swedish_date(date.fromisoformat(str(value)))
    if spec.kind == "area":
        area = workflow.area(str(value))
        return area.name if area else str(value)
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, list):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    return str(value)
