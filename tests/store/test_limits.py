"""The limits of the answers path held against an imported case (`store/limits.py`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain.case import Case, Child
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.store import limits
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import NOW, fixed_clock
from ..scenario import realistic_case


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


# -- the quick check of a case's JSON text (`checked_json`, `db import`) --------------------------


def _text(data: Any) -> bytes:
    """JSON as pydantic-core writes it: compact, non-ASCII as it is."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _nested(depth: int, inner: Any = "x") -> Any:
    value = inner
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def _breaks(data: dict[str, Any]) -> bool:
    try:
        limits.check_case_data(data, "fil.json")
    except KronobarnError:
        return True
    return False


LONG = limits.MAX_TEXT
OVER = [
    {"notes": ["x" * (LONG + 1)]},
    {"notes": ['"' * (LONG + 1)]},  # each one two bytes escaped: no quote is a string's end
    {"notes": ["\\" * (LONG + 1)]},
    {"notes": ['\\"' * (LONG // 2 + 1)]},
    {"notes": ["\n" * (LONG + 1)]},
    {"notes": ["å" * (LONG + 1)]},
    {"k" * (LONG + 1): 1},
    {"notes": _nested(limits.MAX_DEPTH)},
    {"notes": _nested(limits.MAX_DEPTH, [])},
    {"notes": _nested(limits.MAX_DEPTH - 1, ["]]]]" * 30])},
    {"answers": {"a": _nested(limits.MAX_DEPTH - 1)}},
    {"meetings": [{"answers": {"a": _nested(limits.MAX_DEPTH - 3)}}]},
    {"notes": list(range(limits.MAX_NODES + 1))},
    {"answers": {"a": [[n] for n in range(limits.MAX_NODES // 2 + 1)]}},
]
WITHIN = [
    {"notes": ["x" * LONG, "å" * LONG]},
    {"notes": _nested(limits.MAX_DEPTH - 1)},
    {"notes": ["[[[[{{{{", "]]]]}}}}"]},
    {"notes": ['a \\" b', "slut \\\\", '"citat"']},
    {"notes": list(range(limits.MAX_NODES - 10))},
    {"notes": ["ä\n" * (LONG // 2)]},  # longer escaped than MAX_TEXT: the exact check decides
]


@pytest.mark.parametrize("data", OVER, ids=range(len(OVER)))
def test_the_quick_check_of_a_case_json_clears_no_case_over_a_limit(data: dict[str, Any]) -> None:
    case = {"id": "22cp3a", **data}
    assert _breaks(case)
    assert not limits._clearly_fits(_text(case))


@pytest.mark.parametrize("data", WITHIN, ids=range(len(WITHIN)))
def test_cases_within_the_limits_pass_the_exact_check_whatever_the_quick_one_says(
    data: dict[str, Any],
) -> None:
    case = {"id": "22cp3a", **data}
    assert not _breaks(case)
    if data is WITHIN[0] or data is WITHIN[3]:
        assert limits._clearly_fits(_text(case))


JSON_TEXT = st.text(alphabet='ab å"\\[]{}\n,:', max_size=40) | st.sampled_from(
    ["x" * LONG, '"' * (LONG // 2 + 1), "ä" * (LONG + 1), "x" * (LONG + 1)]
)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(JSON_TEXT, inner, max_size=4),
    max_leaves=30,
)


@given(st.dictionaries(st.sampled_from(["answers", "pending", "notes", "child"]), VALUES))
@settings(max_examples=300, deadline=None)
def test_what_the_quick_check_clears_the_exact_check_clears(data: dict[str, Any]) -> None:
    if limits._clearly_fits(_text(data)):
        assert not _breaks(data)


def test_checked_json_refuses_a_case_over_a_limit_in_the_words_of_the_exact_check() -> None:
    case = Case(id="22cp3a", created=NOW, updated=NOW, child=Child(name="Barn", birth_year=2015))
    assert json.loads(limits.checked_json(case, lambda: "fil.json")) == case.model_dump(mode="json")
    case.answers = {"behov": {"uppmarksammat": 'x "' * LONG}}
    with pytest.raises(KronobarnError) as quick:
        limits.checked_json(case, lambda: "fil.json")
    with pytest.raises(KronobarnError) as exact:
        limits.check_case_data(case.model_dump(mode="json"), "fil.json")
    assert quick.value.message == exact.value.message
    assert "answers.behov.uppmarksammat: texten är för lång" in quick.value.message


def test_checked_json_of_a_realistic_case_builds_no_dump(
    monkeypatch: pytest.MonkeyPatch, store: CaseStore, workflow: Workflow
) -> None:
    """The text alone clears a case as the tool writes it: the exact check never runs."""
    case = realistic_case(store, workflow, fixed_clock).case

    def exact(*_: Any) -> None:
        raise AssertionError("the exact check ran on a case within the limits")

    monkeypatch.setattr(limits, "check_case_data", exact)
    assert json.loads(limits.checked_json(case, lambda: "fil.json")) == case.model_dump(mode="json")
