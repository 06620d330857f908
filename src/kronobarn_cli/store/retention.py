"""Gallring: which cases a retention rule lets go, and deleting them from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kronobarn_cli.domain.case import Case
from kronobarn_cli.errors import CaseFileError, CaseLockedError, KronobarnError, UnknownCaseError
from kronobarn_cli.store import Store

NOT_ACTIVATED = ("ej-aktiverad", "ej-aktiverad-hanvisad")


@dataclass(frozen=True)
class RetentionRule:
    """Closed before one date, not activated and last changed before another, or handed over
    to another organisation before a third."""

    closed_before: date | None = None
    not_activated_before: date | None = None
    handed_over_before: date | None = None

    def lets_go(self, case: Case) -> bool:
        """Never a case being assessed, waiting for consent or activated: only a closed one, one
        that was not activated (referred or not), or the read-only copy of one handed over."""
        if case.handed_over is not None:
            limit = self.handed_over_before
            return limit is not None and case.handed_over.on.date() < limit
        if case.closed is not None:
            return self.closed_before is not None and case.closed.on < self.closed_before
        if case.status in NOT_ACTIVATED:
            limit = self.not_activated_before
            return limit is not None and case.updated.date() < limit
        return False


@dataclass
class Purge:
    due: list[Case] = field(default_factory=list)
    """The cases the rule lets go, as they were read."""
    deleted: list[Case] = field(default_factory=list)
    kept: list[Case] = field(default_factory=list)
    """Changed since they were read, so that the rule no longer lets them go."""
    problems: list[KronobarnError] = field(default_factory=list)
    """Case files that cannot be read, cases open in another session: nothing done to them."""


def purge(store: Store, rule: RetentionRule, *, delete: bool) -> Purge:
    """The cases `rule` lets go; with `delete`, each is deleted under its lock after the rule
    is asked again about the case as it is then."""
    result = Purge()
    for item in store.iter_cases():
        if isinstance(item, CaseFileError):
            result.problems.append(item)
        elif rule.lets_go(item):
            result.due.append(item)
    if not delete:
        return result
    for case in result.due:
        try:
            gone = store.delete(case.id, only_if=rule.lets_go)
        except UnknownCaseError:
            continue  # deleted by another session meanwhile
        except (CaseFileError, CaseLockedError) as exc:
            result.problems.append(exc)
            continue
        (result.deleted if gone else result.kept).append(case)
    return result
