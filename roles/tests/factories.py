from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model

from roles.models import Cell, Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class CellFactory(factory.django.DjangoModelFactory[Cell]):
    class Meta:
        model = Cell
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Cell {n}")
    slug = factory.Sequence(lambda n: f"cell-{n}")


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    """A member with a type and a weekly commitment in force since they joined."""

    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)
    cell = factory.SubFactory(CellFactory)
    timezone = "UTC"
    jira_account_id = factory.Sequence(lambda n: f"acc-{n:06d}")
    joined_on = factory.LazyFunction(lambda: date.today() - timedelta(days=730))

    @classmethod
    def _create(cls, model_class: type[Member], *args: Any, **kwargs: Any) -> Member:
        member_type = kwargs.pop("member_type", "core")
        weekly_hours = kwargs.pop("weekly_hours", Decimal("40"))
        member: Member = super()._create(model_class, *args, **kwargs)
        MemberTypePeriod.objects.create(member=member, member_type=member_type, since=member.joined_on)
        WeeklyCommitment.objects.create(member=member, hours_per_week=weekly_hours, since=member.joined_on)
        return member


class RoleAssignmentFactory(factory.django.DjangoModelFactory[RoleAssignment]):
    class Meta:
        model = RoleAssignment

    member = factory.SubFactory(MemberFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(slug="sprint-manager"))
    cell = factory.LazyAttribute(lambda a: a.member.cell if a.role.scope == "cell" else None)
    since = factory.LazyFunction(lambda: date.today() - timedelta(days=365))


class TimeOffFactory(factory.django.DjangoModelFactory[TimeOff]):
    class Meta:
        model = TimeOff

    member = factory.SubFactory(MemberFactory)
    start = factory.LazyFunction(date.today)
    end = factory.LazyAttribute(lambda t: t.start)
