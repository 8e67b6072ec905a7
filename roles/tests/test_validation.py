"""Bad input gets a clear error and changes nothing: services, models, the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from roles import services
from roles.models import Cell, CellKind, Role, RoleAssignment, TimeOff, WeeklyCommitment
from roles.tests.factories import CellFactory, MemberFactory, RoleAssignmentFactory

TODAY = date.today()


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


@pytest.mark.django_db
def test_second_sprint_manager_over_same_dates_is_refused(sprint_manager, core_member):
    with pytest.raises(ValidationError) as err:
        services.role_assign(
            member=core_member, role=role("sprint-manager"), cell=sprint_manager.cell, since=TODAY
        )
    assert "since" in err.value.message_dict
    assert "already has a sprint manager" in err.value.message_dict["since"][0]
    assert RoleAssignment.objects.filter(role__slug="sprint-manager").count() == 1


@pytest.mark.django_db
def test_sprint_manager_after_previous_ended_and_in_other_cell_is_fine(sprint_manager, core_member, outsider):
    current = RoleAssignment.objects.get(member=sprint_manager)
    services.role_assignment_end(assignment=current, until=TODAY)
    later = services.role_assign(
        member=core_member,
        role=role("sprint-manager"),
        cell=core_member.cell,
        since=TODAY + timedelta(days=1),
    )
    elsewhere = services.role_assign(
        member=outsider, role=role("sprint-manager"), cell=outsider.cell, since=TODAY
    )
    assert later.exclusive and elsewhere.exclusive
    assert RoleAssignment.objects.filter(role__slug="sprint-manager").count() == 3


@pytest.mark.django_db
def test_exclusive_company_role_one_holder_at_a_time(core_member, outsider):
    services.role_assign(member=core_member, role=role("community-liaison"), since=TODAY - timedelta(days=30))
    with pytest.raises(ValidationError) as err:
        services.role_assign(member=outsider, role=role("community-liaison"), since=TODAY)
    assert "There is already a community liaison" in err.value.message_dict["since"][0]


@pytest.mark.django_db
def test_database_refuses_overlapping_exclusive_holders_on_postgresql(sprint_manager, core_member):
    assert connection.vendor == "postgresql"  # the suite runs on PostgreSQL
    clash = RoleAssignment(
        member=core_member, role=role("sprint-manager"), cell=sprint_manager.cell, since=TODAY
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()  # bypasses clean(): only the database stands in the way
    assert RoleAssignment.objects.filter(role__slug="sprint-manager").count() == 1


@pytest.mark.django_db
def test_database_allows_non_exclusive_overlaps(core_member, newcomer):
    mentor = role("mentor")
    RoleAssignment(member=core_member, role=mentor, cell=core_member.cell, since=TODAY).save()
    RoleAssignment(member=newcomer, role=mentor, cell=core_member.cell, since=TODAY).save()
    assert RoleAssignment.objects.filter(role=mentor).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "with_cell", "field", "text"),
    [
        ("sprint-manager", False, "cell", "is a cell role"),
        ("ceo", True, "cell", "company-wide role"),
    ],
)
def test_scope_rules(core_member, slug, with_cell, field, text):
    with pytest.raises(ValidationError) as err:
        services.role_assign(
            member=core_member, role=role(slug), cell=core_member.cell if with_cell else None, since=TODAY
        )
    assert text in err.value.message_dict[field][0]
    assert not RoleAssignment.objects.exists()


def _team_role(**flags: bool) -> Role:
    """A catalog entry that is not a rotation (rotation roles take no assignment at all)."""
    return Role.objects.create(
        slug="lead-" + "-".join(sorted(flags)),
        name="Lead " + " ".join(sorted(flags)),
        purpose="p",
        responsibilities="r",
        scope="team",
        **flags,
    )


@pytest.mark.django_db
def test_generalist_only_role_refused_in_project_cell():
    project = CellFactory.create(kind=CellKind.PROJECT)
    member = MemberFactory.create(cell=project)
    with pytest.raises(ValidationError) as err:
        services.role_assign(member=member, role=_team_role(generalist_only=True), cell=project, since=TODAY)
    assert "generalist cells only" in err.value.message_dict["cell"][0]


@pytest.mark.django_db
def test_core_only_role_refused_for_newcomer(newcomer):
    with pytest.raises(ValidationError) as err:
        services.role_assign(
            member=newcomer, role=_team_role(core_only=True), cell=newcomer.cell, since=TODAY
        )
    assert "Only core members" in err.value.message_dict["member"][0]


@pytest.mark.django_db
def test_assignment_ending_before_it_starts(core_member):
    with pytest.raises(ValidationError) as err:
        services.role_assign(
            member=core_member,
            role=role("mentor"),
            cell=core_member.cell,
            since=TODAY,
            until=TODAY - timedelta(1),
        )
    assert err.value.message_dict["until"] == ["An assignment cannot end before it starts."]
    assert not RoleAssignment.objects.exists()


@pytest.mark.django_db
def test_backup_must_differ_from_holder(core_member):
    with pytest.raises(ValidationError) as err:
        services.role_assign(member=core_member, role=role("mentor"), since=TODAY, backup=core_member)
    assert "backup" in err.value.message_dict


@pytest.mark.django_db
def test_negative_and_excessive_commitments_refused(core_member):
    for hours, text in [(Decimal("-1"), "cannot be negative"), (Decimal("81"), "cannot exceed 80")]:
        with pytest.raises(ValidationError) as err:
            services.commitment_change(member=core_member, hours_per_week=hours, since=TODAY)
        assert text in err.value.message_dict["hours_per_week"][0]
    assert WeeklyCommitment.objects.filter(member=core_member).count() == 1


@pytest.mark.django_db
def test_time_off_order_and_overlap(core_member):
    with pytest.raises(ValidationError) as err:
        services.time_off_record(member=core_member, start=TODAY, end=TODAY - timedelta(days=1))
    assert "end" in err.value.message_dict
    services.time_off_record(member=core_member, start=TODAY, end=TODAY + timedelta(days=4))
    with pytest.raises(ValidationError) as err:
        services.time_off_record(
            member=core_member, start=TODAY + timedelta(days=2), end=TODAY + timedelta(days=9)
        )
    assert "overlaps time off" in err.value.message_dict["start"][0]
    assert TimeOff.objects.filter(member=core_member).count() == 1


@pytest.mark.django_db
def test_cell_sla_and_rules():
    cell = Cell(name="Nostromo", slug="nostromo", kind=CellKind.PROJECT, client_sla_hours=Decimal("30"))
    with pytest.raises(ValidationError) as err:
        cell.full_clean()
    assert "client_sla_hours" in err.value.message_dict
    generalist = Cell(name="Rocinante", slug="rocinante", firefighting_rules="our own")
    with pytest.raises(ValidationError) as err:
        generalist.full_clean()
    assert "Only project cells" in err.value.message_dict["firefighting_rules"][0]


@pytest.mark.django_db
def test_member_create_and_duplicate_username(cell):
    member = services.member_create(
        username="ripley",
        first_name="Ellen",
        cell=cell,
        member_type="core",
        joined_on=TODAY,
        weekly_hours=Decimal("30"),
    )
    assert member.type_on(TODAY) == "core"
    assert member.commitments.get().hours_per_week == Decimal("30")
    with pytest.raises(ValidationError) as err:
        services.member_create(username="ripley", cell=cell, joined_on=TODAY)
    assert "username" in err.value.message_dict


@pytest.mark.django_db
def test_member_create_with_bad_timezone_changes_nothing(cell):
    from django.contrib.auth import get_user_model

    with pytest.raises(ValidationError) as err:
        services.member_create(username="dallas", cell=cell, joined_on=TODAY, timezone="Mars/Olympus")
    assert "timezone" in err.value.message_dict
    assert not get_user_model().objects.filter(username="dallas").exists()


@pytest.mark.django_db
def test_handover_records_successor_and_transition(sprint_manager, core_member):
    current = RoleAssignment.objects.get(member=sprint_manager)
    starts = TODAY + timedelta(days=7)
    new = services.role_assignment_handover(
        assignment=current,
        to_member=core_member,
        starts_on=starts,
        transition_until=starts + timedelta(days=10),
    )
    current.refresh_from_db()
    assert current.until == starts - timedelta(days=1)
    assert current.handed_over_to == core_member
    assert current.transition_until == starts + timedelta(days=10)
    assert new.member == core_member and new.since == starts and new.cell == sprint_manager.cell
    assert current.history.count() == 2  # created, then changed by the handover


@pytest.mark.django_db
def test_handover_refusals(sprint_manager, core_member):
    current = RoleAssignment.objects.get(member=sprint_manager)
    with pytest.raises(ValidationError):
        services.role_assignment_handover(assignment=current, to_member=sprint_manager, starts_on=TODAY)
    with pytest.raises(ValidationError):
        services.role_assignment_handover(assignment=current, to_member=core_member, starts_on=current.since)
    current.refresh_from_db()
    assert current.until is None and current.handed_over_to is None
    assert RoleAssignment.objects.count() == 1


@pytest.mark.django_db
def test_existing_assignment_can_be_edited_without_clashing_with_itself(sprint_manager):
    current = RoleAssignment.objects.get(member=sprint_manager)
    updated = services.role_assignment_update(assignment=current, note="Renewed for a year")
    assert updated.note == "Renewed for a year"
    assert RoleAssignmentFactory._meta.model.objects.count() == 1


@pytest.mark.django_db
def test_making_a_role_single_holder_keeps_the_constraint_in_step(core_member, newcomer):
    mentor = role("mentor")
    first = services.role_assign(member=core_member, role=mentor, cell=core_member.cell, since=TODAY)
    assert first.exclusive is False
    mentor.max_holders = 1
    mentor.full_clean()
    mentor.save()
    first.refresh_from_db()
    assert first.exclusive is True
    with pytest.raises(ValidationError):
        services.role_assign(member=newcomer, role=mentor, cell=core_member.cell, since=TODAY)


@pytest.mark.django_db
def test_a_role_with_overlapping_holders_cannot_become_single_holder(core_member, newcomer):
    mentor = role("mentor")
    services.role_assign(member=core_member, role=mentor, cell=core_member.cell, since=TODAY)
    services.role_assign(member=newcomer, role=mentor, cell=core_member.cell, since=TODAY + timedelta(days=3))
    mentor.max_holders = 1
    with pytest.raises(ValidationError) as err:
        mentor.full_clean()
    assert "overlap" in err.value.message_dict["max_holders"][0]


@pytest.mark.django_db
def test_max_holders_above_one_is_enforced(core_member, newcomer, sprint_manager):
    Role.objects.filter(slug="mentor").update(max_holders=2)
    mentor = role("mentor")
    services.role_assign(member=core_member, role=mentor, cell=core_member.cell, since=TODAY)
    services.role_assign(member=newcomer, role=mentor, cell=core_member.cell, since=TODAY)
    with pytest.raises(ValidationError) as err:
        services.role_assign(member=sprint_manager, role=mentor, cell=core_member.cell, since=TODAY)
    assert "at most 2 holders" in err.value.message_dict["since"][0]
