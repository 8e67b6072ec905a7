from __future__ import annotations

from datetime import date
from typing import Any

import factory

from duties.models import DutyDefinition, DutyInstance
from roles.models import Role
from roles.tests.factories import CellFactory, MemberFactory


class DutyDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyDefinition

    role = factory.LazyFunction(lambda: Role.objects.get(slug="sprint-manager"))
    slug = factory.Sequence(lambda n: f"duty-{n}")
    title = factory.Sequence(lambda n: f"Duty {n}")
    checklist = "First thing\nSecond thing"
    cadence = "weekly"
    weekday = 0


class DutyInstanceFactory(factory.django.DjangoModelFactory):
    """An open instance with its checklist copied from the definition."""

    class Meta:
        model = DutyInstance
        skip_postgeneration_save = True

    definition = factory.SubFactory(DutyDefinitionFactory)
    period = factory.Sequence(lambda n: f"P{n}")
    cell = factory.SubFactory(CellFactory)
    subject_key = factory.LazyAttribute(lambda i: f"cell:{i.cell.pk}")
    assignee = factory.SubFactory(MemberFactory)
    opens_on = factory.LazyFunction(date.today)
    due_on = factory.LazyFunction(date.today)

    @factory.post_generation
    def with_items(obj: DutyInstance, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            for i, text in enumerate(obj.definition.checklist_items, start=1):
                obj.items.create(position=i, text=text)


def make_member(**kwargs: Any) -> Any:
    """``MemberFactory`` typed loosely (factory_boy's stubs type the call as the factory)."""
    return MemberFactory(**kwargs)
