"""Reminders over a store of generated cases with known due dates: kinds, filters, outputs."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from kronobarn_cli.domain import reminders as remind
from kronobarn_cli.domain.case import (
    Case,
    Child,
    Closure,
    Consent,
)
from kronobarn_cli.domain.meeting import Meeting, PlanAction, PlanCopy
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import KronobarnError
from kronobarn_cli.store.case_files import CaseStore

from ..helpers import Completed, in_process

TODAY = date(2026, 11, 23)
AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SKOLA = OrganisationRef(id="skola", name="Skola")
SOC = OrganisationRef(id="socialtjanst", name="Socialtjänst")
POLIS = OrganisationRef(id="polis", name="Polis")


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def consent() -> Consent:
    return Consent(giver="vardnadshavare-1", form="skriftlig", given_on=date(2026, 11, 1),
                   organisations=[SKOLA, SOC])  # fmt: skip


def action(what: str, org: OrganisationRef, due: int, status: str = "planerad") -> PlanAction:
    return PlanAction(what=what, organisation=org, due=day(due), area="trygg", status=status)  # type: ignore[arg-type]


def active_case(case_id: str, *, actions: list[PlanAction], next_meeting: int | None = 30,
                copies: tuple[bool, bool] = (True, True), extend: bool = False,
                coordinator: OrganisationRef = SKOLA) -> Case:  # fmt: skip
    meeting = Meeting(
        number=1, started=AT, finished=True, held_on=day(-10), attendees=[SKOLA, SOC],
        actions=actions,
        copies=[PlanCopy(organisation=SKOLA, method="utskriven", received=copies[0]),
                PlanCopy(organisation=SOC, method="post", received=copies[1])],
        coordinator=coordinator,
        next_meeting=day(next_meeting) if next_meeting is not None else None,
        next_participants=[SKOLA, POLIS] if extend else [SKOLA],
    )  # fmt: skip
    return Case(id=case_id, created=AT, updated=AT, child=Child(name=f"Barn {case_id}"),
                status="aktiverad", consents=[consent()], meetings=[meeting])  # fmt: skip


@pytest.fixture
def store(isolated: Path) -> CaseStore:
    store = CaseStore(isolated)
    cases = [
        active_case("aaaaaa", actions=[
            action("Förfallen", SKOLA, -3),
            action("Idag", SOC, 0),
            action("Fjorton dagar", SKOLA, 14),
            action("Femton dagar", SOC, 15),
            action("Klar sedan länge", SKOLA, -40, "klar"),
            action("Avbruten", SOC, -40, "avbruten"),
        ], next_meeting=7, coordinator=SOC),
        active_case("bbbbbb", actions=[action("Pågår", SOC, 60, "pagaende")],
                    next_meeting=-2, copies=(True, False), extend=True),
        Case(id="cccccc", created=datetime(2026, 11, 1, tzinfo=UTC), updated=AT,
             child=Child(name="Väntar"), status="vantar-pa-samtycke"),
        Case(id="dddddd", created=datetime(2026, 11, 20, tzinfo=UTC), updated=AT,
             child=Child(name="Väntar kort"), status="vantar-pa-samtycke"),
        Case(id="eeeeee", created=AT, updated=AT, child=Child(name="Utan möte"),
             status="aktiverad", consents=[consent()]),
        Case(id="ffffff", created=AT, updated=AT, child=Child(name="Avslutad"),
             status="avslutad", closed=Closure(on=TODAY, reason="Klart.")),
        Case(id="gggggg", created=AT, updated=AT, child=Child(name="Ej aktiverad"),
             status="ej-aktiverad"),
    ]  # fmt: skip
    for case in cases:
        store.save(case)
    return store


def query(**changes: object) -> remind.Query:
    base = remind.Query(today=TODAY, until=day(14))
    return remind.Query(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def found(store: CaseStore, **changes: object) -> list[tuple[str, str, str]]:
    items = remind.reminders(
        (c for c in store.iter_cases() if isinstance(c, Case)), query(**changes)
    )
    return [(r.case_id, r.kind, r.text) for r in items]


def test_every_kind_within_the_default_window(store: CaseStore) -> None:
    result = found(store)
    assert ("aaaaaa", "action", "Insats: Förfallen") in result
    assert ("aaaaaa", "action", "Insats: Idag") in result
    assert ("aaaaaa", "action", "Insats: Fjorton dagar") in result  # the last day is inside
    assert ("aaaaaa", "action", "Insats: Femton dagar") not in result  # one day past the window
    assert not any("Klar sedan" in t or "Avbruten" in t for _, _, t in result)
    assert ("aaaaaa", "meeting", "Nästa samverkansmöte den 30 november 2026.") in result
    assert ("bbbbbb", "meeting", "Nästa samverkansmöte den 21 november 2026.") in result
    assert ("bbbbbb", "copy", "Socialtjänst har inte fått sin kopia av Barnets plan.") in result
    extend = "Polis omfattas inte av samtycket (saknas från vårdnadshavaren): deltar i nästa möte"
    assert ("bbbbbb", "consent", extend) in result
    assert ("cccccc", "consent", "Väntar på samtycke från vårdnadshavaren.") in result
    assert not any(case == "dddddd" for case, _, _ in result)  # waited 3 days, 14 allowed
    assert ("eeeeee", "meeting", "Samverkan är aktiverad men inget möte är planerat.") in result
    assert not any(case in ("ffffff", "gggggg") for case, _, _ in result)  # closed, not active


def test_overdue_only(store: CaseStore) -> None:
    assert sorted(found(store, overdue_only=True)) == [
        ("aaaaaa", "action", "Insats: Förfallen"),
        (
            "bbbbbb",
            "consent",
            "Polis omfattas inte av samtycket (saknas från vårdnadshavaren): deltar i nästa möte",
        ),
        ("bbbbbb", "copy", "Socialtjänst har inte fått sin kopia av Barnets plan."),
        ("bbbbbb", "meeting", "Nästa samverkansmöte den 21 november 2026."),
        ("cccccc", "consent", "Väntar på samtycke från vårdnadshavaren."),
    ]


def test_filters_by_organisation_coordinator_case_and_kind(store: CaseStore) -> None:
    skola = found(store, organisation="skola")
    assert ("aaaaaa", "action", "Insats: Förfallen") in skola  # responsible
    assert (
        "bbbbbb",
        "meeting",
        "Nästa samverkansmöte den 21 november 2026.",
    ) in skola  # coordinates
    assert ("aaaaaa", "action", "Insats: Idag") not in skola
    as_coordinator = found(store, organisation="Skola", by_coordinator=True)
    assert {case for case, _, _ in as_coordinator} == {"bbbbbb"}
    assert {case for case, _, _ in found(store, case_id="bbbbbb")} == {"bbbbbb"}
    assert {kind for _, kind, _ in found(store, kinds=("copy",))} == {"copy"}


def test_window_can_be_days_weeks_months_or_a_date() -> None:
    assert remind.parse_within("14d", TODAY) == date(2026, 12, 7)
    assert remind.parse_within("2w", TODAY) == date(2026, 12, 7)
    assert remind.parse_within("1m", TODAY) == date(2026, 12, 23)
    assert remind.parse_within("2027-01-31", TODAY) == date(2027, 1, 31)
    for bad in ("två veckor", "14", "2026-11-01", "5y"):
        with pytest.raises(KronobarnError, match=r"[tT]idsfönst"):
            remind.parse_within(bad, TODAY)


def test_today_moves_the_evaluation(store: CaseStore) -> None:
    later = found(store, today=day(20), until=day(34))  # dddddd has now waited 23 days
    assert ("aaaaaa", "action", "Insats: Femton dagar") in later
    assert ("dddddd", "consent", "Väntar på samtycke från vårdnadshavaren.") in later


# -- the command -----------------------------------------------------------------------------------


def kronobarn(*args: str, stdin: str | None = "") -> Completed:
    return in_process(*args, stdin=stdin)


def test_json_output_matches_the_documented_schema(store: CaseStore) -> None:
    run = kronobarn("remind", "--today", TODAY.isoformat(), "--json")
    assert run.returncode == 0, run.stderr
    items = json.loads(run.stdout)
    schema = json.loads(kronobarn("schema", "reminder").stdout)
    properties = schema["items"]["$ref"].split("/")[-1]
    fields = schema["$defs"][properties]["properties"]
    assert items and all(set(item) == set(fields) for item in items)
    assert all(remind.Reminder.model_validate(item) for item in items)
    assert all(item["child"] is None for item in items)  # no names unless asked
    named = json.loads(
        kronobarn("remind", "--today", "2026-11-23", "--json", "--with-names").stdout
    )
    assert {item["child"] for item in named} >= {"Barn aaaaaa", "Väntar"}


def test_csv_output_parses_back(store: CaseStore) -> None:
    run = kronobarn("remind", "--today", "2026-11-23", "--format", "csv", "--kind", "action")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert {r["kind"] for r in rows} == {"action"}
    overdue = [r for r in rows if r["overdue"] == "true"]
    assert [(r["case_id"], r["due_date"], r["days_left"]) for r in overdue] == [
        ("aaaaaa", "2026-11-20", "-3")
    ]


def test_exit_code_is_zero_unless_fail_on_overdue(store: CaseStore) -> None:
    assert kronobarn("remind", "--today", "2026-11-23").returncode == 0
    assert kronobarn("remind", "--today", "2026-11-23", "--fail-on", "overdue").returncode == 1
    calm = kronobarn("remind", "--today", "2026-11-23", "--case", "eeeeee", "--fail-on", "overdue")
    assert calm.returncode == 0


def test_table_is_grouped_by_organisation(store: CaseStore) -> None:
    run = kronobarn("remind", "--today", "2026-11-23")
    assert run.returncode == 0
    for group in ("Skola", "Socialtjänst", "Utan ansvarig verksamhet"):
        assert group in run.stdout
    assert "Barn aaaaaa" not in run.stdout


@pytest.mark.parametrize(
    "args",
    [("--within", "snart"), ("--today", "i förrgår"), ("--kind", "brev"), ("--format", "xml"),
     ("--fail-on", "allt"), ("--case", "zzzzzz")],
)  # fmt: skip
def test_bad_options_are_one_swedish_line(store: CaseStore, args: tuple[str, ...]) -> None:
    run = kronobarn("remind", *args)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: ")


def test_settings_file_sets_the_default_window(store: CaseStore, isolated: Path) -> None:
    (isolated / "config.yaml").write_text("remind_within: 20d\nconsent_days: 30\n")
    run = kronobarn("remind", "--today", "2026-11-23", "--json")
    items = json.loads(run.stdout)
    assert any(i["text"] == "Insats: Femton dagar" for i in items)
    assert not any(i["case_id"] == "cccccc" for i in items)  # 22 days of 30
    (isolated / "config.yaml").write_text("remind_within: snart\n")
    broken = kronobarn("remind")
    assert broken.returncode == 1 and "config.yaml" in broken.stderr


def test_list_and_show_json(store: CaseStore) -> None:
    listed = json.loads(kronobarn("list", "--json").stdout)
    assert [c["id"] for c in listed] == ["aaaaaa", "bbbbbb", "cccccc", "dddddd", "eeeeee",
                                         "ffffff", "gggggg"]  # fmt: skip
    assert set(listed[0]) == {"id", "child", "status", "status_text", "meetings", "updated"}
    shown = json.loads(kronobarn("show", "bbbbbb", "--json").stdout)
    assert Case.model_validate(shown).meetings[0].next_participants == [SKOLA, POLIS]
    schema = json.loads(kronobarn("schema", "case").stdout)
    assert schema["title"] == "Case" and "meetings" in schema["properties"]


@pytest.mark.parametrize("coordinator", [(), ("--coordinator",)])
def test_organisation_is_taken_by_id_or_name_in_any_case_or_diacritics(
    store: CaseStore, coordinator: tuple[str, ...]
) -> None:
    """`--organisation socialtjanst`, `SOCIALTJANST` or `Socialtjänst`: the same reminders, as
    responsible and as coordinator, from the cases and from the summary index alike."""

    def shown(typed: str) -> list[tuple[str, str]]:
        run = kronobarn("remind", "--today", TODAY.isoformat(), "--json",
                        "--organisation", typed, *coordinator)  # fmt: skip
        assert run.returncode == 0, run.stderr
        return [(item["case_id"], item["text"]) for item in json.loads(run.stdout)]

    expected = shown("Socialtjänst")
    assert ("aaaaaa", "Insats: Idag") in expected or coordinator
    assert any(case == "aaaaaa" for case, _ in expected)
    for typed in ("socialtjanst", "SOCIALTJANST", "socialtjänst", "Socialtjanst"):
        assert shown(typed) == expected, typed


def test_a_meeting_being_planned_is_under_the_organisation_that_holds_the_case(
    isolated: Path,
) -> None:
    """Before any meeting has chosen a coordinator, the organisation that opened the case (or
    took it over) coordinates: its meeting is not "Utan ansvarig verksamhet"."""
    store = CaseStore(isolated)
    planned = Meeting(number=1, started=AT, held_on=day(5), starts_at="13:00")
    store.save(
        Case(
            id="hhhhhh",
            created=AT,
            updated=AT,
            child=Child(name="Planeras"),
            status="aktiverad",
            consents=[consent()],
            own_organisation=SKOLA,
            meetings=[planned],
        )
    )
    cases = (c for c in store.iter_cases() if isinstance(c, Case))
    [reminder] = [r for r in remind.reminders(cases, query()) if r.kind == "meeting"]
    assert reminder.coordinator == "Skola"
    table = kronobarn("remind", "--today", "2026-11-23")
    assert table.returncode == 0
    assert "Utan ansvarig verksamhet" not in table.stdout
    data = json.loads(kronobarn("remind", "--today", "2026-11-23", "--json").stdout)
    assert [r["coordinator"] for r in data if r["case_id"] == "hhhhhh"] == ["Skola"]
