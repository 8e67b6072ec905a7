from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import models
from django.db.models.signals import pre_save
from rest_framework.test import APIClient

from roles.models import Role
from roles.tests.factories import CellFactory, MemberFactory, RoleAssignmentFactory, TimeOffFactory
from rotations.models import RotationAssignment


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def epsm(cell: Any) -> Any:
    """The cell's epic planning and sustainability manager."""
    member = MemberFactory.create(cell=cell, user__username="epsm", user__password="correct-horse-battery")
    RoleAssignmentFactory.create(
        member=member,
        role=Role.objects.get(slug="epic-planning-sustainability-manager"),
        cell=cell,
        since=date.today() - timedelta(days=200),
    )
    return member


@pytest.fixture
def populated(cell: Any, other_cell: Any) -> Any:
    """Several members per cell with assignments, backups and time off, so an
    N+1 query would show in the counts."""

    def build(per_cell: int = 4) -> None:
        today = date.today()
        roles = list(Role.objects.filter(scope="team").order_by("pk")[:3])
        for target in (cell, other_cell, CellFactory.create()):
            members = [MemberFactory.create(cell=target) for _ in range(per_cell)]
            for i, member in enumerate(members):
                role = roles[i % len(roles)]
                RoleAssignmentFactory.create(member=member, role=role, cell=target, backup=members[i - 1])
                # A slot of the rotation schedule today: the directory and member pages list them.
                RotationAssignment.objects.create(
                    kind="firefighter_backup",
                    cell=target,
                    member=member,
                    start=today,
                    end=today + timedelta(i),
                )
                TimeOffFactory.create(
                    member=member, start=today + timedelta(days=i), end=today + timedelta(days=i + 1)
                )

    return build


@pytest.fixture
def saved_meanwhile() -> Iterator[Callable[..., None]]:
    """Another request winning the race: ``saved_meanwhile(TimeOff)`` makes the
    next new time off, once its checks have passed and just before it is
    saved, meet a copy of itself written meanwhile (``bulk_create``: no
    checks, no signals). Keyword arguments change the copy's fields."""
    armed: list[tuple[Callable[..., None], type[models.Model]]] = []

    def arm(model: type[models.Model], **changes: Any) -> None:
        def write_copy(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
            if instance.pk is not None:
                return
            fields = {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}
            fields.pop(model._meta.pk.attname)
            model._default_manager.bulk_create([model(**{**fields, **changes})])

        pre_save.connect(write_copy, sender=model, weak=False)
        armed.append((write_copy, model))

    yield arm
    for receiver, model in armed:
        pre_save.disconnect(receiver, sender=model)
