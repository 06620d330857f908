"""The documented JSON shape of `list --json`: one row per case."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_jsonable_python

from kronobarn_cli.checklists.vocabulary import CaseStatus
from kronobarn_cli.domain.case import STATUS_LABELS, Case
from kronobarn_cli.domain.consent import status_on


class ListedCase(BaseModel):
    """One row of `list`; the documented JSON shape of `list --json`."""

    id: str
    child: str
    status: CaseStatus
    status_text: str
    meetings: int
    updated: datetime

    @classmethod
    def of(cls, case: Case, day: date) -> ListedCase:
        """The row as the case stands on `day` (a consent run out makes it wait for consent)."""
        status = status_on(case, day)
        return cls(
            id=case.id,
            child=case.child.name,
            status=status,
            status_text=STATUS_LABELS[status],
            meetings=len(case.meetings),
            updated=case.updated,
        )

    @staticmethod
    def json_row(case: Case, status: CaseStatus) -> dict[str, Any]:
        """`of(case, day).model_dump(mode="json")`, given the case's `status_on` that day,
        without building the model: the cold `list` writes one for every case."""
        return {
            "id": case.id,
            "child": case.child.name,
            "status": status,
            "status_text": STATUS_LABELS[status],
            "meetings": len(case.meetings),
            "updated": to_jsonable_python(case.updated),  # pydantic's own way with a datetime
        }


LISTED_CASES = TypeAdapter(list[ListedCase])
