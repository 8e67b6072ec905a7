"""/handbook/ and /api/handbook/rules/: every rule, with its live state."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from duties.models import DutyDefinition, FindingSnapshot
from duties.tests.factories import DutyInstanceFactory
from findings.models import COMPANY_SCOPE, Evaluation, Finding, checked_key, scope_of
from findings.signals import discard_pending
from handbook.rules import RULES
from opencraft_ops import calendar
from opencraft_ops.process_checks import Severity
from roles.tests.factories import CellFactory, MemberFactory
from sprints.models import Ticket
from sprints.services import sprint_ensure


def _unestimated_ticket(cell, member):
    sprint = sprint_ensure(number=calendar.sprint_on(timezone.localdate()).number)
    return Ticket.objects.create(
        key="SE-1", summary="No points", cell=cell, assignee=member, reviewer=member, sprint=sprint
    )


def test_page_lists_every_rule_with_its_live_state(client, core_member, cell):
    _unestimated_ticket(cell, core_member)
    FindingSnapshot.objects.create(
        day=date(2026, 1, 5),
        sprint_number=1,
        cell=cell,
        cell_key=f"cell:{cell.pk}",
        rule="late-worklogs",
        count=2,
    )
    if not DutyDefinition.objects.exists():
        # A transactional test (live server, browser) run before this one flushed the catalog
        # that the data migration loads.
        from duties.catalog import load_duty_catalog
        from roles.models import Role

        load_duty_catalog(DutyDefinition, Role)
    definition = DutyDefinition.objects.get(slug="sprint-manager-wrap-up")
    DutyInstanceFactory(definition=definition, cell=cell, opens_on=timezone.localdate() - timedelta(days=1))
    client.force_login(core_member.user)
    response = client.get(reverse("handbook:rules"))
    assert response.status_code == 200
    html = response.content.decode()
    for rule in RULES:
        assert f'id="{rule.id}"' in html, rule.id
    states = {s.rule.id: s for section in response.context["sections"] for s in section.states}
    assert len(states) == len(RULES)
    assert response.context["scope"].cell == cell
    assert states["spm-unestimated"].open_findings >= 1
    assert states["spm-unestimated"].last_fired == timezone.localdate()
    assert (
        states["spm-unestimated"].findings_url
        == f"/duties/health/?cell={cell.slug}#rule-sprint-ticket-unestimated"
    )
    assert f'href="/duties/health/?cell={cell.slug}#rule-sprint-ticket-unestimated"' in html
    assert states["everyone-log-within-24h"].last_fired == date(2026, 1, 5)
    assert states["sm-retrospective"].open_duties == 1  # the wrap-up duty
    assert states["everyone-hardware"].open_findings is None and not states["everyone-hardware"].rule.enforced
    assert "Not helped by the portal" in html


def test_page_refusals(client, core_member, other_cell, cell):
    assert client.get(reverse("handbook:rules")).status_code == 302
    client.force_login(core_member.user)
    assert client.get(reverse("handbook:rules"), {"cell": other_cell.slug}).status_code == 403
    assert client.get(reverse("handbook:rules"), {"cell": "nowhere"}).status_code == 404
    assert client.post(reverse("handbook:rules")).status_code == 405
    # Another cell's findings do not count on yours.
    _unestimated_ticket(other_cell, None)
    response = client.get(reverse("handbook:rules"), {"cell": cell.slug})
    states = {s.rule.id: s for section in response.context["sections"] for s in section.states}
    assert states["spm-unestimated"].open_findings == 0


def _grow(cell_count: int, members_per_cell: int) -> None:
    """Cells with members, each member with an unestimated ticket: findings in every cell."""
    sprint = sprint_ensure(number=calendar.sprint_on(timezone.localdate()).number)
    for _ in range(cell_count):
        grown: Any = CellFactory()
        for _ in range(members_per_cell):
            member: Any = MemberFactory(cell=grown)
            Ticket.objects.create(
                key=f"GR-{member.pk}",
                summary="t",
                cell=grown,
                assignee=member,
                reviewer=member,
                sprint=sprint,
            )


@pytest.mark.parametrize("username", ["core", "staff"])
def test_page_query_count_stays_fixed_as_members_and_cells_grow(
    client, core_member, staff_user, cell, username, django_assert_max_num_queries
):
    """The page reads the stored findings: no process check runs while it renders. Session
    and user (2), the member, whether they see every cell, the cells (3), the findings per
    rule, the findings' freshness, the snapshots, the open duties and the duty titles (5);
    the staff user has no member row but the same reads."""
    user = core_member.user if username == "core" else staff_user
    _unestimated_ticket(cell, core_member)
    client.force_login(user)
    client.get(reverse("handbook:rules"))  # warm the check registry and evaluate the findings
    with django_assert_max_num_queries(10):
        small = client.get(reverse("handbook:rules"))
    _grow(cell_count=3, members_per_cell=4)
    client.get(reverse("handbook:rules"))  # the eager evaluation of the new writes
    with django_assert_max_num_queries(10) as grown_queries:
        large = client.get(reverse("handbook:rules"))
    assert small.status_code == large.status_code == 200
    # More data, not more queries; and the grown cells' findings do show for staff.
    spm_small = _state(small, "spm-unestimated").open_findings
    spm_large = _state(large, "spm-unestimated").open_findings
    assert spm_small >= 1
    assert (spm_large > spm_small) if username == "staff" else (spm_large == spm_small)
    assert len(grown_queries.captured_queries) <= 10


def test_page_runs_no_process_check_and_says_how_fresh(client, core_member, cell):
    """The counts come from the stored findings: a finding stored by an evaluation shows,
    even when the condition behind it is not in the data the checks would read now."""
    discard_pending()  # the fixtures' writes: nothing left for an eager evaluation to run
    now = timezone.now()
    Finding.objects.create(
        key="handbook-test",
        rule="weekend-work",
        subject=f"member:{core_member.pk}",
        scope=scope_of(cell.pk),
        cell_id=cell.pk,
        member_id=core_member.pk,
        severity=Severity.WARNING,
        message="Stored, not computed.",
        first_seen=now - timedelta(days=2),
        last_seen=now - timedelta(hours=3),
    )
    checked = now - timedelta(minutes=5)
    for scope in (scope_of(cell.pk), COMPANY_SCOPE):
        Evaluation.objects.update_or_create(scope=scope, defaults={"checked_at": checked})
        cache.delete(checked_key(scope))
    client.force_login(core_member.user)
    response = client.get(reverse("handbook:rules"))
    weekend = _state(response, "everyone-weekend-work")
    assert weekend.open_findings == 1
    assert weekend.last_fired == timezone.localdate(now - timedelta(hours=3))
    assert weekend.checked_at == checked
    assert response.context["findings_freshness"].checked_at == checked
    html = response.content.decode()
    assert 'id="findings-freshness"' in html and "checked 5 min ago" in html
    api = APIClient()
    api.force_authenticate(core_member.user)
    row = next(r for r in api.get("/api/handbook/rules/").data if r["id"] == "everyone-weekend-work")
    assert row["open_findings"] == 1 and row["checked_at"] is not None


def _state(response, rule_id):
    return next(s for section in response.context["sections"] for s in section.states if s.rule.id == rule_id)


def test_api_serves_the_same_rules(core_member, cell, other_cell):
    api = APIClient()
    assert api.get("/api/handbook/rules/").status_code in (401, 403)
    api.force_authenticate(core_member.user)
    _unestimated_ticket(cell, core_member)
    response = api.get("/api/handbook/rules/")
    assert response.status_code == 200
    assert [row["id"] for row in response.data] == [rule.id for rule in RULES]
    row = next(r for r in response.data if r["id"] == "spm-unestimated")
    assert (
        row["kind"] == "check"
        and row["enforcer"] == "sprint-ticket-unestimated"
        and row["open_findings"] >= 1
    )
    assert row["enforcer_title"] == "A sprint ticket has no estimate"
    manual = next(r for r in response.data if r["id"] == "everyone-hardware")
    assert (
        manual["enforced"] is False
        and manual["enforcer"] == ""
        and manual["kind_label"] == "Not helped by the portal"
    )
    checks = api.get("/api/handbook/rules/", {"kind": "duty"})
    assert checks.data and {r["kind"] for r in checks.data} == {"duty"}
    assert api.get("/api/handbook/rules/", {"kind": "wish"}).status_code == 400
    assert api.get("/api/handbook/rules/", {"cell": "nowhere"}).status_code == 404
    assert api.get("/api/handbook/rules/", {"cell": other_cell.slug}).status_code == 403


def test_schema_lists_the_endpoint(staff_user):
    api = APIClient()
    api.force_authenticate(staff_user)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/handbook/rules/" in schema["paths"]
