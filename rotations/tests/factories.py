from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import factory

from opencraft_ops import calendar
from roles.tests.factories import MemberFactory
from rotations.models import RotationAssignment, RotationKind, WebhookEndpoint
from sprints.services import sprint_ensure


class RotationAssignmentFactory(factory.django.DjangoModelFactory[RotationAssignment]):
    """A firefighter 1 slot in a sprint (``sprint_number``), in the member's cell."""

    class Meta:
        model = RotationAssignment
        exclude = ["sprint_number"]

    sprint_number = 300
    kind = RotationKind.FIREFIGHTER_1
    member = factory.SubFactory(MemberFactory)
    cell = factory.LazyAttribute(lambda a: a.member.cell)
    sprint = factory.LazyAttribute(lambda a: sprint_ensure(number=a.sprint_number))
    start = factory.LazyAttribute(lambda a: calendar.sprint_dates(a.sprint_number).start)
    end = factory.LazyAttribute(
        lambda a: a.start + timedelta(days=6 if a.kind in ("discovery_duty", "pager") else 13)
    )
    reserved_hours = Decimal("30")


class WebhookEndpointFactory(factory.django.DjangoModelFactory[WebhookEndpoint]):
    class Meta:
        model = WebhookEndpoint

    name = factory.Sequence(lambda n: f"Endpoint {n}")
    url = "http://127.0.0.1:9/hook"
    secret = "whsec_czNjcmV0LXNoYXJlZC1rZXktb2YtMzItYnl0ZXMhISE="
    events = factory.LazyFunction(lambda: ["sprint.started", "rotation.changed", "duty.overdue"])
    timeout_seconds = 2
    max_attempts = 3


def make_slot(**kwargs: Any) -> RotationAssignment:
    """Typed shortcut around :class:`RotationAssignmentFactory`."""
    return cast(RotationAssignment, RotationAssignmentFactory(**kwargs))


def make_endpoint(**kwargs: Any) -> WebhookEndpoint:
    return cast(WebhookEndpoint, WebhookEndpointFactory(**kwargs))
