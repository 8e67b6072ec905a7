"""A duty definition opens nothing due before it came into force (``in_force_from``): neither
the definitions migration 0005 added or re-keyed, once 0006 has set their day, nor one added
later through the catalog loader, the admin or the API. The others still catch up."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from duties.catalog import load_duty_catalog
from duties.models import DutyDefinition, DutyInstance
from duties.services import duty_instances_open
from duties.tests.factories import DutyInstanceFactory, make_member
from roles.models import Role
from roles.tests.factories import RoleAssignmentFactory
from sprints.tests.factories import EpicFactory

wording_0005 = importlib.import_module("duties.migrations.0005_catalog_wording_per_epic_updates")
in_force_0006 = importlib.import_module("duties.migrations.0006_dutydefinition_in_force_from")
handbook_0008 = importlib.import_module("duties.migrations.0009_catalog_handbook_duties")

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, W2 of sprint 207 (Tue 24 Nov - Mon 7 Dec). The catch-up window
# (42 days) reaches back to 20 October: sprints 205 and 206, and 207 so far.
DEPLOY = date(2026, 12, 1)
FF2 = ("green-ticket-reminder-ff2", "firefighter-mid-sprint-check-in-ff2")
FF1 = ("green-ticket-reminder", "firefighter-mid-sprint-check-in")
# Thursday of W2 (the epic update's due day) of sprints 205-208.
EPIC_UPDATE_DUE = {"S205": date(2026, 11, 5), "S206": date(2026, 11, 19), "S207": date(2026, 12, 3)}


def keys(*slugs: str) -> set[tuple[str, str, str]]:
    return set(
        DutyInstance.objects.filter(definition__slug__in=slugs).values_list(
            "definition__slug", "period", "subject_key"
        )
    )


@pytest.fixture
def running(cell: Any) -> dict[str, Any]:
    """A database the opener has been running on before the deploy: a sprint manager, an epic
    in development and its owner's per-owner updates of sprints 205 and 206, done. The
    duties 0008 added later are switched off: they are not what these tests are about (the
    last tests here are)."""
    DutyDefinition.objects.filter(slug__in=handbook_0008.ADDED).update(active=False)
    RoleAssignmentFactory(
        member=make_member(cell=cell),
        role=Role.objects.get(slug="sprint-manager"),
        cell=cell,
        since=date(2024, 1, 1),
    )
    owner = make_member(cell=cell)
    epic = EpicFactory(key="BB-1", cell=cell, owner=owner)
    definition = DutyDefinition.objects.get(slug="epic-owner-update")
    for period in ("S205", "S206"):
        DutyInstanceFactory(
            definition=definition,
            cell=cell,
            assignee=owner,
            subject_key=f"member:{owner.pk}",
            subject_member=owner,
            period=period,
            opens_on=EPIC_UPDATE_DUE[period] - timedelta(days=2),
            due_on=EPIC_UPDATE_DUE[period],
            done_at=datetime.combine(EPIC_UPDATE_DUE[period], datetime.min.time(), tzinfo=UTC),
        )
    return {"owner": owner, "epic": epic}


def test_a_fresh_database_has_no_limit(db):
    assert not DutyInstance.objects.exists()
    in_force_0006.put_in_force(apps, today=DEPLOY)
    assert not DutyDefinition.objects.filter(in_force_from__isnull=False).exists()


def test_after_the_deploy_the_opener_opens_no_past_due_epic_or_ff2_duty_and_catches_up_the_rest(
    running, cell
):
    epic = running["epic"]
    before = set(DutyInstance.objects.values_list("pk", flat=True))
    in_force_0006.put_in_force(apps, today=DEPLOY)
    in_force = dict(
        DutyDefinition.objects.filter(in_force_from__isnull=False).values_list("slug", "in_force_from")
    )
    assert in_force == {"epic-owner-update": DEPLOY, **dict.fromkeys(FF2, DEPLOY)}

    duty_instances_open(as_of=DEPLOY)  # the hourly run after the deploy: 42 days' catch-up

    # Nothing of the new or re-keyed definitions is due before the deploy day: firefighter 2's
    # duties of sprint 207 fell due on 27 and 30 November; sprint 207's update of the epic is
    # due on Thursday and open already, and the per-owner ones of 205 and 206 are not repeated.
    assert not DutyInstance.objects.filter(definition__slug__in=FF2).exists()
    epic_updates = DutyInstance.objects.filter(definition__slug="epic-owner-update")
    assert set(epic_updates.filter(epic=epic).values_list("period", "due_on")) == {
        ("S207", EPIC_UPDATE_DUE["S207"])
    }
    assert epic_updates.count() == 3  # with the two per-owner ones
    assert not DutyInstance.objects.exclude(pk__in=before).filter(due_on__lt=F("definition__in_force_from"))
    # The other definitions still catch up: firefighter 1's duties of sprints 205 to 207, the
    # sprint manager's wrap-ups of the same sprints, past due.
    assert {p for _, p, _ in keys(*FF1)} == {"S205", "S206", "S207"}
    assert {p for _, p, _ in keys("sprint-manager-wrap-up")} == {"S205", "S206", "S207"}
    assert DutyInstance.objects.filter(definition__slug__in=FF1, due_on__lt=DEPLOY).count() == 6

    # Next sprint, the new duties open as any other.
    duty_instances_open(as_of=date(2026, 12, 14))  # Monday of W2, sprint 208
    assert keys(*FF2) == {
        ("firefighter-mid-sprint-check-in-ff2", "S208", f"cell:{cell.pk}"),
        ("green-ticket-reminder-ff2", "S208", f"cell:{cell.pk}"),
    }


def test_an_owner_with_this_sprints_update_open_finishes_it_and_per_epic_updates_start_next_sprint(
    running, cell
):
    """0005 keeps the per-owner updates already opened (untouched ones too); the per-epic
    duty comes into force after the last of them, so no sprint gets both and none is lost."""
    owner, epic = running["owner"], running["epic"]
    current: Any = DutyInstanceFactory(
        definition=DutyDefinition.objects.get(slug="epic-owner-update"),
        cell=cell,
        assignee=owner,
        subject_key=f"member:{owner.pk}",
        subject_member=owner,
        period="S207",
        opens_on=DEPLOY,
        due_on=EPIC_UPDATE_DUE["S207"],
    )
    wording_0005.forwards(apps, None)
    in_force_0006.put_in_force(apps, today=DEPLOY)

    assert DutyDefinition.objects.get(slug="epic-owner-update").in_force_from == date(2026, 12, 4)
    duty_instances_open(as_of=DEPLOY)
    assert DutyInstance.objects.filter(pk=current.pk, done_at__isnull=True).exists()
    assert not DutyInstance.objects.filter(epic=epic).exists()
    duty_instances_open(as_of=date(2026, 12, 17))  # Thursday of W2, sprint 208
    assert set(DutyInstance.objects.filter(epic=epic).values_list("period", flat=True)) == {"S208"}


def test_definitions_the_catalog_loader_adds_come_into_force_on_the_day_given(db):
    DutyDefinition.objects.filter(slug__in=FF2).delete()
    assert load_duty_catalog(DutyDefinition, Role, in_force_from=DEPLOY) == 2
    assert dict(
        DutyDefinition.objects.filter(in_force_from__isnull=False).values_list("slug", "in_force_from")
    ) == dict.fromkeys(FF2, DEPLOY)


def test_a_definition_added_in_the_admin_comes_into_force_today(client, staff_user):
    client.force_login(staff_user)
    add = client.get(reverse("admin:duties_dutydefinition_add"))
    assert add.status_code == 200 and 'name="in_force_from"' in add.content.decode()
    assert add.context["adminform"].form["in_force_from"].value() == timezone.localdate()
    existing = DutyDefinition.objects.get(slug="sprint-manager-wrap-up")  # no limit: stays so
    change = client.get(reverse("admin:duties_dutydefinition_change", args=[existing.pk]))
    assert change.context["adminform"].form["in_force_from"].value() is None


def test_a_definition_added_through_the_api_comes_into_force_today_unless_told(staff_user):
    api = APIClient()
    api.force_authenticate(staff_user)
    role = Role.objects.get(slug="sprint-manager")

    def create(slug: str, **extra: Any) -> Any:
        data = {"role": role.pk, "slug": slug, "title": slug, "checklist": "One", "cadence": "weekly"}
        return api.post("/api/duty-definitions/", {**data, "weekday": 0, **extra}, format="json")

    made = create("new-weekly")
    assert made.status_code == 201 and made.data["in_force_from"] == timezone.localdate().isoformat()
    unlimited = create("catch-up-weekly", in_force_from=None)
    assert unlimited.status_code == 201 and unlimited.data["in_force_from"] is None
    assert create("bad-date", in_force_from="someday").status_code == 400


def test_the_handbook_duties_come_into_force_on_the_deploy_day_of_a_running_database(running, cell):
    DutyDefinition.objects.filter(slug__in=handbook_0008.ADDED).delete()  # as before 0008
    liaison = make_member(cell=cell)
    RoleAssignmentFactory(
        member=liaison, role=Role.objects.get(slug="community-liaison"), since=date(2024, 1, 1)
    )
    handbook_0008.add_in_force(apps, today=DEPLOY)
    added = dict(
        DutyDefinition.objects.filter(slug__in=handbook_0008.ADDED).values_list("slug", "in_force_from")
    )
    assert added == dict.fromkeys(handbook_0008.ADDED, DEPLOY)
    duty_instances_open(as_of=DEPLOY)  # the catch-up opens none of their past weeks
    assert not DutyInstance.objects.filter(
        definition__slug__in=handbook_0008.ADDED, due_on__lt=DEPLOY
    ).exists()
    duty_instances_open(as_of=date(2026, 12, 3))
    # Friday 4 December: the liaison's first weekly duty.
    weekly = DutyInstance.objects.get(definition__slug="community-liaison-weekly")
    assert (weekly.due_on, weekly.assignee) == (date(2026, 12, 4), liaison)
    # The epic owner's next-sprint stories open per epic in development, like the update.
    stories = DutyInstance.objects.get(definition__slug="epic-owner-next-sprint-stories")
    assert (stories.epic, stories.due_on) == (running["epic"], date(2026, 12, 4))


def test_the_handbook_duties_have_no_limit_on_a_fresh_database(db):
    DutyDefinition.objects.filter(slug__in=handbook_0008.ADDED).delete()
    handbook_0008.add_in_force(apps, today=DEPLOY)
    assert set(
        DutyDefinition.objects.filter(slug__in=handbook_0008.ADDED, in_force_from__isnull=True).values_list(
            "slug", flat=True
        )
    ) == set(handbook_0008.ADDED)
