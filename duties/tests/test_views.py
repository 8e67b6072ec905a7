"""Pages of the duties app, through HTTP: happy paths, refusals and query counts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
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


def test_home_empty_states(client, cell):
    # Joined today: no month behind them to be under their hours for, no role, no duty.
    fresh = make_member(cell=cell, joined_on=TODAY)
    login(client, fresh)
    body = client.get(reverse("home")).content.decode()
    assert "No duty is open for you" in body
    assert "You hold no cell role" in body
    assert "Nothing needs you today" in body
    assert "No ticket is assigned to you" in body
    assert "No ticket waits for your review" in body
    assert "No time off recorded ahead" in body
    assert "You own or review no open epic" in body
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
    # The overdue duty is a finding naming the member; Bebop's days without a firefighter
    # are one addressed to its sprint manager's role.
    assert reverse("duties:detail", args=[overdue.pk]) in body
    findings = response.context["findings"]
    assert [f.subject for f in findings if f.rule == "duty-overdue"] == [f"duty:{overdue.pk}"]
    uncovered = [f for f in findings if f.rule == "rotation-uncovered-days"]
    assert uncovered and all(f.member_id is None and f.role_slug == "sprint-manager" for f in uncovered)


def test_someone_elses_duties_are_not_on_my_home(client, sprint_manager, core_member, wrap_up):
    login(client, core_member)
    assert "Sprint wrap-up" not in client.get(reverse("home")).content.decode()


def _grow_home_data(member: Any, n: int, tag: str) -> None:
    """``n`` more of everything the home page and the checks read for ``member``: duties (half
    overdue), unassigned overdue duties of their role, roles, rotations, owned epics without an
    update, worklogs, and findings of every kind of addressee (named, their role in the cell)."""
    from sprints.tests.factories import (
        EpicFactory,
        SpilloverFactory,
        TicketFactory,
        current_sprint,
        sprint_added_at,
    )
    from sustainability.tests.factories import WorklogFactory

    definitions = list(DutyDefinition.objects.filter(role__slug="sprint-manager"))
    for i, duty in enumerate(make_duties(member, n)):
        duty.period = f"{tag}{i}"
        duty.save(update_fields=["period"])
    for i in range(n):
        DutyInstanceFactory(
            definition=definitions[i % len(definitions)],
            cell=member.cell,
            assignee=None,
            period=f"{tag}-vacant-{i}",
            opens_on=TODAY - timedelta(days=9),
            due_on=TODAY - timedelta(days=2),
        )
    sprint = current_sprint()
    slugs = ("epic-owner", "mentor", "code-reviewer", "specialist", "devops-specialist", "client-owner")
    for i in range(n):
        if i < len(slugs) and not member.assignments.filter(role__slug=slugs[i]).exists():
            RoleAssignmentFactory(member=member, role=Role.objects.get(slug=slugs[i]), since=TODAY)
        RotationAssignment.objects.create(
            kind="pager", member=member, start=TODAY + timedelta(i), end=TODAY + timedelta(i)
        )
        EpicFactory(key=f"{tag}-{i}", cell=member.cell, owner=member)
        WorklogFactory(member=member, work_date=TODAY - timedelta(days=i % 5))
        TicketFactory(
            key=f"{tag}-INJ-{i}",
            cell=member.cell,
            sprint=sprint,
            added_to_sprint_at=sprint_added_at(sprint, 13),
        )
        SpilloverFactory(
            ticket__key=f"{tag}-SP-{i}", ticket__cell=member.cell, ticket__assignee=None, cell=member.cell
        )
        SpilloverFactory(
            ticket__key=f"{tag}-MY-{i}", ticket__cell=member.cell, ticket__assignee=member, cell=member.cell
        )


def test_home_query_count_does_not_grow_with_the_data(
    client, sprint_manager, django_assert_num_queries, fresh_findings
):
    _grow_home_data(sprint_manager, 2, "A")
    login(client, sprint_manager)
    fresh_findings()
    # session, the user with their member and cell (2); duties, checklist items (2); the
    # member's rotations and epics (listed, and counted in the capacity) (2); their time off
    # from the sprint's start (the sprint's, and the next period away), their type periods
    # (newcomer or not), their role assignments during the sprint (today's, and the sprint's
    # reservations) (3); the rest of the capacity: commitments, assigned and reviewed tickets
    # (2); their sprint tickets and reviews (1); the completions due in the cells they manage
    # (1); the stored findings for them (1); worklog totals (1) = 15. The findings' freshness
    # and the cell's sustainability figure come from the cache the evaluation fills. No
    # process check runs.
    expected = 15
    with django_assert_num_queries(expected):
        small = client.get(reverse("home"))
    small_findings = len(small.context["findings"])
    # Six times the duties, roles, rotations, epics and findings: the same total, measured
    # once, so an N+1 in a check or in the capacity would show here.
    _grow_home_data(sprint_manager, 12, "B")
    fresh_findings()
    with django_assert_num_queries(expected):
        large = client.get(reverse("home"))
    assert (small.context["duty_count"], large.context["duty_count"]) == (2, 14)
    assert len(large.context["assignments"]) > len(small.context["assignments"])
    assert len(large.context["epics"]) == 14
    findings = large.context["findings"]
    assert len(findings) > small_findings
    rules_seen = {(f.rule, f.member_id is None) for f in findings}
    assert {
        ("duty-overdue", False),  # naming the member
        ("sprint-spillover-unexplained", False),
        ("sprint-spillover-unexplained", True),  # addressed to their role in the cell
        ("sprint-injection-not-accepted", True),
        ("duty-unassigned", True),
    } <= rules_seen


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
    client, sprint_manager, cell, django_assert_num_queries, fresh_findings, count
):
    from findings.models import Finding
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
        # Past episodes for the monthly history: more history, the same queries.
        seen = timezone.now() - timedelta(days=30 * i + 3)
        Finding.objects.create(
            key=f"old|{i}",
            rule="x",
            subject=f"old:{i}",
            scope=f"cell:{cell.pk}",
            cell_id=cell.pk,
            severity=2,
            message="An old slip",
            first_seen=seen,
            last_seen=seen + timedelta(days=1),
            resolved_at=seen + timedelta(days=2),
        )
    fresh_findings()
    login(client, sprint_manager)
    # session, user (with member and cell), cells, company-role check (can_view_cell, then cached
    # for the cell list), open findings, their history per month, owner names, snapshots,
    # completion, duties, checklist items (11; the freshness comes from the cache the
    # evaluation fills): no process check runs.
    with django_assert_num_queries(11):
        response = client.get(reverse("duties:health"))
    assert len(response.context["duties"]) == count
    assert response.context["finding_count"] > 0
    assert sum(response.context["history"].totals) >= count
    assert "<svg" in response.content.decode()


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
    from epics.models import EpicUpdate
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
    # Every open epic they own or review is listed, the updated one marked so; done ones are not.
    assert "BB-1" in body and "BB-3" not in body and "2.00 h logged" in body
    assert re.search(
        r"BB-2</a> Theming\s*<span[^>]*>· reviewer</span>\s*<span class=\"badge ok\">updated", body
    )


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


# --- refusals of the duty pages ---------------------------------------------------------


def test_complete_and_notes_refusals(client, sprint_manager, wrap_up):
    for name in ("duties:complete", "duties:notes"):
        url = reverse(name, args=[wrap_up.pk])
        anonymous = client.post(url, {"notes": "x"})
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        login(client, sprint_manager)
        assert client.get(url).status_code == 405
        assert client.post(reverse(name, args=[999999]), {"notes": "x"}).status_code == 404
        client.logout()
    wrap_up.refresh_from_db()
    assert (wrap_up.done_at, wrap_up.notes) == (None, "")


def test_duty_detail_of_a_missing_duty_is_404(client, sprint_manager):
    login(client, sprint_manager)
    assert client.get(reverse("duties:detail", args=[999999])).status_code == 404


def test_clock_form_needs_login_and_refuses_post(client, core_member):
    url = reverse("duties:clock")
    anonymous = client.get(url, {"member": core_member.pk, "pinged_at": "2026-11-20T20:00", "window": "24h"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    login(client, core_member)
    assert client.post(url, {"member": core_member.pk, "pinged_at": "2026-11-20T20:00"}).status_code == 405


@pytest.mark.parametrize(
    "pinged_at", ["9999-12-30T00:00", "9999-12-31T23:59", "0001-01-01T00:00", "1999-12-31T12:00"]
)
def test_clock_form_refuses_dates_out_of_range(client, core_member, pinged_at):
    login(client, core_member)
    response = client.get(
        reverse("duties:clock"), {"member": core_member.pk, "pinged_at": pinged_at, "window": "24h"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["pinged_at"] == ["Give a date between 2000 and 2100."]
    assert "Give a date between 2000 and 2100." in response.content.decode()


# --- duties with no cell ----------------------------------------------------------------


@pytest.fixture
def cell_less_duty(db):
    """A cell supporter's quarterly check-in: the supporter belongs to no cell."""
    supporter = make_member(cell=None, user__username="supporter")
    role = Role.objects.get(slug="cell-supporter")
    RoleAssignmentFactory(member=supporter, role=role, since=TODAY - timedelta(days=30))
    return DutyInstanceFactory(
        definition=DutyDefinition.objects.get(slug="cell-supporter-quarterly-check-in"),
        cell=None,
        subject_key=f"member:{supporter.pk}",
        subject_member=supporter,
        assignee=supporter,
        period="2026-Q4",
    )


def test_a_duty_with_no_cell_is_only_for_those_it_concerns(client, cell_less_duty, outsider, staff_user):
    url = reverse("duties:detail", args=[cell_less_duty.pk])
    loner = make_member(cell=None, user__username="loner")  # outside the cells, like the duty
    for stranger in (outsider, loner):
        login(client, stranger)
        assert client.get(url).status_code == 403
    other_supporter = make_member(cell=None)
    RoleAssignmentFactory(member=other_supporter, role=Role.objects.get(slug="cell-supporter"), since=TODAY)
    for allowed in (cell_less_duty.assignee, other_supporter, staff_user):
        login(client, allowed)
        assert client.get(url).status_code == 200
    # The other supporter may stand in; the loner may not tick.
    login(client, loner)
    item = cell_less_duty.items.first()
    assert client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1"}).status_code == 403
    assert not ChecklistItem.objects.filter(ticked_at__isnull=False).exists()


# --- quick actions, completion rate -----------------------------------------------------


def test_home_links_each_epic_without_update_to_its_update_form(client, sprint_manager, cell):
    from sprints.tests.factories import EpicFactory

    epic = EpicFactory(key="BB-9", cell=cell, owner=sprint_manager)
    login(client, sprint_manager)
    body = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("epics:epic-update-form", args=[epic.key])}"' in body
    assert 'id="daily-email"' in body  # the digest's footer links here


def test_completion_rate_ignores_duties_not_due_yet(client, sprint_manager, cell):
    definition = DutyDefinition.objects.get(slug="sprint-manager-wrap-up")

    def duty(period: str, due: date, done: bool) -> None:
        DutyInstanceFactory(
            definition=definition,
            cell=cell,
            assignee=sprint_manager,
            period=period,
            opens_on=due - timedelta(days=1),
            due_on=due,
            done_at=timezone.now() if done else None,
        )

    duty("late", TODAY - timedelta(days=1), done=False)  # counts against the rate
    duty("done-yesterday", TODAY - timedelta(days=1), done=True)
    duty("done-today", TODAY, done=True)  # counts: done
    duty("due-today", TODAY, done=False)  # not late yet: left out
    login(client, sprint_manager)
    row = client.get(reverse("duties:health")).context["completion"][0]
    assert (row.role_name, row.total, row.done, row.percent) == ("Sprint manager", 3, 2, 67)


def test_home_capacity_matches_the_sprint_apps_own(client, sprint_manager):
    """The home page preloads the member's rotations and epics for the capacity: the row is
    the one the sprints app computes by itself."""
    from epics.tests.factories import EpicFactory
    from opencraft_ops import calendar
    from rotations.tests.factories import RotationAssignmentFactory
    from sprints.selectors import member_capacity

    sprint = calendar.sprint_on(TODAY)
    RotationAssignmentFactory(
        member=sprint_manager,
        cell=sprint_manager.cell,
        start=sprint.start,
        end=sprint.start + timedelta(days=4),
    )
    EpicFactory(owner=sprint_manager, cell=sprint_manager.cell, status="in_development")
    EpicFactory(owner=sprint_manager, cell=sprint_manager.cell, status="done")
    login(client, sprint_manager)
    shown = client.get(reverse("home")).context["capacity"]
    expected = member_capacity(member=sprint_manager, sprint_number=sprint.number)
    # Every figure is the sprints app's; the home row carries no member type (the page does
    # not show it, and reading the type on the sprint's first day would cost a query more).
    assert replace(shown, member_type=expected.member_type) == expected
    assert shown.rotation_hours > 0 and shown.epic_hours > 0


def test_clock_form_client_email_uses_the_project_cells_sla(client, core_member, cell):
    from decimal import Decimal

    from roles.tests.factories import CellFactory

    project = CellFactory(kind="project", client_sla_hours=Decimal("8"))
    on_project = make_member(cell=project, timezone="UTC")
    on_generalist = make_member(cell=cell, timezone="UTC")
    core_member.user.is_staff = True
    core_member.user.save()
    login(client, core_member)
    query = {"pinged_at": "2026-11-20T10:00", "window": "client"}
    # Friday 10:00 UTC: 8 business hours later is Friday 18:00 on the project cell (its SLA) ...
    strict = client.get(reverse("duties:clock"), {**query, "member": on_project.pk})
    assert strict.status_code == 200, strict.context["form"].errors
    assert strict.context["due_iso"] == "2026-11-20T18:00:00+00:00"
    # ... and Monday 10:00 on a cell that keeps the 24 h default.
    default = client.get(reverse("duties:clock"), {**query, "member": on_generalist.pk})
    assert default.context["due_iso"] == "2026-11-23T10:00:00+00:00"
    # The plain 24 h window (pings, reviews) is not shortened by the client SLA.
    ping = client.get(reverse("duties:clock"), {**query, "window": "24h", "member": on_project.pk})
    assert ping.context["due_iso"] == "2026-11-23T10:00:00+00:00"


def test_a_firefighter_duty_is_for_who_the_schedule_names(client, cell, core_member):
    """Standing in on a rotation role's duty follows the rotation schedule (a backup firefighter
    included), never a role assignment of the rotation role stored from before."""
    definition = DutyDefinition.objects.filter(role__slug="firefighter-1").first()
    assert definition is not None
    holder = make_member(cell=cell, member_type="core", user__username="ff1")
    backup = make_member(cell=cell, member_type="core", user__username="ffbackup")
    stale = make_member(cell=cell, member_type="core", user__username="stale")
    RotationAssignment.objects.create(kind="firefighter_1", cell=cell, member=holder, start=TODAY, end=TODAY)
    RotationAssignment.objects.create(
        kind="firefighter_backup", cell=cell, member=backup, start=TODAY, end=TODAY
    )
    from roles.models import RoleAssignment

    RoleAssignment.objects.bulk_create(  # stored before: clean() refuses it now
        [RoleAssignment(member=stale, role=definition.role, cell=cell, since=TODAY - timedelta(days=9))]
    )
    duty = DutyInstanceFactory.create(
        definition=definition, cell=cell, assignee=core_member, period="FF", due_on=TODAY + timedelta(1)
    )
    item = duty.items.first()
    assert item is not None
    for member, status in ((stale, 403), (backup, 302), (holder, 302)):
        login(client, member)
        response = client.post(reverse("duties:tick", args=[item.pk]), {"ticked": "1"})
        assert (member.user.username, response.status_code) == (member.user.username, status)
