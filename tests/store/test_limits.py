"""The limits of the answers path held against an imported case (`store/limits.py`)."""

from __future__ import annotations

from typing import Any

import pytest

from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.store import limits


def _case(text: str) -> dict[str, Any]:
    return {
        "id": "22cp3a",
        "answers": {"behov": {"uppmarksammat": "kort"}},
        "meetings": [{"answers": {"samtycke": {"ja": True}}, "notes": [text]}],
    }


def test_a_case_within_the_limits_is_checked_without_naming_places(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pass that builds a path at every value runs only when a limit is broken."""

    def named(*_: Any) -> None:
        raise AssertionError("the pass naming places ran on a case within the limits")

    monkeypatch.setattr(limits, "_check_values", named)
    limits.check_case_data(_case("kort"), "fil.json")


def test_a_case_over_a_limit_is_refused_naming_where() -> None:
    with pytest.raises(KronobarnError) as refused:
        limits.check_case_data(_case("x" * (limits.MAX_TEXT + 1)), "fil.json")
    assert refused.value.message == (
        "fil.json: ärendet i filen går över en gräns för vad kronobarn tar emot "
        f"(meetings[0].notes[0]: texten är för lång, högst {limits._number(limits.MAX_TEXT)} "
        "tecken). Inget sparades."
    )


def test_a_too_long_field_name_is_named_by_its_place() -> None:
    data = {"id": "22cp3a", "child": {"k" * (limits.MAX_TEXT + 1): 1}}
    with pytest.raises(KronobarnError, match=r"\(child: ett för långt namn på ett fält\)"):
        limits.check_case_data(data, "fil.json")
