"""The conditions of the checklists (`when:`): declared data, checked at load time, never eval."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, model_validator

from kronobarn_cli.checklists.base import MODEL_CONFIG, Slug


class _Model(BaseModel):
    model_config = MODEL_CONFIG


# Conditions that cannot be expressed as data because they are rules of law or of the model;
# they live as functions in `rules` and are named here so checklists can refer to them.
RuleName = Literal["samtycke-komplett"]


class Condition(_Model):
    """When a step is asked or an outcome applies. Exactly one form:

    `{step: ID, equals: VALUE}`, `{step: ID, answered: true}`,
    `{step: ID, has_item: {FIELD: VALUE}}`,
    `{child_age_at_least: N}`, `{rule: NAME}`, `{all: [...]}`, `{any: [...]}`, `{not: {...}}`.
    """

    step: Slug | None = None
    equals: str | bool | None = None
    answered: bool | None = None
    has_item: dict[Slug, str | bool] | None = None
    child_age_at_least: Annotated[int, Field(ge=0, le=25)] | None = None
    rule: RuleName | None = None
    all_: list[Condition] | None = Field(default=None, alias="all")
    any_: list[Condition] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        given = self.model_fields_set
        step_tests = given & {"equals", "answered", "has_item"}
        others = given & {"child_age_at_least", "rule", "all_", "any_", "not_"}
        if "step" in given:
            if len(step_tests) != 1 or others:
                raise ValueError("'step' ska följas av precis en av equals, answered, has_item")
        elif step_tests:
            raise ValueError(f"'{sorted(step_tests)[0]}' kräver 'step'")
        elif len(others) != 1:
            raise ValueError(
                "ett villkor ska ha precis en form: step, child_age_at_least, rule, all, any, not"
            )
        if self.has_item is not None and not self.has_item:
            raise ValueError("'has_item' får inte vara tomt")
        return self

    def step_references(self) -> Iterator[Condition]:
        """Every `{step: ...}` condition inside this one."""
        if self.step is not None:
            yield self
        for child in (self.all_ or []) + (self.any_ or []) + ([self.not_] if self.not_ else []):
            yield from child.step_references()
