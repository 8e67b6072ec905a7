"""The demo organisation: complete, consistent and idempotent."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from opencraft_ops.process_checks import CheckContext, run_checks
from roles import demo
from roles.models import Cell, Member, MemberType, Role, RoleAssignment, TimeOff

pytestmark = pytest.mark.django_db


def test_seed_builds_the_handbook_organisation_and_is_idempotent() -> None:
    out = io.StringIO()
    demo.seed(out)
    counts = (Member.objects.count(), RoleAssignment.objects.count(), TimeOff.objects.count())
    demo.seed(out)
    assert (Member.objects.count(), RoleAssignment.objects.count(), TimeOff.objects.count()) == counts
    assert "created nothing (all present)" in out.getvalue()

    cells = {c.slug: c for c in Cell.objects.all()}
    assert {slug: (c.kind, c.jira_project_key, c.jira_board_id) for slug, c in cells.items()} == {
        "bebop": ("generalist", "BB", 1),
        "falcon": ("generalist", "FAL", 2),
        "serenity": ("project", "SE", 3),
    }
    assert cells["serenity"].client_sla_hours == 12 and cells["serenity"].firefighting_rules
    assert 18 <= counts[0] <= 30
    today = timezone.localdate()
    types = {m.current_type for m in Member.objects.with_type(today)}  # type: ignore[attr-defined]
    assert types == {MemberType.CORE, MemberType.NEWCOMER, MemberType.SHORT_TERM}
    assert not Member.objects.filter(jira_account_id__isnull=True).exists()
    assert len(set(Member.objects.values_list("timezone", flat=True))) >= 10

    # Every role of the catalog is held somewhere, but the rotation roles: who holds those is
    # the rotation schedule's answer (rotations/demo.py), never an assignment; every cell has
    # its management roles.
    assert set(Role.objects.exclude(scope="rotation").values_list("slug", flat=True)) == set(
        RoleAssignment.objects.values_list("role__slug", flat=True)
    )
    assert not RoleAssignment.objects.filter(role__scope="rotation").exists()
    assert [
        f.subject for f in run_checks(CheckContext(as_of=today), only=["cell-missing-management-role"])
    ] == []
    # Some commitments changed over time; time off in the past, now and ahead.
    assert Member.objects.filter(commitments__since__gt=today.replace(year=today.year - 2)).exists()
    assert TimeOff.objects.filter(end__lt=today).exists()
    assert TimeOff.objects.filter(start__lte=today, end__gte=today).exists()
    assert TimeOff.objects.filter(start__gt=today).exists()
    # A handover in transition.
    assert RoleAssignment.objects.filter(
        handed_over_to__isnull=False, until__lt=today, transition_until__gte=today
    ).exists()


def test_demo_logins() -> None:
    demo.seed(io.StringIO())
    user = authenticate(username="demo", password="demo-password")
    assert user is not None
    held = set(
        RoleAssignment.objects.filter(member__user=user, cell__slug="bebop").values_list(
            "role__slug", flat=True
        )
    )
    assert {"sprint-manager", "epic-planning-sustainability-manager"} <= held
    assert user.member.type_on(timezone.localdate()) == MemberType.CORE  # type: ignore[union-attr]
    admin = authenticate(username="admin", password="admin-password")
    assert admin is not None and admin.is_staff


def test_demo_data_command_reports_progress_and_summary(monkeypatch) -> None:
    from roles.management.commands import demo_data

    monkeypatch.setattr(demo_data, "SEED_ORDER", ["roles"])
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    text = out.getvalue()
    assert "[1/1] roles..." in text and "roles: 3 cells" in text and "Demo data ready" in text
