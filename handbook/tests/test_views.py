"""/handbook/ and /api/handbook/rules/: every rule, with its live state."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from duties.models import DutyDefinition, FindingSnapshot
from duties.tests.factories import DutyInstanceFactory
from handbook.rules import RULES
from opencraft_ops import calendar
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
    assert states["sm-end-updates"].open_duties == 1
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


def test_page_query_count(client, core_member, cell, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from opencraft_ops.process_checks import CheckContext, run_checks

    def checks_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            run_checks(CheckContext(as_of=timezone.localdate(), cell_ids=frozenset({cell.pk})))
        return len(ctx.captured_queries)

    for n in range(3):
        Ticket.objects.create(key=f"SE-{n}", summary="t", cell=cell, assignee=core_member)
    client.force_login(core_member.user)
    client.get(reverse("handbook:rules"))  # warm the check registry
    # Session and user (2), the member, whether they see every cell, the cells (3), then the
    # process checks (a fixed number each; other apps add rules over time), the snapshots, the
    # open duties and the duty titles (3).
    expected = 8 + checks_queries()
    with django_assert_num_queries(expected):
        client.get(reverse("handbook:rules"))
    for n in range(3, 9):
        Ticket.objects.create(key=f"SE-{n}", summary="t", cell=cell, assignee=core_member)
    with django_assert_num_queries(expected):
        client.get(reverse("handbook:rules"))


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
