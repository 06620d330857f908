"""One test per rule of sections 1–2 of the workflow (DESIGN.md, "The workflow as rules")."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from kronobarn_cli.checklists.schema import Workflow
from kronobarn_cli.domain import engine, rules
from kronobarn_cli.domain.case import Case, Consent
from kronobarn_cli.domain.consent import ConsentScope
from kronobarn_cli.domain.parts import OrganisationRef
from kronobarn_cli.errors import AnswerError
from kronobarn_cli.interactive.walk import Walk
from kronobarn_cli.store.case_files import CaseStore

from ..conftest import new_walk
from ..scenario import GUARDIAN_ORAL, GUARDIANS, YOUTH_WRITTEN, activate_need, answer_all

# -- Rule 1: Behov av samverkan ------------------------------------------------------------------


def test_rule1_noticed_is_recorded_in_the_decision(walk: Walk) -> None:
    walk.answer("uppmarksammat", "Barnet har berättat om bråk hemma.")
    assert walk.case.decision is not None
    assert walk.case.decision.noticed == "Barnet har berättat om bråk hemma."
    assert walk.case.status == "bedomning-pagar"


def test_rule1_own_support_suffices_means_not_activated(walk: Walk) -> None:
    answer_all(walk, [("uppmarksammat", "Lässvårigheter."), ("egen-insats-racker", True)])
    pos = walk.position()
    assert pos.finished
    assert pos.outcome is not None and pos.outcome.id == "ej-aktiverad-egen-insats"
    assert walk.case.status == "ej-aktiverad"
    assert walk.case.consents == []


def test_rule1_other_organisation_alone_referred_family_contacts(walk: Walk) -> None:
    answer_all(
        walk,
        [
            ("uppmarksammat", "Behöver samtalsstöd."),
            ("egen-insats-racker", False),
            ("annan-verksamhet-ensam", True),
            ("hanvisning-verksamhet", "ungdomsmottagningen"),
            ("hanvisning-vag", "familjen-kontaktar"),
        ],
    )
    assert walk.position().finished
    assert walk.case.status == "ej-aktiverad-hanvisad"
    decision = walk.case.decision
    assert decision is not None and decision.referral is not None
    assert decision.referral.organisation.name == "Ungdomsmottagningen"
    assert rules.referral_line(decision.referral) == (
        "Familjen har uppmanats att själv kontakta Ungdomsmottagningen för att få stöd därifrån."
    )


def test_rule1_referred_with_oral_consent_produces_documentation_line(walk: Walk) -> None:
    answer_all(
        walk,
        [
            ("uppmarksammat", "Behöver stöd kring sömn."),
            ("egen-insats-racker", False),
            ("annan-verksamhet-ensam", True),
            ("hanvisning-verksamhet", "vardcentral"),
            ("hanvisning-vag", "vi-kontaktar"),
            ("hanvisning-samtycke-datum", "2026-11-22"),
        ],
    )
    assert walk.case.status == "ej-aktiverad-hanvisad"
    assert rules.documentation_lines(walk.case.decision, walk.case.consents) == [
        "Samtycke har lämnats muntligen den 22 november 2026 för kontakt med Vårdcentral."
    ]


def test_rule1_together_with_others_activates_and_asks_for_consent(walk: Walk) -> None:
    activate_need(walk)
    assert walk.case.decision is not None and walk.case.decision.outcome == "aktiveras"
    assert walk.case.status == "vantar-pa-samtycke"
    step = walk.position().step
    assert step is not None and walk.workflow.section_of(step.id).id == "samtycke"


def test_rule1_no_to_all_three_is_not_activated_with_a_reason(walk: Walk) -> None:
    answer_all(
        walk,
        [
            ("uppmarksammat", "Oklart behov."),
            ("egen-insats-racker", False),
            ("annan-verksamhet-ensam", False),
            ("tillsammans", False),
        ],
    )
    step = walk.position().step
    assert step is not None and step.id == "ej-aktiverad-orsak"
    with pytest.raises(AnswerError):
        walk.answer("ej-aktiverad-orsak", "   ")
    walk.answer("ej-aktiverad-orsak", "Behovet behöver utredas mer först.")
    assert walk.position().finished
    assert walk.case.status == "ej-aktiverad"
    assert walk.case.decision is not None
    assert walk.case.decision.reason == "Behovet behöver utredas mer först."


# -- Rule 2: Samtycke ------------------------------------------------------------------------------


def test_rule2_oral_consent_line_is_exact() -> None:
    orgs = [OrganisationRef(id="skola", name="Skola"), OrganisationRef(id="bup", name="BUP")]
    orgs.append(OrganisationRef(id="polis", name="Polis"))
    assert rules.oral_consent_line(date(2026, 3, 5), orgs) == (
        "Samtycke har lämnats muntligen den 5 mars 2026 för kontakt med Skola, BUP och Polis."
    )


def test_rule2_oral_consent_recorded_with_form_date_and_organisations(walk: Walk) -> None:
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    [consent] = walk.case.consents
    assert consent.giver == "vardnadshavare-1"
    assert consent.form == "muntlig"
    assert consent.given_on == date(2026, 11, 20)
    assert [o.id for o in consent.organisations] == ["skola", "socialtjanst"]
    assert rules.consent_lines(walk.case.consents) == [
        "Samtycke har lämnats muntligen den 20 november 2026 för kontakt med Skola och "
        "Socialtjänst."
    ]


def test_rule2_an_oral_line_beside_a_written_consent_says_whose_it_is() -> None:
    skola = OrganisationRef(id="skola", name="Skola")
    day = date(2026, 11, 20)
    oral = Consent(giver="vardnadshavare-2", form="muntlig", given_on=day, organisations=[skola])
    written = oral.model_copy(update={"giver": "vardnadshavare-1", "form": "skriftlig"})
    assert rules.consent_lines([written, oral]) == [
        "Vårdnadshavare 2: Samtycke har lämnats muntligen den 20 november 2026 för kontakt "
        "med Skola."
    ]
    both = [oral.model_copy(update={"giver": "vardnadshavare-1"}), oral]
    youth = oral.model_copy(update={"giver": "ungdom", "given_on": date(2026, 11, 21)})
    assert [line.split(":")[0] for line in rules.consent_lines([*both, youth])] == [
        "Vårdnadshavare 1 och vårdnadshavare 2",
        "Ungdomen",
    ]


def test_rule2_written_consent_produces_no_oral_line(walk: Walk) -> None:
    activate_need(walk)
    written = dict(GUARDIAN_ORAL, form="skriftlig")
    answer_all(walk, [GUARDIANS, ("samtycken", [written])])
    assert walk.case.status == "aktiverad"
    assert rules.consent_lines(walk.case.consents) == []


def test_rule2_guardian_consent_activates(walk: Walk) -> None:
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    assert walk.case.status == "aktiverad"


def test_rule2_without_guardian_consent_case_waits_for_consent(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store, birth_year=2010)
    activate_need(walk)
    answer_all(walk, [("ungdom-mogen", True), GUARDIANS, ("samtycken", [YOUTH_WRITTEN])])
    pos = walk.position()
    assert pos.finished and pos.outcome is not None and pos.outcome.id == "vantar-pa-samtycke"
    assert walk.case.status == "vantar-pa-samtycke"
    assert store.load(walk.case.id).status == "vantar-pa-samtycke"


def test_rule2_activated_case_cannot_exist_without_guardian_consent(walk: Walk) -> None:
    data = walk.case.model_dump()
    data["status"] = "aktiverad"
    with pytest.raises(ValidationError, match="vårdnadshavare"):
        Case.model_validate(data)
    youth = Consent(
        giver="ungdom",
        form="skriftlig",
        given_on=date(2026, 11, 1),
        organisations=[OrganisationRef(id="skola", name="Skola")],
    )
    data["consents"] = [youth.model_dump()]
    with pytest.raises(ValidationError, match="vårdnadshavare"):
        Case.model_validate(data)


def test_rule2_youth_consent_asked_when_child_could_be_old_enough(
    workflow: Workflow, store: CaseStore
) -> None:
    # Born 2014: twelve this year at the latest, so the question must be asked.
    walk = new_walk(workflow, store, birth_year=2014)
    activate_need(walk)
    step = walk.position().step
    assert step is not None and step.id == "ungdom-mogen"


def test_rule2_youth_consent_asked_when_birth_year_unknown(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store, birth_year=None)
    activate_need(walk)
    step = walk.position().step
    assert step is not None and step.id == "ungdom-mogen"


def test_rule2_youth_consent_not_asked_for_young_child(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store, birth_year=2020)
    activate_need(walk)
    step = walk.position().step
    assert step is not None and step.id == "vardnadshavare-antal"


def test_rule2_mature_youth_must_consent_too(workflow: Workflow, store: CaseStore) -> None:
    walk = new_walk(workflow, store, birth_year=2010)
    activate_need(walk)
    answer_all(walk, [("ungdom-mogen", True), GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    assert walk.case.status == "vantar-pa-samtycke"
    assert ConsentScope.of(walk.case, walk.today).missing_words() == "ungdomen"
    walk.reopen()
    step = walk.position().step
    assert step is not None and step.id == "samtycken"
    items, _ = walk.pending_items(step)
    assert items == [walk.validate_item(step, GUARDIAN_ORAL)]
    walk.answer("samtycken", [*items, YOUTH_WRITTEN])
    assert walk.case.status == "aktiverad"


def test_rule2_youth_judged_not_mature_needs_only_guardian(
    workflow: Workflow, store: CaseStore
) -> None:
    walk = new_walk(workflow, store, birth_year=2010)
    activate_need(walk)
    answer_all(walk, [("ungdom-mogen", False), GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    assert walk.case.status == "aktiverad"


def test_rule2_consent_date_cannot_be_in_the_future(walk: Walk) -> None:
    activate_need(walk)
    walk.answer(*GUARDIANS)
    with pytest.raises(AnswerError, match="framtiden"):
        walk.answer("samtycken", [dict(GUARDIAN_ORAL, datum="2026-12-01")])
    assert walk.case.consents == []


def test_rule2_consent_names_at_least_one_organisation(walk: Walk) -> None:
    activate_need(walk)
    walk.answer(*GUARDIANS)
    with pytest.raises(AnswerError, match="minst en verksamhet"):
        walk.answer("samtycken", [dict(GUARDIAN_ORAL, verksamheter=[])])


# -- Going back ------------------------------------------------------------------------------------


def test_going_back_removes_the_last_answer(walk: Walk) -> None:
    answer_all(walk, [("uppmarksammat", "Oro."), ("egen-insats-racker", False)])
    step = walk.back()
    assert step is not None and step.id == "egen-insats-racker"
    assert "egen-insats-racker" not in walk.case.answers["behov-av-samverkan"]
    current = walk.position().step
    assert current is not None and current.id == "egen-insats-racker"


def test_going_back_prunes_answers_that_no_longer_apply(walk: Walk) -> None:
    activate_need(walk)
    answer_all(walk, [GUARDIANS, ("samtycken", [GUARDIAN_ORAL])])
    assert walk.case.status == "aktiverad"
    # Back through consent, the guardians and the three decisions, then another road.
    for _ in range(5):
        walk.back()
    assert walk.case.consents == []
    assert walk.case.status == "bedomning-pagar"
    walk.answer("egen-insats-racker", True)
    assert walk.case.answers == {
        "behov-av-samverkan": {
            "uppmarksammat": "Hög frånvaro och oro hemma.",
            "egen-insats-racker": True,
        }
    }
    assert walk.case.status == "ej-aktiverad"


def test_pruning_drops_answers_whose_condition_fails_and_sections_after_a_stop(
    workflow: Workflow,
) -> None:
    # Answers as a changed checklist or an edited file could leave them: inconsistent.
    stale = {
        "behov-av-samverkan": {
            "uppmarksammat": "Oro.",
            "egen-insats-racker": True,
            "annan-verksamhet-ensam": False,
            "tillsammans": True,
        },
        "samtycke": {"vardnadshavare-antal": "1", "samtycken": [GUARDIAN_ORAL]},
    }
    consent_rules = rules.ConsentContext(day=date(2026, 11, 23)).rules()
    pruned = engine.prune(workflow, stale, engine.Facts(child_age=10, rules=consent_rules))
    assert pruned == {"behov-av-samverkan": {"uppmarksammat": "Oro.", "egen-insats-racker": True}}


def test_going_back_at_the_start_does_nothing(walk: Walk) -> None:
    assert walk.back() is None
    step = walk.position().step
    assert step is not None and step.id == "uppmarksammat"
