"""The move of the epic models from ``sprints`` to ``epics`` keeps every row and every
foreign key: a database at the schema of before the move (``sprints`` 0004) is filled
with epics and everything around them, migrated forward, checked, migrated back, checked
again, and left at the latest schema for the other tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("sprints", "0004_epic_management"),
    ("duties", "0006_dutydefinition_in_force_from"),
    ("sustainability", "0008_alertcrossing_seen_on"),
]
MOVED = ["epic", "epicstatuschange", "epicbudgetperiod", "epicmilestone", "epicupdate"]


def _model(apps: Apps, app_label: str, name: str) -> Any:
    """A model of a past migration state (typed loosely: it is not today's model)."""
    return apps.get_model(app_label, name)


def _migrate(targets: Sequence[tuple[str, str]]) -> Apps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def _fill(apps: Apps) -> dict[str, Any]:
    """One of everything that touches an epic, made with the models of before the move."""
    User = _model(apps, "auth", "User")
    Cell = _model(apps, "roles", "Cell")
    Member = _model(apps, "roles", "Member")
    Sprint = _model(apps, "sprints", "Sprint")
    Account = _model(apps, "sustainability", "Account")
    Epic = _model(apps, "sprints", "Epic")
    Ticket = _model(apps, "sprints", "Ticket")
    Worklog = _model(apps, "sustainability", "Worklog")
    DutyDefinition = _model(apps, "duties", "DutyDefinition")
    DutyInstance = _model(apps, "duties", "DutyInstance")
    now = timezone.now()
    cell = Cell.objects.create(name="Falcon", slug="falcon")
    owner = Member.objects.create(user=User.objects.create(username="owner"), cell=cell)
    reviewer = Member.objects.create(user=User.objects.create(username="reviewer"), cell=cell)
    sprint = Sprint.objects.create(number=300, start=date(2026, 1, 5), end=date(2026, 1, 18))
    account = Account.objects.create(key="FAL-CLIENT", name="Client", category="billable", cell=cell)
    epic = Epic.objects.create(
        key="FAL-1",
        title="Onboarding portal",
        cell=cell,
        account=account,
        owner=owner,
        reviewer=reviewer,
        status="in_development",
        budget_kind="monthly",
        budget_hours=Decimal("120.00"),
    )
    _model(apps, "sprints", "HistoricalEpic").objects.create(
        id=epic.pk,
        key=epic.key,
        title=epic.title,
        status="accepted",
        budget_kind="monthly",
        updated_at=now,
        history_date=now - timedelta(days=3),
        history_type="~",
    )
    changed = _model(apps, "sprints", "EpicStatusChange").objects.create(
        epic=epic, from_status="accepted", to_status="in_development", changed_at=now, note="kick-off"
    )
    period = _model(apps, "sprints", "EpicBudgetPeriod").objects.create(
        epic=epic, hours_per_month=Decimal("40.00"), since=date(2026, 1, 1)
    )
    _model(apps, "sprints", "HistoricalEpicBudgetPeriod").objects.create(
        id=period.pk,
        epic_id=epic.pk,
        hours_per_month=Decimal("30.00"),
        since=date(2026, 1, 1),
        history_date=now - timedelta(days=2),
        history_type="~",
    )
    milestone = _model(apps, "sprints", "EpicMilestone").objects.create(
        epic=epic, title="Beta", deadline=date(2026, 2, 1)
    )
    update = _model(apps, "sprints", "EpicUpdate").objects.create(
        epic=epic, sprint=sprint, author=owner, budget_kind="monthly", answers={"on_track": "yes"}
    )
    ticket = Ticket.objects.create(key="FAL-2", summary="Login page", epic=epic, sprint=sprint, cell=cell)
    worklog = Worklog.objects.create(
        tempo_id=9001,
        member=owner,
        ticket=ticket,
        account=account,
        work_date=date(2026, 1, 6),
        seconds=3600,
        created_at=now,
        updated_at=now,
    )
    duty = DutyInstance.objects.create(
        definition=DutyDefinition.objects.create(
            role=_model(apps, "roles", "Role").objects.create(
                slug="epic-owner-test", name="Epic owner (test)", scope="cell"
            ),
            slug="epic-update-test",
            title="Epic update",
            checklist="Write the update",
            cadence="sprint",
            sprint_week=2,
            weekday=3,
        ),
        period="2026-W02",
        subject_key=f"epic:{epic.key}",
        opens_on=date(2026, 1, 5),
        due_on=date(2026, 1, 9),
        epic=epic,
    )
    return {
        "epic": epic.pk,
        "status_change": changed.pk,
        "period": period.pk,
        "milestone": milestone.pk,
        "update": update.pk,
        "ticket": ticket.pk,
        "worklog": worklog.pk,
        "duty": duty.pk,
    }


def _check(apps: Apps, app: str, ids: dict[str, Any]) -> None:
    """Every row is there and every key still points at the epic, in ``app``'s models."""
    Epic = _model(apps, app, "Epic")
    epic = Epic.objects.get(pk=ids["epic"])
    assert (epic.key, epic.title, epic.status, epic.budget_hours) == (
        "FAL-1",
        "Onboarding portal",
        "in_development",
        Decimal("120.00"),
    )
    assert (epic.owner.user.username, epic.reviewer.user.username, epic.cell.slug) == (
        "owner",
        "reviewer",
        "falcon",
    )
    assert epic.account.key == "FAL-CLIENT"
    assert _model(apps, app, "EpicStatusChange").objects.get(pk=ids["status_change"]).epic_id == epic.pk
    assert _model(apps, app, "EpicBudgetPeriod").objects.get(pk=ids["period"]).epic_id == epic.pk
    assert _model(apps, app, "EpicMilestone").objects.get(pk=ids["milestone"]).epic_id == epic.pk
    update = _model(apps, app, "EpicUpdate").objects.get(pk=ids["update"])
    assert (update.epic_id, update.sprint.number, update.answers) == (epic.pk, 300, {"on_track": "yes"})
    history = _model(apps, app, "HistoricalEpic").objects.get(id=epic.pk)
    assert history.status == "accepted"
    period_history = _model(apps, app, "HistoricalEpicBudgetPeriod").objects.get(id=ids["period"])
    assert (period_history.epic_id, period_history.hours_per_month) == (epic.pk, Decimal("30.00"))
    ticket = _model(apps, "sprints", "Ticket").objects.get(pk=ids["ticket"])
    assert ticket.epic_id == epic.pk and ticket.epic.key == "FAL-1"
    worklog = _model(apps, "sustainability", "Worklog").objects.get(pk=ids["worklog"])
    assert worklog.ticket.epic_id == epic.pk
    duty = _model(apps, "duties", "DutyInstance").objects.get(pk=ids["duty"])
    assert duty.epic_id == epic.pk and duty.epic.key == "FAL-1"
    # The epic's reverse relations answer through the moved models.
    assert list(epic.tickets.values_list("key", flat=True)) == ["FAL-2"]
    assert epic.updates.count() == 1 and epic.milestones.count() == 1


def _content_type_apps() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for model, app_label in ContentType.objects.filter(model__in=MOVED).values_list("model", "app_label"):
        found.setdefault(model, set()).add(app_label)
    return found


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


# serialized_rollback: the data migrations' rows (role and duty catalogs) come back after the
# flush, for the tests that run next on this database (handbook's page reads the duty titles).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_the_epics_keeps_every_row_and_key_and_reverses() -> None:
    latest = _latest()
    try:
        old = _migrate(BEFORE)
        assert "sprints_epic" in _tables() and "epics_epic" not in _tables()
        for model in MOVED:
            ContentType.objects.get_or_create(app_label="sprints", model=model)
        ids = _fill(old)

        new = _migrate(latest)
        tables = _tables()
        assert {"epics_epic", "epics_epicupdate", "epics_historicalepic"} <= tables
        assert not {t for t in tables if t.startswith("sprints_") and "epic" in t}
        _check(new, "epics", ids)
        assert all(apps_ == {"epics"} for apps_ in _content_type_apps().values())
        # New rows keep counting from where the old table stopped.
        Epic = _model(new, "epics", "Epic")
        later = Epic.objects.create(key="FAL-9", title="Next", budget_kind="fixed", status="prospect")
        assert later.pk > ids["epic"]
        later.delete()

        back = _migrate(BEFORE)
        assert "sprints_epic" in _tables() and "epics_epic" not in _tables()
        _check(back, "sprints", ids)
        assert all(apps_ == {"sprints"} for apps_ in _content_type_apps().values())
    finally:
        _migrate(latest)
        ContentType.objects.clear_cache()


def test_old_epic_urls_redirect_permanently(client: Any, core_member: Any) -> None:
    client.force_login(core_member.user)
    response = client.get("/sprints/epics/FAL-1/update/?sprint=3")
    assert response.status_code == 301
    assert response["Location"] == "/epics/FAL-1/update/?sprint=3"
    assert client.get("/sprints/epics/")["Location"] == "/epics/"
    posted = client.post("/sprints/epics/FAL-1/status/", {"status": "done"})
    assert posted.status_code == 308 and posted["Location"] == "/epics/FAL-1/status/"
    admin = client.get("/admin/sprints/epicupdate/4/change/")
    assert admin.status_code == 301 and admin["Location"] == "/admin/epics/epicupdate/4/change/"
