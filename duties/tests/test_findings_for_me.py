""" "Findings for me": the ones naming the member, and those addressed to a role they hold
(in the finding's cell, or company-wide) that name nobody; on the home page and the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from duties.tests.factories import make_member
from opencraft_ops.process_checks import CheckContext, Finding, Severity, held_roles
from roles.models import Role
from roles.tests.factories import RoleAssignmentFactory
from sprints.tests.factories import SpilloverFactory, TicketFactory, current_sprint, sprint_added_at

TODAY = date.today()
ME, SOMEONE_ELSE, BEBOP, FALCON = 1, 2, 10, 20


def finding(*, member_id=None, role_slug=None, cell_id=None) -> Finding:
    return Finding(
        rule="r",
        severity=Severity.INFO,
        message="m",
        subject="s",
        member_id=member_id,
        role_slug=role_slug,
        cell_id=cell_id,
    )


@pytest.mark.parametrize(
    ("held", "item", "addressed"),
    [
        # Named: mine whatever the roles; someone else's never, even for a role I hold.
        (set(), finding(member_id=ME), True),
        (
            {("sprint-manager", BEBOP)},
            finding(member_id=SOMEONE_ELSE, role_slug="sprint-manager", cell_id=BEBOP),
            False,
        ),
        # A role in a cell: the holder there, not the holder elsewhere nor a non-holder.
        ({("sprint-manager", BEBOP)}, finding(role_slug="sprint-manager", cell_id=BEBOP), True),
        ({("sprint-manager", FALCON)}, finding(role_slug="sprint-manager", cell_id=BEBOP), False),
        ({("mentor", BEBOP)}, finding(role_slug="sprint-manager", cell_id=BEBOP), False),
        # A role held company-wide matches every cell, and findings about no cell.
        ({("cell-supporter", None)}, finding(role_slug="cell-supporter", cell_id=FALCON), True),
        ({("ceo", None)}, finding(role_slug="ceo"), True),
        # A finding about no cell, for a cell role: whoever holds it, in any cell.
        ({("sprint-manager", FALCON)}, finding(role_slug="sprint-manager"), True),
        # Addressed to nobody and no role: nobody's.
        ({("sprint-manager", BEBOP)}, finding(cell_id=BEBOP), False),
    ],
)
def test_addresses_member(held, item, addressed):
    context = CheckContext(as_of=TODAY, member_id=ME, member_roles=frozenset(held))
    assert context.addresses_member(item) is addressed
    # Without a member, every finding is kept (the cell dashboards).
    assert CheckContext(as_of=TODAY).addresses_member(item) is True


def test_held_roles_places_cell_less_assignments():
    rows = [
        ("sprint-manager", "cell", BEBOP, BEBOP),  # a cell role in its cell
        ("cell-supporter", "company", None, None),  # company-wide: every cell
        ("mentor", "team", None, FALCON),  # a cell-less team role acts in the member's cell
        ("epic-owner", "team", None, None),  # ... or everywhere for a member outside the cells
    ]
    assert held_roles(rows) == {
        ("sprint-manager", BEBOP),
        ("cell-supporter", None),
        ("mentor", FALCON),
        ("epic-owner", None),
    }


@pytest.fixture
def api():
    return APIClient()


def _home_rules(client, member) -> list[tuple[str, str]]:
    client.force_login(member.user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return sorted((f.rule, f.subject) for f in response.context["findings"])


def _api_rules(api, member, **params) -> list[tuple[str, str]]:
    api.force_authenticate(member.user)
    response = api.get("/api/duties/findings/mine/", params)
    assert response.status_code == 200
    return sorted((f["rule"], f["subject"]) for f in response.data)


def test_the_sprint_manager_gets_the_findings_addressed_to_their_role_in_their_cell(
    client, api, sprint_manager, core_member, cell, other_cell
):
    sprint = current_sprint()
    injected = TicketFactory(cell=cell, sprint=sprint, added_to_sprint_at=sprint_added_at(sprint, 13))
    unexplained: Any = SpilloverFactory(ticket__cell=cell, ticket__assignee=None, cell=cell)  # nobody to ask
    explained_by_core: Any = SpilloverFactory(ticket__cell=cell, ticket__assignee=core_member, cell=cell)
    falcon_manager = make_member(cell=other_cell)
    RoleAssignmentFactory(
        member=falcon_manager, role=Role.objects.get(slug="sprint-manager"), cell=other_cell, since=TODAY
    )
    role_addressed = {
        ("sprint-injection-not-accepted", f"ticket:{injected.key}:injection"),
        ("sprint-spillover-unexplained", f"spillover:{unexplained.pk}"),
    }
    mine = set(_home_rules(client, sprint_manager))
    assert role_addressed <= mine
    # Bebop has no firefighter rotation: the sprint manager is asked to cover the days.
    assert any(rule == "rotation-uncovered-days" and "bebop" in subject for rule, subject in mine)
    # Named findings stay with the one named: the core member's spillover is theirs.
    assert ("sprint-spillover-unexplained", f"spillover:{explained_by_core.pk}") not in mine
    assert set(_api_rules(api, sprint_manager)) == mine
    # Neither a member of the cell without the role, nor the sprint manager of another cell.
    assert not role_addressed & set(_home_rules(client, core_member))
    assert ("sprint-spillover-unexplained", f"spillover:{explained_by_core.pk}") in _home_rules(
        client, core_member
    )
    falcon = set(_api_rules(api, falcon_manager))
    assert not role_addressed & falcon
    assert not any("bebop" in subject for _, subject in falcon)


def test_a_company_wide_role_gets_its_findings_for_every_cell(client, api, cell, other_cell):
    # Neither cell has a sprint planning manager: the cell supporters are asked to find one.
    supporter = make_member(cell=None)
    RoleAssignmentFactory(member=supporter, role=Role.objects.get(slug="cell-supporter"), since=TODAY)
    falcon_supporter = make_member(cell=None)
    RoleAssignmentFactory(
        member=falcon_supporter, role=Role.objects.get(slug="cell-supporter"), cell=other_cell, since=TODAY
    )
    missing = {f"cell:{c.pk}:role:sprint-planning-manager" for c in (cell, other_cell)}
    everywhere = {s for r, s in _home_rules(client, supporter) if r == "cell-missing-management-role"}
    assert missing <= everywhere
    assert {s for r, s in _api_rules(api, supporter) if r == "cell-missing-management-role"} == everywhere
    # A cell supporter assigned to one cell gets that cell's only.
    falcon_only = {s for r, s in _home_rules(client, falcon_supporter) if r == "cell-missing-management-role"}
    assert f"cell:{other_cell.pk}:role:sprint-planning-manager" in falcon_only
    assert not any(s.startswith(f"cell:{cell.pk}:") for s in falcon_only)


def test_an_ended_assignment_no_longer_brings_the_roles_findings(api, cell):
    former = make_member(cell=cell)
    RoleAssignmentFactory(
        member=former,
        role=Role.objects.get(slug="sprint-manager"),
        cell=cell,
        since=TODAY - timedelta(days=100),
        until=TODAY - timedelta(days=1),
    )
    assert not any(rule == "rotation-uncovered-days" for rule, _ in _api_rules(api, former))
    # Asked about a day they still held it, the finding was theirs.
    past = _api_rules(api, former, as_of=(TODAY - timedelta(days=2)).isoformat())
    assert any(rule == "rotation-uncovered-days" for rule, _ in past)
