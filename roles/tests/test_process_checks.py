"""The organisation's process checks and the findings endpoint."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencraft_ops.process_checks import CheckContext, run_checks
from roles.models import Role
from roles.tests.factories import CellFactory, MemberFactory, RoleAssignmentFactory

TODAY = date.today()
ROLE_RULES = [
    "cell-missing-management-role",
    "cell-supporter-holds-all-management",
    "role-short-of-backups",
    "assignment-holder-left",
]
pytestmark = pytest.mark.django_db


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


def staff_cell(cell, *, supporter=None):
    """Gives ``cell`` all three management roles (held by ``supporter`` when given)."""
    for slug in ["sprint-planning-manager", "sprint-manager", "epic-planning-sustainability-manager"]:
        RoleAssignmentFactory.create(
            member=supporter or MemberFactory.create(cell=cell), role=role(slug), cell=cell
        )


def findings(rule: str, **kwargs):
    return run_checks(CheckContext(as_of=TODAY, **kwargs), only=[rule])


def test_cell_missing_management_roles(cell, sprint_manager):
    found = findings("cell-missing-management-role")
    assert sorted(f.subject for f in found) == [
        f"cell:{cell.pk}:role:epic-planning-sustainability-manager",
        f"cell:{cell.pk}:role:sprint-planning-manager",
    ]
    assert all(f.severity.label == "critical" and f.role_slug == "cell-supporter" for f in found)
    assert found[0].url.startswith("/org/directory/#cell-bebop")


def test_fully_staffed_cell_has_no_missing_role_finding(cell):
    staff_cell(cell)
    assert findings("cell-missing-management-role") == []


def test_cell_supporter_holding_all_management_roles(cell, other_cell):
    supporter = MemberFactory.create(cell=None)
    RoleAssignmentFactory.create(member=supporter, role=role("cell-supporter"), cell=None)
    staff_cell(cell, supporter=supporter)
    # In the other cell the supporter holds only two of the three: fine.
    RoleAssignmentFactory.create(member=supporter, role=role("sprint-manager"), cell=other_cell)
    RoleAssignmentFactory.create(member=supporter, role=role("sprint-planning-manager"), cell=other_cell)
    found = findings("cell-supporter-holds-all-management")
    assert [(f.cell_id, f.member_id) for f in found] == [(cell.pk, supporter.pk)]


def test_role_short_of_backups(core_member, newcomer):
    lacking = RoleAssignmentFactory.create(member=core_member, role=role("recruitment-manager"), cell=None)
    found = findings("role-short-of-backups")
    assert [f.subject for f in found] == [f"assignment:{lacking.pk}"]
    lacking.backup = newcomer
    lacking.save()
    assert findings("role-short-of-backups") == []
    newcomer.left_on = TODAY - timedelta(days=1)
    newcomer.save()
    assert len(findings("role-short-of-backups")) == 1  # a backup who left does not count


def test_assignment_whose_holder_left(cell):
    gone = MemberFactory.create(cell=cell, left_on=TODAY - timedelta(days=3))
    open_assignment = RoleAssignmentFactory.create(member=gone, role=role("mentor"), cell=cell)
    RoleAssignmentFactory.create(
        member=gone, role=role("epic-owner"), cell=cell, until=TODAY - timedelta(days=5)
    )
    found = findings("assignment-holder-left")
    assert [f.subject for f in found] == [f"assignment:{open_assignment.pk}"]
    assert found[0].severity.label == "critical"


def test_cell_scope_limits_findings(cell, other_cell):
    assert {
        f.cell_id for f in findings("cell-missing-management-role", cell_ids=frozenset({other_cell.pk}))
    } == {other_cell.pk}


def _count_queries(rule: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        list(run_checks(CheckContext(as_of=TODAY), only=[rule]))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("rule", ROLE_RULES)
def test_each_rule_runs_a_constant_number_of_queries(rule):
    def grow():
        target = CellFactory.create()
        supporter = MemberFactory.create(cell=None)
        RoleAssignmentFactory.create(member=supporter, role=role("cell-supporter"), cell=None)
        staff_cell(target, supporter=supporter)
        gone = MemberFactory.create(cell=target, left_on=TODAY - timedelta(days=1))
        RoleAssignmentFactory.create(member=gone, role=role("mentor"), cell=target)
        RoleAssignmentFactory.create(
            member=MemberFactory.create(cell=target), role=role("mentor"), cell=target
        )
        CellFactory.create()

    Role.objects.filter(slug="mentor").update(backups_required=1)  # so mentors without backup show
    grow()
    small = _count_queries(rule)
    for _ in range(4):
        grow()
    assert _count_queries(rule) == small
    assert len(run_checks(CheckContext(as_of=TODAY), only=[rule])) >= 5


# --- /api/findings/ -----------------------------------------------------------


def test_findings_endpoint_lists_and_filters(api, core_member, staff_user, cell, other_cell):
    api.force_authenticate(staff_user)
    # Other apps' rules (e.g. rotations with no schedule yet) add findings of their own.
    mine = "cell-missing-management-role"
    body = api.get("/api/findings/", {"rule": mine}).json()
    assert body["count"] == 6  # three missing management roles in each of the two cells
    first = body["results"][0]
    assert {"rule", "severity", "message", "subject", "url", "cell", "member", "role"} <= set(first)
    # Stored episodes: their lifecycle comes along, and the page says how fresh it is.
    assert {"id", "first_seen", "last_seen", "acknowledged_by", "snoozed_until"} <= set(first)
    assert body["checked"].startswith("checked")
    only_cell = api.get("/api/findings/", {"cell": other_cell.pk}).json()
    assert {r["cell"] for r in only_cell["results"]} == {other_cell.pk}
    assert api.get("/api/findings/", {"severity": "warning", "rule": mine}).json()["count"] == 0
    assert api.get("/api/findings/", {"rule": "assignment-holder-left"}).json()["count"] == 0
    # Other apps' rules may address the member (e.g. their logged hours); this one does not.
    addressed = api.get("/api/findings/", {"member": core_member.pk}).json()["results"]
    assert all(r["member"] == core_member.pk and r["rule"] != mine for r in addressed)


def test_findings_endpoint_member_sees_own_cell_only(api, core_member, cell, other_cell):
    api.force_authenticate(core_member.user)
    body = api.get("/api/findings/").json()
    assert {r["cell"] for r in body["results"]} == {cell.pk}
    body = api.get("/api/findings/", {"rule": "cell-missing-management-role"}).json()
    assert body["count"] == 3 and {r["cell"] for r in body["results"]} == {cell.pk}
    assert api.get("/api/findings/", {"cell": other_cell.pk}).json()["count"] == 0


def test_findings_endpoint_refusals(api, core_member):
    assert api.get("/api/findings/").status_code in (401, 403)
    api.force_authenticate(core_member.user)
    assert api.post("/api/findings/", {}).status_code == 405
    bad = api.get("/api/findings/", {"severity": "apocalyptic"})
    assert bad.status_code == 400 and "severity" in bad.json()
    assert api.get("/api/findings/", {"cell": "x"}).status_code == 400


def test_findings_endpoint_query_count_is_flat(
    client, staff_user, populated, django_assert_num_queries, fresh_findings
):
    client.force_login(staff_user)
    populated(2)
    fresh_findings()
    # session + user (2), the count and the page of stored findings (2), their freshness
    # over every cell (1): no process check runs.
    expected = 5
    with django_assert_num_queries(expected):
        small = client.get("/api/findings/")
    populated(6)
    fresh_findings()
    with django_assert_num_queries(expected):
        large = client.get("/api/findings/")
    assert small.status_code == large.status_code == 200
    assert large.json()["count"] > small.json()["count"]


def test_management_role_given_up_within_a_year(cell):
    early = MemberFactory.create(cell=cell)
    kept = MemberFactory.create(cell=cell)
    leaver = MemberFactory.create(cell=cell, left_on=TODAY - timedelta(days=5))
    short = RoleAssignmentFactory.create(
        member=early,
        role=role("sprint-manager"),
        cell=cell,
        since=TODAY - timedelta(days=120),
        until=TODAY - timedelta(days=3),
    )
    # Held two years: fine. Given up early by someone who left: fine. Long ago: history.
    RoleAssignmentFactory.create(
        member=kept,
        role=role("sprint-planning-manager"),
        cell=cell,
        since=TODAY - timedelta(days=800),
        until=TODAY - timedelta(days=3),
    )
    RoleAssignmentFactory.create(
        member=leaver,
        role=role("epic-planning-sustainability-manager"),
        cell=cell,
        since=TODAY - timedelta(days=100),
        until=TODAY - timedelta(days=6),
    )
    RoleAssignmentFactory.create(
        member=early,
        role=role("sprint-manager"),
        cell=cell,
        since=TODAY - timedelta(days=300),
        until=TODAY - timedelta(days=200),
    )
    # Not a management role: mentoring ends with the trial.
    RoleAssignmentFactory.create(
        member=kept,
        role=role("mentor"),
        cell=cell,
        since=TODAY - timedelta(days=60),
        until=TODAY - timedelta(days=2),
    )
    (finding,) = findings("role-given-up-early")
    assert finding.subject == f"assignment:{short.pk}:early" and finding.member_id == early.pk
    assert "after about 3 months" in finding.message


def test_role_given_up_early_holds_for_a_year_held_ongoing_roles_leavers_and_old_ends(cell):
    holder, leaver = MemberFactory.create(cell=cell), MemberFactory.create(cell=cell, left_on=TODAY)
    for slug, member, since, until in (
        ("sprint-manager", holder, TODAY - timedelta(days=370), TODAY - timedelta(days=2)),  # a year
        ("sprint-planning-manager", holder, TODAY - timedelta(days=40), None),  # still held
        (
            "epic-planning-sustainability-manager",
            leaver,
            TODAY - timedelta(days=90),
            TODAY - timedelta(days=3),
        ),
        ("sprint-manager", holder, TODAY - timedelta(days=500), TODAY - timedelta(days=400)),  # long ago
        ("mentor", holder, TODAY - timedelta(days=30), TODAY - timedelta(days=1)),  # not management
    ):
        RoleAssignmentFactory.create(member=member, role=role(slug), cell=cell, since=since, until=until)
    assert findings("role-given-up-early") == []
