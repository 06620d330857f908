"""Every export `kronobarn export` writes, by name: Barnets plan and the invitation letters
(Markdown, plain text; their data for the PDF too), the consent note and the calendar file.

Each document has its module (`plan_export`, `invitation_export`, `calendar_export`); wording and
layout live in templates (`templates/*.j2`, or a county's own directory), rendered and escaped by
`templating`. The consent note, a few lines with no template, is here.
"""

from __future__ import annotations

from kronobarn_cli.domain import rules
from kronobarn_cli.domain.case import Case
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.render.calendar_export import calendar
from kronobarn_cli.render.invitation_export import invitation_context, invitations
from kronobarn_cli.render.plan_export import coordinator_contact, plan, plan_context, plan_meeting
from kronobarn_cli.render.templating import (
    TEXT_WIDTH,
    Escaped,
    Format,
    markdown_cell,
    markdown_text,
    plain_text,
    template_dir,
    wrap_text,
)

__all__ = [
    "TEXT_WIDTH",
    "Escaped",
    "Format",
    "calendar",
    "consent_note",
    "coordinator_contact",
    "invitation_context",
    "invitations",
    "markdown_cell",
    "markdown_text",
    "plain_text",
    "plan",
    "plan_context",
    "plan_meeting",
    "template_dir",
    "wrap_text",
]


def consent_note(case: Case) -> str:
    """The documentation lines for oral consent (and a referral) and for every withdrawal,
    ready to paste."""
    lines = rules.documentation_lines(case.decision, case.consents)
    lines += [rules.withdrawal_line(w, case.consents) for w in case.withdrawals]
    if not lines:
        raise KronobarnError(f"Ärendet {case.id} har inget muntligt samtycke att dokumentera.")
    return "\n".join(plain_text(line) for line in lines) + "\n"
