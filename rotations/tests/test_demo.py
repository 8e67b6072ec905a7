"""The rotations demo: schedules every cell, records a swap and a backup, and is idempotent."""

from __future__ import annotations

import io

import pytest

from rotations.models import FirefightingPolicy, RotationAssignment, RotationKind, Swap, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent() -> None:
    from roles import demo as roles_demo
    from rotations import demo

    roles_demo.seed(io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    counts = RotationAssignment.objects.count()
    assert counts > 50
    assert Swap.objects.count() == 1
    assert RotationAssignment.objects.filter(kind=RotationKind.FIREFIGHTER_BACKUP).exists()
    assert FirefightingPolicy.objects.get(cell__slug="serenity").firefighters_per_sprint == 1
    assert not RotationAssignment.objects.filter(
        cell__slug="serenity", kind=RotationKind.FIREFIGHTER_2
    ).exists()
    assert not RotationAssignment.objects.filter(
        cell__slug="serenity", kind=RotationKind.DISCOVERY_DUTY
    ).exists()
    assert WebhookEndpoint.objects.filter(is_active=False).count() == 1
    assert "swapped" in out.getvalue()
    demo.seed(io.StringIO())
    assert RotationAssignment.objects.count() == counts and Swap.objects.count() == 1


def test_demo_without_cells_does_nothing() -> None:
    from rotations import demo

    out = io.StringIO()
    demo.seed(out)
    assert "no cells yet" in out.getvalue()
    assert not RotationAssignment.objects.exists()
