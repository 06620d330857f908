"""The modules the commands use, each imported when a command first uses it (`LazyModule`).

What a command needs is imported when it runs: `--help` needs none of our modules, and `list` and
`remind` over an up-to-date summary index need no case model (pydantic), prompts, templates or
encryption (each costs tens of milliseconds at every start). The command groups take their
modules from here (`from kronobarn_cli.cli.lazy_modules import cases, views`), so the names and
the pattern are written once; nothing here is imported until a name is used.
"""

from typing import TYPE_CHECKING

from kronobarn_cli.support.lazy import LazyModule

if TYPE_CHECKING:
    import pydantic
    from rich import text as rich_text

    from kronobarn_cli.checklists import loader, organisation_names, vocabulary
    from kronobarn_cli.checklists import location as checklist_location
    from kronobarn_cli.checklists import schema as checklists
    from kronobarn_cli.domain import answer_checks, consent, engine, parts, summaries
    from kronobarn_cli.domain import case as cases
    from kronobarn_cli.domain import query as remind_options
    from kronobarn_cli.domain import reminders as remind_rules
    from kronobarn_cli.interactive import copies as plan_copies
    from kronobarn_cli.interactive import handover as handovers
    from kronobarn_cli.interactive import passphrases
    from kronobarn_cli.interactive import prompter as prompts
    from kronobarn_cli.interactive import replay as answers_file
    from kronobarn_cli.interactive import walk as session
    from kronobarn_cli.render import export as exports
    from kronobarn_cli.render import outputs, views
    from kronobarn_cli.render import pdf as pdfs
    from kronobarn_cli.store import moves as store_moves
    from kronobarn_cli.store import postgres as pgstore
    from kronobarn_cli.store import profile as profiles
    from kronobarn_cli.store import retention, summary
    from kronobarn_cli.support import validation
else:
    vocabulary = LazyModule("kronobarn_cli.checklists.vocabulary")
    parts = LazyModule("kronobarn_cli.domain.parts")
    loader = LazyModule("kronobarn_cli.checklists.loader")
    checklist_location = LazyModule("kronobarn_cli.checklists.location")
    organisation_names = LazyModule("kronobarn_cli.checklists.organisation_names")
    answer_checks = LazyModule("kronobarn_cli.domain.answer_checks")
    answers_file = LazyModule("kronobarn_cli.interactive.replay")
    cases = LazyModule("kronobarn_cli.domain.case")
    checklists = LazyModule("kronobarn_cli.checklists.schema")
    consent = LazyModule("kronobarn_cli.domain.consent")
    engine = LazyModule("kronobarn_cli.domain.engine")
    exports = LazyModule("kronobarn_cli.render.export")
    handovers = LazyModule("kronobarn_cli.interactive.handover")
    outputs = LazyModule("kronobarn_cli.render.outputs")
    passphrases = LazyModule("kronobarn_cli.interactive.passphrases")
    pdfs = LazyModule("kronobarn_cli.render.pdf")
    pgstore = LazyModule("kronobarn_cli.store.postgres")
    plan_copies = LazyModule("kronobarn_cli.interactive.copies")
    profiles = LazyModule("kronobarn_cli.store.profile")
    prompts = LazyModule("kronobarn_cli.interactive.prompter")
    pydantic = LazyModule("pydantic")
    remind_options = LazyModule("kronobarn_cli.domain.query")
    remind_rules = LazyModule("kronobarn_cli.domain.reminders")
    retention = LazyModule("kronobarn_cli.store.retention")
    rich_text = LazyModule("rich.text")
    session = LazyModule("kronobarn_cli.interactive.walk")
    store_moves = LazyModule("kronobarn_cli.store.moves")
    summaries = LazyModule("kronobarn_cli.domain.summaries")
    summary = LazyModule("kronobarn_cli.store.summary")
    validation = LazyModule("kronobarn_cli.support.validation")
    views = LazyModule("kronobarn_cli.render.views")

__all__ = [
    "answer_checks",
    "answers_file",
    "cases",
    "checklist_location",
    "checklists",
    "consent",
    "engine",
    "exports",
    "handovers",
    "loader",
    "organisation_names",
    "outputs",
    "parts",
    "passphrases",
    "pdfs",
    "pgstore",
    "plan_copies",
    "profiles",
    "prompts",
    "pydantic",
    "remind_options",
    "remind_rules",
    "retention",
    "rich_text",
    "session",
    "store_moves",
    "summaries",
    "summary",
    "validation",
    "views",
    "vocabulary",
]
