"""Pages of the duties app, through HTTP: happy paths, refusals and query counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from duties.models import ChecklistItem, DutyDefinition, DutyInstance, FindingSnapshot
from duties.tests.factories import DutyInstanceFactory, make_member
from roles.models import Role
from roles.tests.factories import RoleAssignmentFactory
from rotations.models import RotationAssignment

TODAY = date.today()


def login(client, member_or_user):
    user = getattr(member_or_user, "user", member_or_user)
    client.force_login(user)


def make_duties(member, count, *, overdue=True):
    """``count`` open duties for ``member``, half overdue, each with a checklist."""
    definitions = list(DutyDefinition.objects.filter(role__slug="sprint-manager"))
    made = []
    for i in range(count):
        due = TODAY - timedelta(days=3) if overdue and i % 2 == 0 else TODAY + timedelta(days=1)
        made.append(
            DutyInstanceFactory(
                definition=definitions[i % len(definitions)],
                cell=member.cell,
                assignee=member,
                period=f"T{i}",
                opens_on=due - timedelta(days=5),
                due_on=due,
            )
        )
    return made


# --- home -------------------------------------------------------------------------------


def test_home_needs_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_home_refuses_post(client, sprint_manager):
    login(client, sprint_manager)
    assert client.post(reverse("home")).status_code == 405


def test_home_for_a_user_without_member(client, staff_user):
    login(client, staff_user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "not linked to a team member" in response.content.decode()


def test_home_empty_states(client, core_member):
    login(client, core_member)
    body = client.get(reverse("home")).content.decode()
    assert "No duty is open for you" in body
    assert "You hold no role" in body
    assert "No rotation ahead" in body
    assert "No process check points at you" in body


def test_home_shows_duties_roles_rotations_and_findings(client, sprint_manager, wrap_up):
    overdue = make_duties(sprint_manager, 1)[0]
    RotationAssignment.objects.create(
        kind="firefighter_1",
        cell=sprint_manager.cell,
        member=sprint_manager,
        start=TODAY,
        end=TODAY + timedelta(13),
    )
    login(client, sprint_manager)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert "Sprint wrap-up" in body and "Due today" in body
    assert "Overdue (1)" in body
    assert "Every spillover of the previous sprint has an explanation" in body
    assert "Sprint manager" in body and "Firefighter 1" in body
    # The overdue duty is a finding addressed to the member.
    assert reverse("duties:detail", args=[overdue.pk]) in body
    assert [f.rule for f in response.context["findings"]] == ["duty-overdue"]


def test_someone_elses_duties_are_not_on_my_home(client, sprint_manager, core_member, wrap_up):
    login(client, core_member)
    assert "Sprint wrap-up" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_home_query_count_is_constant(
    client, sprint_manager, django_assert_num_queries, check_queries, capacity_queries, count
):
    make_duties(sprint_manager, count)
    for slug in ("epic-owner", "mentor", "code-reviewer")[: count // 4]:
        RoleAssignmentFactory(member=sprint_manager, role=Role.objects.get(slug=slug), since=TODAY)
    for i in range(count // 2):
        RotationAssignment.objects.create(
            kind="pager", member=sprint_manager, start=TODAY + timedelta(i), end=TODAY + timedelta(i)
        )
    login(client, sprint_manager)
    rules = check_queries(member_id=sprint_manager.pk)
    capacity = capacity_queries(sprint_manager)
    # session, user, member (+cell), duties, checklist items, roles, rotations,
    # epics without an update, worklog totals, commitments, time off (11), then the sprints
    # app's member capacity and the registered process checks, each a fixed number.
    with django_assert_num_queries(11 + capacity + rules):
        response = client.get(reverse("home"))
    assert response.context["duty_count"] == count
    assert len(response.context["findings"]) == (count + 1) // 2


# --- ticking ----------------------------------------------------------------------------


def test_tick_items_until_the_duty_is_done(client, sprint_manager, wrap_up):
    login(client, sprint_manager)
    items = list(wrap_up.items.order_by("position"))
    for item in items:
        response = client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1", "next": "/"})
        assert response.status_code == 302 and response["Location"] == "/"
    wrap_up.refresh_from_db()
    assert wrap_up.done_at is not None and wrap_up.done_by == sprint_manager
    assert all(i.ticked_by == sprint_manager for i in ChecklistItem.objects.filter(duty=wrap_up))
    # Unticking one reopens the duty.
    client.post(reverse("duties:tick", args=[items[0].pk]), {"ticked": "0"})
    wrap_up.refresh_from_db()
    assert wrap_up.done_at is None
    assert ChecklistItem.objects.get(pk=items[0].pk).ticked_at is None


def test_tick_with_htmx_returns_the_card(client, sprint_manager, wrap_up):
    login(client, sprint_manager)
    item = wrap_up.items.first()
    response = client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<article") and 'aria-pressed="true"' in body


def test_tick_refusals(client, sprint_manager, outsider, core_member, wrap_up):
    item = wrap_up.items.first()
    url = reverse("duties:tick", args=[item.pk])
    assert client.post(url, {"ticked": "1"}).status_code == 302  # anonymous: to the login page
    login(client, outsider)
    assert client.post(url, {"ticked": "1"}).status_code == 403
    login(client, core_member)  # same cell, but not the assignee nor a holder of the role
    assert client.post(url, {"ticked": "1"}).status_code == 403
    login(client, sprint_manager)
    assert client.get(url).status_code == 405
    assert client.post(url, {"ticked": "maybe"}).status_code == 400
    assert client.post(reverse("duties:tick", args=[999999]), {"ticked": "1"}).status_code == 404
    assert not ChecklistItem.objects.filter(ticked_at__isnull=False).exists()


def test_next_must_stay_on_the_site(client, sprint_manager, wrap_up):
    login(client, sprint_manager)
    item = wrap_up.items.first()
    response = client.post(
        reverse("duties:tick", args=[item.pk]), {"ticked": "1", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("duties:detail", args=[wrap_up.pk])


def test_backup_standing_in_may_tick(client, sprint_manager, core_member, wrap_up):
    assignment = sprint_manager.assignments.get()
    assignment.backup = core_member
    assignment.save()
    login(client, core_member)
    item = wrap_up.items.first()
    assert client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1"}).status_code == 302
    assert ChecklistItem.objects.get(pk=item.pk).ticked_by == core_member


def test_staff_may_tick(client, staff_user, wrap_up):
    login(client, staff_user)
    item = wrap_up.items.first()
    assert client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1"}).status_code == 302


# --- detail, notes, complete ------------------------------------------------------------


def test_detail_and_notes_and_complete(client, sprint_manager, wrap_up):
    login(client, sprint_manager)
    response = client.get(reverse("duties:detail", args=[wrap_up.pk]))
    assert response.status_code == 200 and response.context["can_edit"]
    client.post(reverse("duties:notes", args=[wrap_up.pk]), {"notes": "Two spillovers explained."})
    wrap_up.refresh_from_db()
    assert wrap_up.notes == "Two spillovers explained."
    client.post(reverse("duties:complete", args=[wrap_up.pk]))
    wrap_up.refresh_from_db()
    assert wrap_up.done_at is not None and wrap_up.notes == "Two spillovers explained."


def test_detail_refusals(client, sprint_manager, core_member, outsider, wrap_up):
    url = reverse("duties:detail", args=[wrap_up.pk])
    assert client.get(url).status_code == 302
    login(client, outsider)
    assert client.get(url).status_code == 403
    assert client.post(reverse("duties:notes", args=[wrap_up.pk]), {"notes": "x"}).status_code == 403
    assert client.post(reverse("duties:complete", args=[wrap_up.pk])).status_code == 403
    login(client, core_member)  # same cell: may read, not edit
    response = client.get(url)
    assert response.status_code == 200 and not response.context["can_edit"]
    login(client, sprint_manager)
    too_long = client.post(reverse("duties:notes", args=[wrap_up.pk]), {"notes": "x" * 10_001})
    assert too_long.status_code == 302
    wrap_up.refresh_from_db()
    assert wrap_up.notes == "" and wrap_up.done_at is None


# --- cell health ------------------------------------------------------------------------


def test_cell_health_groups_findings_and_shows_completion(client, sprint_manager, cell, wrap_up):
    overdue = make_duties(sprint_manager, 2)
    FindingSnapshot.objects.create(
        day=TODAY - timedelta(days=14),
        sprint_number=1,
        cell=cell,
        cell_key=f"cell:{cell.pk}",
        rule="duty-overdue",
        count=3,
    )
    for item in wrap_up.items.all():
        client.force_login(sprint_manager.user)
        client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1"})
    response = client.get(reverse("duties:health"))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["cell"] == cell
    groups = {g["rule"]: g for g in response.context["groups"]}
    owners = dict(groups["duty-overdue"]["owners"])
    assert len(owners[sprint_manager.name]) == 1  # one of the two is overdue
    assert overdue[0].definition.title in body
    row = response.context["completion"][0]
    assert (row.role_name, row.done) == ("Sprint manager", 1)
    assert f'id="health-duty-{wrap_up.pk}"' in body and "Done" in body
    assert response.context["trend"][0]["total"] == 3


def test_cell_health_refusals(client, sprint_manager, outsider, other_cell, cell):
    assert client.get(reverse("duties:health")).status_code == 302
    login(client, outsider)
    assert client.get(reverse("duties:health"), {"cell": cell.slug}).status_code == 403
    assert client.get(reverse("duties:health"), {"cell": "nope"}).status_code == 404
    assert client.get(reverse("duties:health")).context["cell"] == other_cell
    assert client.post(reverse("duties:health")).status_code == 405


@pytest.mark.parametrize("count", [2, 10])
def test_cell_health_query_count_is_constant(
    client, sprint_manager, cell, django_assert_num_queries, check_queries, count
):
    from roles.tests.factories import CellFactory

    for i in range(count):  # more cells must not mean more queries
        CellFactory(name=f"Extra {count}-{i}", slug=f"extra-{count}-{i}")
    make_duties(sprint_manager, count)
    for i in range(count):
        FindingSnapshot.objects.create(
            day=TODAY - timedelta(days=i),
            sprint_number=100 + i,
            cell=cell,
            cell_key=f"cell:{cell.pk}",
            rule="x",
            count=i,
        )
    login(client, sprint_manager)
    rules = check_queries(cell_ids=frozenset({cell.pk}))
    # session, user, member (+cell), cells, company-role check (can_view_cell, then cached
    # for the cell list), owner names, snapshots, completion, duties, checklist items,
    # + the process checks.
    with django_assert_num_queries(10 + rules):
        response = client.get(reverse("duties:health"))
    assert len(response.context["duties"]) == count


# --- triage and clock forms -------------------------------------------------------------


def test_triage_form(client, core_member):
    login(client, core_member)
    assert client.get(reverse("duties:triage")).status_code == 200
    response = client.get(reverse("duties:triage"), {"severity": "medium", "reported_on": "2026-12-31"})
    assert response.status_code == 200
    assert response.context["schedule"].sprint_number == 210
    assert "Tue 5 Jan 2027" in response.content.decode()
    high = client.get(reverse("duties:triage"), {"severity": "high", "reported_on": "2026-12-31"})
    assert "the firefighters start at once" in high.content.decode()


def test_triage_form_bad_input(client, core_member):
    assert client.get(reverse("duties:triage")).status_code == 302
    login(client, core_member)
    response = client.get(reverse("duties:triage"), {"severity": "apocalyptic", "reported_on": "yesterday"})
    assert response.status_code == 400
    assert response.context["schedule"] is None
    assert client.post(reverse("duties:triage")).status_code == 405


def test_clock_form(client, core_member, cell):
    kolkata = make_member(cell=cell, timezone="Asia/Kolkata")
    login(client, core_member)
    response = client.get(
        reverse("duties:clock"), {"member": kolkata.pk, "pinged_at": "2026-11-20T20:00", "window": "24h"}
    )
    assert response.status_code == 200
    # Friday 20:00 UTC is Saturday 01:30 in Kolkata: due Tuesday 00:00 there.
    assert response.context["due_iso"] == "2026-11-24T00:00:00+05:30"


def test_clock_form_refusals(client, core_member, outsider):
    login(client, core_member)
    bad = client.get(reverse("duties:clock"), {"member": 999999, "pinged_at": "soon", "window": "1y"})
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"member", "pinged_at", "window"}
    other = client.get(
        reverse("duties:clock"), {"member": outsider.pk, "pinged_at": "2026-11-20T20:00", "window": "24h"}
    )
    assert other.status_code == 403


# --- digest opt-out ---------------------------------------------------------------------


def test_digest_toggle(client, core_member):
    assert client.post(reverse("duties:digest"), {"email_digest": "0"}).status_code == 302
    core_member.refresh_from_db()
    assert core_member.email_digest is True  # anonymous changed nothing
    login(client, core_member)
    assert client.post(reverse("duties:digest"), {"email_digest": "0"}).status_code == 302
    core_member.refresh_from_db()
    assert core_member.email_digest is False
    assert client.post(reverse("duties:digest"), {"email_digest": "perhaps"}).status_code == 400
    assert client.get(reverse("duties:digest")).status_code == 405


def test_opener_output_shows_on_home(client, sprint_manager, open_duties):
    open_duties(lookback_days=20)
    assert DutyInstance.objects.filter(assignee=sprint_manager).exists()
    login(client, sprint_manager)
    assert client.get(reverse("home")).context["duty_count"] > 0


def test_home_shows_epics_without_update_and_worklog_health(client, sprint_manager, cell):
    from sprints.epic_models import EpicUpdate
    from sprints.tests.factories import EpicFactory, current_sprint
    from sustainability.tests.factories import WorklogFactory

    sprint = current_sprint()
    pending = EpicFactory(key="BB-1", title="Upgrade", cell=cell, owner=sprint_manager)
    updated: Any = EpicFactory(key="BB-2", title="Theming", cell=cell, reviewer=sprint_manager)
    EpicFactory(key="BB-3", title="Closed", cell=cell, owner=sprint_manager, status="done")
    EpicUpdate.objects.create(epic=updated, sprint=sprint, budget_kind="fixed")
    WorklogFactory(member=sprint_manager, work_date=TODAY, seconds=2 * 3600)
    login(client, sprint_manager)
    response = client.get(reverse("home"))
    assert [e.key for e in response.context["epics"]] == [pending.key]
    health = response.context["worklogs"]
    assert str(health.logged_hours) == "2.00" and health.last_work_date == TODAY
    body = response.content.decode()
    assert "BB-1" in body and "BB-2" not in body and "2.00 h logged" in body


def test_home_for_a_member_outside_any_cell(client, db):
    loner = make_member(cell=None, user__username="loner")
    login(client, loner)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No duty is open for you" in response.content.decode()
    assert client.get(reverse("duties:health")).status_code == 200  # asks to pick a cell


def test_detail_history_names_the_assignees(client, sprint_manager, wrap_up, core_member):
    wrap_up.assignee = core_member
    wrap_up.assigned_as = "backup"
    wrap_up.save()
    login(client, sprint_manager)
    body = client.get(reverse("duties:detail", args=[wrap_up.pk])).content.decode()
    assert f"assigned to {escape(core_member.name)} (Backup (holder off))" in body
