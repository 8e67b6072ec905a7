"""The epic reviewer acknowledges each epic update (handbook "Epic reviewer": read each
update and give feedback): the service, the page, the process check that reminds them, and
the migration that added the fields (every row kept, forward and back)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from epics import services
from epics.models import EpicUpdate
from epics.tests.answers import FIXED_ANSWERS_OK
from opencraft_ops import calendar
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.tests.factories import TimeOffFactory
from sprints.calculations import thursday_w2

PASSWORD = "correct-horse-battery"
# A past sprint: the check measures the two working days up to now at the latest.
SPRINT = calendar.sprint_dates(calendar.sprint_on(date.today()).number - 3)
DUE = thursday_w2(SPRINT)


def _update(epic: Any, author: Any, *, created: datetime | None = None) -> EpicUpdate:
    update = services.epic_update_save(
        epic=epic, sprint_number=SPRINT.number, author=author, answers=FIXED_ANSWERS_OK
    )
    if created is not None:
        EpicUpdate.objects.filter(pk=update.pk).update(created_at=created)
        update.refresh_from_db()
    return update


def _found(as_of: date, cell: Any) -> list[Any]:
    return run_checks(
        CheckContext(as_of=as_of, cell_ids=frozenset({cell.pk})), only=["epic-update-unacknowledged"]
    )


@pytest.mark.django_db
def test_only_the_reviewer_acknowledges_and_a_second_time_keeps_the_first(
    fixed_epic: Any, epic_owner: Any, epic_reviewer: Any, staff_user: Any
) -> None:
    update = _update(fixed_epic, epic_owner)
    for someone in (epic_owner, None):
        with pytest.raises(PermissionDenied):
            services.epic_update_acknowledge(update=update, by=someone)
    with pytest.raises(ValidationError) as refused:
        services.epic_update_acknowledge(update=update, by=epic_reviewer, comment="x" * 4001)
    assert "comment" in refused.value.message_dict
    update.refresh_from_db()
    assert update.reviewer_acknowledged_at is None  # nothing written on a refusal
    first = services.epic_update_acknowledge(update=update, by=epic_reviewer, comment="  Looks good.  ")
    assert first.reviewer_acknowledged_by == epic_reviewer and first.reviewer_comment == "Looks good."
    again = services.epic_update_acknowledge(update=update, by=epic_reviewer, comment="Watch the budget.")
    assert again.reviewer_acknowledged_at == first.reviewer_acknowledged_at
    assert EpicUpdate.objects.get(pk=update.pk).reviewer_comment == "Watch the budget."


@pytest.mark.django_db
def test_page_shows_the_form_to_the_reviewer_and_refuses_others(
    client: Any, fixed_epic: Any, epic_owner: Any, epic_reviewer: Any, outsider: Any
) -> None:
    update = _update(fixed_epic, epic_owner)
    page = reverse("epics:epic-update", args=[update.pk])
    url = reverse("epics:epic-update-acknowledge", args=[update.pk])
    assert client.post(url).status_code == 302 and "login" in client.post(url)["Location"]
    client.force_login(epic_owner.user)
    html = client.get(page).content.decode()
    assert "Waiting" in html and url not in html  # the owner sees the state, not the form
    assert client.post(url, {"comment": "mine"}).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url).status_code == 403  # another cell's epic
    client.force_login(epic_reviewer.user)
    assert url in client.get(page).content.decode()
    assert client.get(url).status_code == 405
    too_long = client.post(url, {"comment": "x" * 4001}, follow=True)
    assert "under 4000 characters" in too_long.content.decode()
    assert EpicUpdate.objects.get(pk=update.pk).reviewer_acknowledged_at is None
    done = client.post(url, {"comment": "Clear, thanks."}, follow=True)
    assert done.redirect_chain[-1][0] == page
    html = done.content.decode()
    assert "Acknowledged" in html and "Clear, thanks." in html
    assert EpicUpdate.objects.get(pk=update.pk).reviewer_acknowledged_by == epic_reviewer


@pytest.mark.django_db
def test_check_fires_after_two_working_days_and_holds_once_acknowledged(
    cell: Any, fixed_epic: Any, epic_owner: Any, epic_reviewer: Any
) -> None:
    # Saved on Thursday of W2 at noon: due two working days later, Monday noon (weekend aside).
    update = _update(fixed_epic, epic_owner, created=datetime.combine(DUE, time(12, 0), tzinfo=UTC))
    friday, monday = DUE + timedelta(days=1), DUE + timedelta(days=4)
    assert _found(friday, cell) == []
    (finding,) = _found(monday, cell)
    assert finding.member_id == epic_reviewer.pk and finding.url == f"/epics/updates/{update.pk}/"
    assert f"the FIX-1 update for sprint {SPRINT.number}" in finding.message
    # Away on the Friday: one working day later.
    TimeOffFactory(member=epic_reviewer, start=friday, end=friday)
    assert _found(monday, cell) == []
    assert len(_found(monday + timedelta(days=1), cell)) == 1
    services.epic_update_acknowledge(update=update, by=epic_reviewer)
    assert _found(monday + timedelta(days=1), cell) == []


@pytest.mark.django_db
def test_check_holds_without_a_reviewer_or_when_the_reviewer_wrote_it(
    cell: Any, fixed_epic: Any, monthly_epic: Any, epic_owner: Any, epic_reviewer: Any
) -> None:
    created = datetime.combine(DUE, time(12, 0), tzinfo=UTC)
    _update(fixed_epic, epic_reviewer, created=created)  # the owner was away: the reviewer wrote it
    monthly_epic.reviewer = None
    monthly_epic.save()
    services.epic_update_save(
        epic=monthly_epic, sprint_number=SPRINT.number, author=epic_owner, answers=_monthly_answers()
    )
    assert _found(DUE + timedelta(days=6), cell) == []
    # Two sprints later, an old update is not chased any more.
    assert _found(DUE + timedelta(days=28), cell) == []


def _monthly_answers() -> dict[str, Any]:
    from epics.tests.answers import MONTHLY_ANSWERS_OK

    return dict(MONTHLY_ANSWERS_OK)


# --- The migration (epics 0003): every update kept, forward and back ---

BEFORE = [("epics", "0002_alter_epicbudgetperiod_since_and_more")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


# serialized_rollback: the data migrations' rows (roles, duty catalog) come back afterwards
# for the tests that run next on this database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_keeps_every_update_forward_and_back() -> None:
    latest = list(MigrationExecutor(connection).loader.graph.leaf_nodes())
    try:
        old = _migrate(BEFORE)
        User, Cell, Member = (
            old.get_model(*n) for n in (("auth", "User"), ("roles", "Cell"), ("roles", "Member"))
        )
        Sprint, Epic, Update = (
            old.get_model(*n) for n in (("sprints", "Sprint"), ("epics", "Epic"), ("epics", "EpicUpdate"))
        )
        cell = Cell.objects.create(name="Falcon", slug="falcon")
        owner = Member.objects.create(user=User.objects.create(username="mig-owner"), cell=cell)
        sprint = Sprint.objects.create(number=SPRINT.number, start=SPRINT.start, end=SPRINT.end, name="S")
        rows = {}
        for n in range(3):
            epic = Epic.objects.create(key=f"MIG-{n}", title=f"Epic {n}", cell=cell, owner=owner)
            rows[epic.key] = Update.objects.create(
                epic=epic, sprint=sprint, author=owner, budget_kind="fixed", answers={"n": n}
            ).pk
        new = _migrate(latest)
        NewUpdate = new.get_model("epics", "EpicUpdate")
        kept = {u.epic.key: u for u in NewUpdate.objects.select_related("epic")}
        assert {k: u.pk for k, u in kept.items()} == rows
        assert all(u.reviewer_acknowledged_at is None and u.reviewer_comment == "" for u in kept.values())
        assert [kept[f"MIG-{n}"].answers for n in range(3)] == [{"n": n} for n in range(3)]
        NewUpdate.objects.filter(pk=rows["MIG-0"]).update(
            reviewer_acknowledged_at=datetime(2026, 11, 27, tzinfo=UTC), reviewer_comment="Read."
        )
        back = _migrate(BEFORE)
        assert sorted(back.get_model("epics", "EpicUpdate").objects.values_list("pk", flat=True)) == sorted(
            rows.values()
        )
    finally:
        _migrate(latest)
