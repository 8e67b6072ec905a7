"""The opener: idempotent, catches up after a gap, assigns holder or backup, reassigns."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from duties.models import ChecklistItem, DutyDefinition, DutyInstance
from duties.services import duty_instances_open, duty_instances_reassign
from duties.tests.factories import make_member
from roles.models import MemberTypePeriod, Role
from roles.tests.factories import CellFactory, RoleAssignmentFactory, TimeOffFactory
from rotations.models import RotationAssignment

# Wednesday 25 November 2026: day 2 of sprint 207 (Tue 24 Nov - Mon 7 Dec 2026).
TODAY = date(2026, 11, 25)
LONG_AGO = date(2024, 1, 1)


def only(*slugs: str) -> None:
    DutyDefinition.objects.exclude(slug__in=slugs).update(active=False)


def keys() -> set[tuple[str, str, str]]:
    return set(DutyInstance.objects.values_list("definition__slug", "period", "subject_key"))


@pytest.fixture
def bebop(db):
    return CellFactory(name="Bebop", slug="bebop")


@pytest.fixture
def holder(bebop):
    member = make_member(cell=bebop, joined_on=LONG_AGO)
    RoleAssignmentFactory(
        member=member, role=Role.objects.get(slug="sprint-manager"), cell=bebop, since=LONG_AGO
    )
    return member


def test_catalog_is_loaded_with_every_required_duty(db):
    slugs = set(DutyDefinition.objects.values_list("slug", flat=True))
    assert {
        "sprint-planning-preparation",
        "sprint-manager-preparation",
        "sprint-manager-mid-sprint",
        "sprint-manager-wrap-up",
        "epic-planning-checklist",
        "sustainability-preview",
        "monthly-accounts-review",
        "quarterly-sustainability-update",
        "green-ticket-reminder",
        "firefighter-mid-sprint-check-in",
        "green-ticket-reminder-ff2",
        "firefighter-mid-sprint-check-in-ff2",
        "mentor-week-before",
        "mentor-initial-1on1",
        "mentor-weekly-1on1",
        "newcomer-1on1-prep",
        "cell-supporter-quarterly-check-in",
        "epic-owner-update",
    } <= slugs
    assert all(d.checklist_items for d in DutyDefinition.objects.all())


def test_opens_sprint_duties_with_checklists_for_the_holder(holder, bebop):
    only("sprint-manager-wrap-up", "sprint-manager-mid-sprint")
    result = duty_instances_open(as_of=TODAY, lookback_days=14)
    # Wrap-up: S206 (Wed 11 Nov) and S207 (Wed 25 Nov, today); mid-sprint: S206 (Tue 17 Nov).
    # S207's mid-sprint (Tue 1 Dec) opens on 30 Nov: not yet.
    assert keys() == {
        ("sprint-manager-wrap-up", "S206", f"cell:{bebop.pk}"),
        ("sprint-manager-wrap-up", "S207", f"cell:{bebop.pk}"),
        ("sprint-manager-mid-sprint", "S206", f"cell:{bebop.pk}"),
    }
    assert result.created == 3
    wrap_up = DutyInstance.objects.get(definition__slug="sprint-manager-wrap-up", period="S207")
    assert wrap_up.due_on == TODAY and wrap_up.opens_on == TODAY - timedelta(days=1)
    assert wrap_up.assignee == holder and wrap_up.assigned_as == "holder"
    assert list(wrap_up.items.values_list("position", flat=True)) == [1, 2, 3, 4]
    assert result.items_created == 4 + 4 + 2


def test_running_twice_opens_each_instance_once(holder):
    first = duty_instances_open(as_of=TODAY)
    count, items = DutyInstance.objects.count(), ChecklistItem.objects.count()
    second = duty_instances_open(as_of=TODAY)
    assert first.created == count > 0
    assert second.created == 0 and second.items_created == 0
    assert (DutyInstance.objects.count(), ChecklistItem.objects.count()) == (count, items)


def test_a_three_week_gap_catches_up_exactly_what_daily_runs_open(holder, bebop):
    # Every cadence kind in play: a newcomer with a mentor, an epic owner, a firefighter rotation.
    newcomer = make_member(cell=bebop, joined_on=TODAY + timedelta(days=5), member_type="newcomer")
    mentor = make_member(cell=bebop, joined_on=LONG_AGO)
    RoleAssignmentFactory(member=mentor, role=Role.objects.get(slug="mentor"), cell=bebop, since=LONG_AGO)
    from sprints.tests.factories import EpicFactory

    epic: Any = EpicFactory(key="BB-1", cell=bebop, owner=mentor)
    RotationAssignment.objects.create(
        kind="firefighter_1", cell=bebop, member=mentor, start=date(2026, 11, 10), end=date(2026, 12, 21)
    )
    start = TODAY

    for offset in range(22):
        duty_instances_open(as_of=start + timedelta(days=offset))
    daily = keys()
    DutyInstance.objects.all().delete()
    duty_instances_open(as_of=start)
    duty_instances_open(as_of=start + timedelta(days=21))
    assert keys() == daily
    assert any(k[0] == "mentor-week-before" and k[2] == f"newcomer:{newcomer.pk}" for k in daily)
    assert any(k[0] == "newcomer-1on1-prep" for k in daily)
    assert any(k[0] == "epic-owner-update" and k[2] == f"epic:{epic.pk}" for k in daily)
    assert any(k[0] == "monthly-accounts-review" and k[1] == "2026-12" for k in daily)
    # Nothing is opened twice: one row per key.
    assert DutyInstance.objects.count() == len(daily)


def test_backup_takes_the_duty_when_the_holder_is_off_on_the_due_date(bebop):
    only("sprint-manager-wrap-up")
    holder = make_member(cell=bebop, joined_on=LONG_AGO)
    backup = make_member(cell=bebop, joined_on=LONG_AGO)
    RoleAssignmentFactory(
        member=holder, backup=backup, role=Role.objects.get(slug="sprint-manager"), cell=bebop, since=LONG_AGO
    )
    TimeOffFactory(member=holder, start=TODAY, end=TODAY)
    duty_instances_open(as_of=TODAY, lookback_days=0)
    duty = DutyInstance.objects.get()
    assert (duty.assignee, duty.assigned_as) == (backup, "backup")


def test_nobody_when_the_role_is_vacant(bebop):
    only("sprint-manager-wrap-up")
    duty_instances_open(as_of=TODAY, lookback_days=0)
    duty = DutyInstance.objects.get(cell=bebop)
    assert duty.assignee is None and duty.assigned_as == "nobody"


def test_firefighter_duties_go_to_the_rotation_and_its_backup(bebop):
    only("firefighter-mid-sprint-check-in")
    ff1, ff2 = make_member(cell=bebop), make_member(cell=bebop)
    friday = date(2026, 11, 27)
    for kind, member in (("firefighter_1", ff1), ("firefighter_2", ff2)):
        RotationAssignment.objects.create(
            kind=kind, cell=bebop, member=member, start=TODAY, end=date(2026, 12, 7)
        )
    duty_instances_open(as_of=friday, lookback_days=0)
    assert DutyInstance.objects.get().assignee == ff1
    TimeOffFactory(member=ff1, start=friday, end=friday)  # the signal reassigns after commit
    assert duty_instances_reassign(as_of=friday) == 1
    assert (DutyInstance.objects.get().assignee, DutyInstance.objects.get().assigned_as) == (ff2, "backup")


def test_handover_moves_open_duties_to_the_new_holder(holder, bebop):
    only("sprint-manager-wrap-up")
    duty_instances_open(as_of=TODAY, lookback_days=0)
    assignment = holder.assignments.get()
    assignment.until = TODAY - timedelta(days=1)
    assignment.save()
    successor = make_member(cell=bebop)
    RoleAssignmentFactory(member=successor, role=assignment.role, cell=bebop, since=TODAY)
    assert duty_instances_reassign(as_of=TODAY) == 1
    duty = DutyInstance.objects.get()
    assert duty.assignee == successor
    assert duty.history.latest().assignee_id == successor.pk  # the change is in the history
    # Done duties stay with whoever did them, even when the role falls vacant.
    duty.done_at = duty.created_at
    duty.save()
    successor.assignments.all().delete()
    assert duty_instances_reassign(as_of=TODAY) == 0


def test_mentor_and_newcomer_duties(bebop):
    only("mentor-week-before", "mentor-initial-1on1", "newcomer-1on1-prep")
    mentor = make_member(cell=bebop, joined_on=LONG_AGO)
    RoleAssignmentFactory(member=mentor, role=Role.objects.get(slug="mentor"), cell=bebop, since=LONG_AGO)
    joined = date(2026, 11, 30)
    newcomer = make_member(cell=bebop, joined_on=joined, member_type="newcomer")
    duty_instances_open(as_of=date(2026, 12, 16), lookback_days=30)
    rows = {(d.definition.slug, d.due_on): d for d in DutyInstance.objects.select_related("definition")}
    assert rows[("mentor-week-before", date(2026, 11, 27))].assignee == mentor
    assert rows[("mentor-initial-1on1", date(2026, 12, 2))].assignee == mentor
    prep = [d for (slug, _), d in rows.items() if slug == "newcomer-1on1-prep"]
    assert [d.due_on for d in sorted(prep, key=lambda d: d.due_on)] == [date(2026, 12, 9), date(2026, 12, 16)]
    assert all(d.assignee == newcomer and d.assigned_as == "newcomer" for d in prep)


def test_newcomer_duties_stop_when_they_join_the_core_team(bebop):
    only("newcomer-1on1-prep")
    newcomer = make_member(cell=bebop, joined_on=date(2026, 10, 1), member_type="newcomer")
    MemberTypePeriod.objects.create(member=newcomer, member_type="core", since=date(2026, 11, 1))
    duty_instances_open(as_of=TODAY, lookback_days=60)
    dues = sorted(DutyInstance.objects.values_list("due_on", flat=True))
    assert dues and max(dues) < date(2026, 11, 1)


def test_generalist_only_and_project_cells(db):
    CellFactory(name="Serenity", slug="serenity", kind="project")
    CellFactory(name="Falcon", slug="falcon")
    only("sprint-manager-wrap-up")
    duty_instances_open(as_of=TODAY, lookback_days=0)
    # Sprint manager is a role of every cell.
    assert DutyInstance.objects.count() == 2


def test_opener_query_count_does_not_grow_with_cells(django_assert_max_num_queries, db):
    for i in range(8):
        cell = CellFactory(name=f"Cell {i}", slug=f"cell-{i}")
        RoleAssignmentFactory(
            member=make_member(cell=cell),
            role=Role.objects.get(slug="sprint-manager"),
            cell=cell,
            since=LONG_AGO,
        )
    # definitions, cells, assignments, rotations, newcomer periods, member cells, time off, epics,
    # count before, insert, count after, bare instances, insert items (+ savepoints).
    with django_assert_max_num_queries(16):
        result = duty_instances_open(as_of=TODAY)
    assert result.created > 8 * 5


def test_opening_late_and_reassigning_agree(bebop):
    """A duty opened after its due date goes to whoever should do it today, as the
    reassignment would decide: running the reassignment next changes nothing."""
    only("sprint-manager-wrap-up", "sprint-manager-mid-sprint")
    holder = make_member(cell=bebop, joined_on=LONG_AGO)
    backup = make_member(cell=bebop, joined_on=LONG_AGO)
    RoleAssignmentFactory(
        member=holder, backup=backup, role=Role.objects.get(slug="sprint-manager"), cell=bebop, since=LONG_AGO
    )
    # The holder was off on the S206 wrap-up's due date (11 Nov) but is back today.
    TimeOffFactory(member=holder, start=date(2026, 11, 9), end=date(2026, 11, 13))
    duty_instances_open(as_of=TODAY, lookback_days=20)
    assert set(DutyInstance.objects.values_list("assignee", flat=True)) == {holder.pk}
    assert duty_instances_reassign(as_of=TODAY) == 0


def test_each_epic_in_development_owes_its_own_update(bebop):
    from sprints.tests.factories import EpicFactory

    only("epic-owner-update")
    owner = make_member(cell=bebop)
    first: Any = EpicFactory(key="BB-7", cell=bebop, owner=owner)
    second: Any = EpicFactory(key="BB-9", cell=None, owner=owner)  # no cell: the owner's
    EpicFactory(key="BB-8", cell=bebop, owner=make_member(cell=bebop), status="done")
    EpicFactory(key="BB-10", cell=bebop, owner=None)  # nobody owns it yet: no duty
    thursday_w2 = date(2026, 12, 3)  # sprint 207
    duty_instances_open(as_of=thursday_w2, lookback_days=0)
    rows = {d.epic_id: d for d in DutyInstance.objects.all()}
    assert set(rows) == {first.pk, second.pk}
    for epic in (first, second):
        duty = rows[epic.pk]
        assert (duty.subject_key, duty.assignee, duty.assigned_as, duty.period) == (
            f"epic:{epic.pk}",
            owner,
            "holder",
            "S207",
        )
        assert duty.cell == bebop and duty.items.count() == 6


def test_the_epic_reviewer_does_the_update_when_the_owner_is_off_that_day(bebop):
    from sprints.tests.factories import EpicFactory

    only("epic-owner-update")
    owner, reviewer = make_member(cell=bebop), make_member(cell=bebop)
    epic: Any = EpicFactory(key="BB-7", cell=bebop, owner=owner, reviewer=reviewer)
    lonely: Any = EpicFactory(key="BB-8", cell=bebop, owner=owner)  # no reviewer: stays with the owner
    thursday_w2 = date(2026, 12, 3)
    opens = thursday_w2 - timedelta(days=2)
    duty_instances_open(as_of=opens, lookback_days=0)
    assert DutyInstance.objects.get(epic=epic).assignee == owner
    TimeOffFactory(member=owner, start=thursday_w2, end=thursday_w2)
    assert duty_instances_reassign(as_of=opens) == 1
    duty = DutyInstance.objects.get(epic=epic)
    assert (duty.assignee, duty.assigned_as) == (reviewer, "backup")
    assert DutyInstance.objects.get(epic=lonely).assignee == owner
    # A reviewer who is off as well leaves it with the owner.
    TimeOffFactory(member=reviewer, start=thursday_w2, end=thursday_w2)
    assert duty_instances_reassign(as_of=opens) == 1
    assert DutyInstance.objects.get(epic=epic).assignee == owner


def test_a_new_owner_takes_the_epics_open_update(bebop):
    from sprints.tests.factories import EpicFactory

    only("epic-owner-update")
    owner, successor = make_member(cell=bebop), make_member(cell=bebop)
    epic: Any = EpicFactory(key="BB-7", cell=bebop, owner=owner)
    duty_instances_open(as_of=date(2026, 12, 3), lookback_days=0)
    epic.owner = successor
    epic.save()
    assert duty_instances_reassign(as_of=date(2026, 12, 3)) == 1
    assert DutyInstance.objects.get().assignee == successor


def test_both_firefighters_get_their_own_duties_and_the_backup_firefighter_stands_in(bebop):
    only("firefighter-mid-sprint-check-in", "firefighter-mid-sprint-check-in-ff2")
    ff1, ff2, third = make_member(cell=bebop), make_member(cell=bebop), make_member(cell=bebop)
    friday = date(2026, 11, 27)  # Friday of W1, sprint 207
    for kind, member in (("firefighter_1", ff1), ("firefighter_2", ff2)):
        RotationAssignment.objects.create(
            kind=kind, cell=bebop, member=member, start=TODAY, end=date(2026, 12, 7)
        )
    duty_instances_open(as_of=friday, lookback_days=0)

    def assignees() -> dict[str, tuple[object, str]]:
        return {
            d.definition.slug: (d.assignee, d.assigned_as)
            for d in DutyInstance.objects.select_related("definition", "assignee")
        }

    assert assignees() == {
        "firefighter-mid-sprint-check-in": (ff1, "holder"),
        "firefighter-mid-sprint-check-in-ff2": (ff2, "holder"),
    }
    assert all(d.items.get(position=1).text.startswith("Share out") for d in DutyInstance.objects.all())
    # Firefighter 1 off on the day: the backup (third) firefighter takes their half ...
    TimeOffFactory(member=ff1, start=friday, end=friday)
    RotationAssignment.objects.create(
        kind="firefighter_backup", cell=bebop, member=third, start=friday, end=friday
    )
    assert duty_instances_reassign(as_of=friday) == 1
    assert assignees()["firefighter-mid-sprint-check-in"] == (third, "backup")
    # ... and with the third one off too, firefighter 2 does both halves.
    TimeOffFactory(member=third, start=friday, end=friday)
    assert duty_instances_reassign(as_of=friday) == 1
    assert assignees() == {
        "firefighter-mid-sprint-check-in": (ff2, "backup"),
        "firefighter-mid-sprint-check-in-ff2": (ff2, "holder"),
    }


def test_the_epic_owner_or_reviewer_may_tick_the_epics_update(client, bebop):
    from django.urls import reverse

    from sprints.tests.factories import EpicFactory

    only("epic-owner-update")
    owner, reviewer, colleague = make_member(cell=bebop), make_member(cell=bebop), make_member(cell=bebop)
    epic: Any = EpicFactory(key="BB-7", cell=bebop, owner=owner, reviewer=reviewer)
    duty_instances_open(as_of=date(2026, 12, 3), lookback_days=0)
    duty = DutyInstance.objects.get(epic=epic)
    first, second = list(duty.items.order_by("position"))[:2]
    client.force_login(colleague.user)  # same cell: reads it, cannot tick it
    assert client.post(reverse("duties:tick", args=[first.pk]), {"ticked": "1"}).status_code == 403
    client.force_login(reviewer.user)
    assert client.post(reverse("duties:tick", args=[first.pk]), {"ticked": "1"}).status_code == 302
    client.force_login(owner.user)
    assert client.post(reverse("duties:tick", args=[second.pk]), {"ticked": "1"}).status_code == 302
    assert list(duty.items.filter(ticked_at__isnull=False).values_list("ticked_by", flat=True)) == [
        reviewer.pk,
        owner.pk,
    ]
    page = client.get(reverse("duties:detail", args=[duty.pk])).content.decode()
    assert "Epic update: BB-7" in page
    assert reverse("epics:epic-update-form", args=["BB-7"]) in page


def test_completing_a_sprint_opens_no_duty_due_before_the_new_sprint(holder):
    from duties.services import sprint_duties_open
    from opencraft_ops import calendar
    from sprints.services import sprint_ensure

    ending = calendar.sprint_on(date.today())
    nxt = sprint_ensure(number=ending.number + 1)
    result = sprint_duties_open(cell=holder.cell, sprint=nxt)
    due = list(DutyInstance.objects.values_list("due_on", flat=True))
    assert result["created"] == len(due) > 0
    assert min(due) >= nxt.start
    opened = DutyInstance.objects.filter(cell=holder.cell).count()
    assert result["cell_opened"] == opened and result["due_from"] == nxt.start.isoformat()
    assert result["summary"] == (
        f"Opened {opened} duty instance(s) of {holder.cell} due from {nxt.start:%a} {nxt.start.day} "
        f"{nxt.start:%b} (the first day of {nxt}) on (already open: 0); none is due earlier and none "
        "is open twice."
    )
    again = sprint_duties_open(cell=holder.cell, sprint=nxt)
    assert again["created"] == 0 and again["cell_opened"] == 0 and again["cell_already_open"] == opened
    assert DutyInstance.objects.count() == len(due)  # never twice
