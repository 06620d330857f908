"""Dates as people type them: what is accepted, what is refused, and how it is read."""

from __future__ import annotations

from datetime import date

import pytest

from kronobarn_cli.errors import AnswerError
from kronobarn_cli.support import dates

TODAY = date(2026, 11, 23)  # a Monday


@pytest.mark.parametrize(
    ("typed", "direction", "understood"),
    [
        ("2026-11-5", "any", date(2026, 11, 5)),
        ("20261105", "any", date(2026, 11, 5)),
        ("2026-12-05", "future", date(2026, 12, 5)),
        ("5/12", "future", date(2026, 12, 5)),
        ("5/11", "future", date(2027, 11, 5)),  # the next 5 November
        ("5/11", "past", date(2026, 11, 5)),  # a consent date: the latest 5 November
        ("23/11", "any", date(2026, 11, 23)),
        ("5/12/27", "any", date(2027, 12, 5)),
        ("5 nov", "past", date(2026, 11, 5)),
        ("5 dec", "future", date(2026, 12, 5)),
        ("24 December", "future", date(2026, 12, 24)),
        ("5 dec. 2027", "any", date(2027, 12, 5)),
        ("idag", "any", TODAY),
        ("i dag", "past", TODAY),
        ("imorgon", "future", date(2026, 11, 24)),
        ("igår", "past", date(2026, 11, 22)),
        ("om 2 veckor", "future", date(2026, 12, 7)),
        ("om tre dagar", "future", date(2026, 11, 26)),
        ("om 1 månad", "future", date(2026, 12, 23)),
        ("29/2", "future", date(2028, 2, 29)),
    ],
)
def test_dates_are_read_as_people_type_them(typed: str, direction: str, understood: date) -> None:
    assert dates.parse_date(typed, TODAY, direction) == understood  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed",
    ["", "2026-02-30", "31/11", "13/13", "5 nix", "snart", "om 2 år", "2026/11/05", "5-11"],
)
def test_what_cannot_be_read_one_way_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(AnswerError, match=r"Ogiltigt datum .*t\.ex\. 2026-12-05, 5/12, 5 dec"):
        dates.parse_date(typed, TODAY)


def test_a_date_may_carry_a_time() -> None:
    assert dates.split_time("20 dec 9.30") == ("20 dec", "9.30")
    assert dates.split_time("2026-12-20 kl. 13:15") == ("2026-12-20", "13:15")
    assert dates.split_time("5 dec 2027") == ("5 dec 2027", None)
    assert dates.split_time("idag") == ("idag", None)


@pytest.mark.parametrize(
    ("typed", "day", "time"),
    [
        ("om 2 veckor kl 13", "om 2 veckor", "13:00"),
        ("om 8 veckor 13.00", "om 8 veckor", "13:00"),
        ("20 dec 9.30", "20 dec", "09:30"),
        ("2027-01-20 kl. 13:00", "2027-01-20", "13:00"),
        ("idag klockan 8", "idag", "08:00"),
        ("15/4 kl.9", "15/4", "09:00"),
        ("5 dec 2027 kl 14.15", "5 dec 2027", "14:15"),
    ],
)
def test_a_time_is_read_after_any_date_form(typed: str, day: str, time: str) -> None:
    """The tool writes "kl. 13:00" and must read it, and an hour alone after "kl"."""
    found_day, found_time = dates.split_time(typed)
    assert (found_day, dates.parse_time(found_time or "", hour_alone=True)) == (day, time)
    dates.parse_date(found_day, TODAY)  # the rest is a date


@pytest.mark.parametrize("typed", ["25", "kl 24", "13.60", "nu", "9.3"])
def test_a_time_that_cannot_be_read_is_refused(typed: str) -> None:
    with pytest.raises(AnswerError, match="Ogiltig tid"):
        dates.parse_time(typed)


def test_a_place_may_follow_the_date_after_a_comma() -> None:
    assert dates.split_place("20 jan kl 13, Centralskolan rum 3") == (
        "20 jan kl 13",
        "Centralskolan rum 3",
    )
    assert dates.split_place("20 jan") == ("20 jan", None)
    assert dates.split_place("20 jan, ") == ("20 jan", None)
