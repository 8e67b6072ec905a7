"""Alerts (findings + one email per crossing) and the sustainability process checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencraft_ops import calendar, celery_app
from opencraft_ops.process_checks import CheckContext, run_checks
from roles.models import Role
from roles.tests.factories import MemberFactory, RoleAssignmentFactory
from sprints.models import Ticket
from sprints.services import sprint_ensure
from sustainability.alerts import alerts_notify, evaluate
from sustainability.models import AlertCrossing, SustainabilityTarget
from sustainability.tasks import send_alerts
from sustainability.tests.email_backends import FailingOnNth
from sustainability.tests.factories import AccountFactory, BudgetFactory, hours, shown, sprint_estimates

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(cell: Any) -> Any:
    member = MemberFactory(cell=cell, user__username="epsm", user__email="epsm@example.com")
    RoleAssignmentFactory(
        member=member,
        role=Role.objects.get(slug="epic-planning-sustainability-manager"),
        cell=cell,
        since=date(2025, 1, 1),
    )
    return member


def findings(rule: str, as_of: date) -> list[Any]:
    return run_checks(CheckContext(as_of=as_of), only=[rule])


def test_budget_crossings_alert_once(bebop_data: Any, manager: Any, core_member: Any) -> None:
    acme = bebop_data["acme"]
    acme.owner = core_member
    acme.save()
    budget: Any = BudgetFactory(
        account=acme, hours=Decimal("12"), since=date(2025, 1, 1)
    )  # March: 10 h spent
    as_of = date(2026, 3, 20)
    found = findings("sustainability-budget-threshold", as_of)
    assert [f.subject for f in found] == ["account:ACME:2026-03-01:80"]
    assert "10.00 h of its 12.00 h March 2026 budget (83.3%" in found[0].message
    result = alerts_notify(as_of=as_of)
    assert (result.new, result.emailed) == (1, 1)
    assert sorted(mail.outbox[0].to) == sorted(["epsm@example.com", core_member.user.email])
    assert alerts_notify(as_of=as_of).new == 0  # the same crossing: no second email
    assert len(mail.outbox) == 1
    budget.hours = Decimal("9")  # now over 100 % as well
    budget.save()
    assert alerts_notify(as_of=as_of).new == 1
    assert len(mail.outbox) == 2 and "100%" in mail.outbox[1].body
    assert findings("sustainability-budget-threshold", as_of)[0].severity.name == "CRITICAL"
    budget.hours = Decimal("100")  # back under: crossings cleared...
    budget.save()
    assert alerts_notify(as_of=as_of).cleared == 2
    assert not AlertCrossing.objects.filter(cleared_at__isnull=True).exists()
    assert AlertCrossing.objects.filter(cleared_at__isnull=False).count() == 2  # kept as history
    budget.hours = Decimal("12")  # ...so crossing again alerts again
    budget.save()
    assert send_alerts.delay(as_of.isoformat()).get()["emailed"] == 1
    assert len(mail.outbox) == 3


def test_cell_above_target(bebop_data: Any, cell: Any, manager: Any) -> None:
    as_of = date(2026, 3, 31)
    assert findings("sustainability-above-target", as_of) == []  # 25 % against 30 %
    SustainabilityTarget.objects.filter(cell=cell).update(max_non_billable_percent=Decimal("20"))
    found = findings("sustainability-above-target", as_of)
    assert len(found) == 1 and found[0].severity.name == "CRITICAL"
    assert "25.0%, above its 20% target" in found[0].message
    alerts_notify(as_of=as_of)
    alerts_notify(as_of=as_of)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["epsm@example.com"]


def test_cell_projected_above_target(bebop_data: Any, cell: Any, manager: Any) -> None:
    as_of = date(2026, 3, 31)
    current = calendar.sprint_on(as_of)
    sprint = sprint_ensure(number=current.number)
    Ticket.objects.create(
        key="BB-1",
        summary="x",
        cell=cell,
        sprint=sprint,
        account=bebop_data["acme"],
        remaining_estimate_seconds=6 * 3600,
    )
    Ticket.objects.create(
        key="BB-2",
        summary="y",
        cell=cell,
        sprint=sprint,
        account=bebop_data["internal"],
        remaining_estimate_seconds=4 * 3600,
    )
    found = findings("sustainability-above-target", as_of)
    assert [f.severity.name for f in found] == ["WARNING"]
    assert "give a ratio of 40.0%, above its 30% target" in found[0].message


def test_alert_evaluation_runs_a_fixed_number_of_queries(
    bebop_data: Any, cell: Any, manager: Any, core_member: Any
) -> None:
    as_of = date(2026, 3, 20)
    BudgetFactory(account=bebop_data["acme"], hours=Decimal("12"))
    with CaptureQueriesContext(connection) as before:
        evaluate(as_of=as_of)
    for n in range(6):
        account = AccountFactory(key=f"B-{n}", cell=cell)
        BudgetFactory(account=account, hours=Decimal("1"))
        hours(core_member, account, date(2026, 3, 2 + n), 2)
    with CaptureQueriesContext(connection) as after:
        assert len([a for a in evaluate(as_of=as_of) if a.kind == "budget"]) == 1 + 6 * 2
    assert len(after) == len(before)


def test_community_account_used_by_someone_else(bebop_data: Any, core_member: Any) -> None:
    as_of = date(2026, 1, 25)  # core logged 4 h on COMMUNITY on 20 January
    found = findings("community-account-misuse", as_of)
    assert [f.member_id for f in found] == [core_member.pk]
    assert "4.00 h on the community relations account" in found[0].message
    assert found[0].message.startswith(f"{core_member.name} logged")  # the person, not a username
    RoleAssignmentFactory(
        member=core_member, role=Role.objects.get(slug="community-liaison"), since=date(2026, 1, 1)
    )
    assert findings("community-account-misuse", as_of) == []


def test_time_on_the_firefighter_ticket(bebop_data: Any, cell: Any, core_member: Any) -> None:
    ff = Ticket.objects.create(
        key="BB-FF", summary="Sprint 100 firefighting", cell=cell, labels=["sprint-firefighter"]
    )
    other = Ticket.objects.create(key="BB-5", summary="x", cell=cell, labels=["sprint-firefighter-notes"])
    hours(core_member, bebop_data["internal"], date(2026, 4, 1), 2, ticket=ff)
    hours(core_member, bebop_data["internal"], date(2026, 4, 1), 1, ticket=other)
    found = findings("firefighter-ticket-logging", date(2026, 4, 2))
    assert [f.subject for f in found] == [f"ticket:BB-FF:member:{core_member.pk}"]


@pytest.mark.parametrize(
    ("work_date", "created_at", "late"),
    [
        (
            date(2026, 1, 9),
            datetime(2026, 1, 12, 12, tzinfo=UTC),
            False,
        ),  # Friday -> Monday noon: weekend excluded
        (date(2026, 1, 9), datetime(2026, 1, 13, 10, tzinfo=UTC), True),  # Friday -> Tuesday
        (date(2026, 1, 7), datetime(2026, 1, 8, 23, tzinfo=UTC), False),  # Wednesday -> Thursday night
        (date(2026, 1, 7), datetime(2026, 1, 9, 10, tzinfo=UTC), True),  # Wednesday -> Friday
    ],
)
def test_late_worklogs(
    bebop_data: Any, core_member: Any, work_date: date, created_at: datetime, late: bool
) -> None:
    hours(core_member, bebop_data["acme"], work_date, 1, created_at=created_at)
    found = findings("late-worklogs", date(2026, 1, 14))
    assert [f.member_id for f in found] == ([core_member.pk] if late else [])


def test_late_worklog_with_a_start_time_and_time_off(bebop_data: Any, core_member: Any) -> None:
    from roles.tests.factories import TimeOffFactory

    # Monday 9:00-10:00, logged Wednesday 9:00: 47 business hours later, but Tuesday was off.
    hours(
        core_member,
        bebop_data["acme"],
        date(2026, 1, 12),
        1,
        start_time=time(9),
        created_at=datetime(2026, 1, 14, 9, tzinfo=UTC),
    )
    assert len(findings("late-worklogs", date(2026, 1, 14))) == 1
    TimeOffFactory(member=core_member, start=date(2026, 1, 13), end=date(2026, 1, 13))
    assert findings("late-worklogs", date(2026, 1, 14)) == []


def test_late_worklogs_query_count_is_flat(bebop_data: Any, core_member: Any, outsider: Any) -> None:
    as_of = date(2026, 1, 14)
    hours(core_member, bebop_data["acme"], date(2026, 1, 5), 1, created_at=datetime(2026, 1, 9, tzinfo=UTC))
    with CaptureQueriesContext(connection) as before:
        findings("late-worklogs", as_of)
    for day in range(5, 10):
        hours(
            outsider,
            bebop_data["globex"],
            date(2026, 1, day),
            1,
            created_at=datetime(2026, 1, 13, tzinfo=UTC),
        )
    with CaptureQueriesContext(connection) as after:
        assert len(findings("late-worklogs", as_of)) == 2
    assert len(after) == len(before)


def test_under_contract_hours(bebop_data: Any, core_member: Any, outsider: Any) -> None:
    # February 2026: 20 workdays x 8 h = 160 h expected at 40 h a week; core logged 10 + 6 h.
    for day in range(2, 28):
        if date(2026, 2, day).weekday() < 5:
            hours(outsider, bebop_data["globex"], date(2026, 2, day), 8)
    idle: Any = MemberFactory(cell=core_member.cell)  # no worklog at all: the most under
    found = {f.member_id: f for f in findings("under-contract-hours", date(2026, 3, 5))}
    assert core_member.pk in found and outsider.pk not in found and idle.pk in found
    assert "logged 16.00 h in February 2026, under the 160.0 h" in found[core_member.pk].message
    assert "logged 0.00 h in February 2026, under the 160.0 h" in found[idle.pk].message


def test_under_contract_hours_leave_time_off_out(bebop_data: Any, outsider: Any) -> None:
    from roles.tests.factories import TimeOffFactory

    # February 2026 has 20 workdays; the outsider logs 8 h on 15 of them: 120 h.
    workdays = [date(2026, 2, d) for d in range(1, 29) if date(2026, 2, d).weekday() < 5]
    for day in workdays[:15]:
        hours(outsider, bebop_data["globex"], day, 8)
    # Against 160 h expected: 120 < 95 % of 160 (152).
    found = {f.member_id: f for f in findings("under-contract-hours", date(2026, 3, 5))}
    assert "logged 120.00 h in February 2026, under the 160.0 h" in found[outsider.pk].message
    # Off the last week (23-27 February, 5 workdays): 120 h expected, 120 logged, not under.
    TimeOffFactory(member=outsider, start=date(2026, 2, 23), end=date(2026, 2, 27))
    found = {f.member_id: f for f in findings("under-contract-hours", date(2026, 3, 5))}
    assert outsider.pk not in found
    # Off two days only (26-27): 144 h expected, 120 logged: under.
    outsider.time_off.all().delete()
    TimeOffFactory(member=outsider, start=date(2026, 2, 26), end=date(2026, 2, 27))
    found = {f.member_id: f for f in findings("under-contract-hours", date(2026, 3, 5))}
    assert "under the 144.0 h" in found[outsider.pk].message


def test_above_target_again_after_falling_under_alerts_again(
    bebop_data: Any, cell: Any, core_member: Any, manager: Any
) -> None:
    as_of = date(2026, 3, 31)
    SustainabilityTarget.objects.filter(cell=cell).update(max_non_billable_percent=Decimal("20"))
    # Above: 10 non-billable / 40 = 25 % against 20 %.
    assert alerts_notify(as_of=as_of).emailed == 1
    # Under: 30 billable hours more, 10 / 70 = 14.3 %; the crossing is cleared.
    hours(core_member, bebop_data["acme"], date(2026, 3, 16), 30)
    result = alerts_notify(as_of=as_of)
    assert (result.new, result.emailed, result.cleared) == (0, 0, 1)
    # Above again: 20 internal hours more, 30 / 90 = 33.3 %: a new crossing, a new email.
    hours(core_member, bebop_data["internal"], date(2026, 3, 17), 20)
    assert alerts_notify(as_of=as_of).emailed == 1
    assert [m.to for m in mail.outbox] == [["epsm@example.com"], ["epsm@example.com"]]
    assert "25.0%, above its 20% target" in mail.outbox[0].body
    assert "33.3%, above its 20% target" in mail.outbox[1].body
    crossings = AlertCrossing.objects.filter(kind="target", subject=f"cell:{cell.pk}")
    assert crossings.filter(cleared_at__isnull=False).count() == 1
    assert crossings.filter(cleared_at__isnull=True).count() == 1
    assert alerts_notify(as_of=as_of).emailed == 0  # still above: no third email


def test_a_replay_of_a_past_day_then_the_next_run_sends_no_duplicate(
    bebop_data: Any, cell: Any, core_member: Any, manager: Any
) -> None:
    """``send_alerts(as_of=<a past day>)`` (a replay) leaves open what a later day
    found, and what lies outside the periods it evaluated, so the next run finds
    those crossings still open and emails nothing again."""
    acme = bebop_data["acme"]
    BudgetFactory(account=acme, hours=Decimal("12"), since=date(2025, 1, 1))
    hours(core_member, acme, date(2026, 3, 15), 3)  # March: 13 h of 12, the 80 and 100 % thresholds
    SustainabilityTarget.objects.filter(cell=cell).update(max_non_billable_percent=Decimal("20"))
    today = date(2026, 3, 20)  # reference period: 10 non-billable / 43 h = 23.3 % against 20 %
    assert alerts_notify(as_of=today).emailed == 3
    # 12 March: 10 h of March's 12 (only the 80 % threshold), 10 / 40 = 25 % over the same
    # reference period. The 100 % crossing found on the 20th stays open.
    assert send_alerts.delay("2026-03-12").get() == {"new": 0, "emailed": 0, "cleared": 0}
    # 25 January: 10 / 10 billable = 0 %, under the target over the same reference period,
    # and January's own budget: 10 h of 12 is a crossing nobody was told of, emailed.
    assert send_alerts.delay("2026-01-25").get() == {"new": 1, "emailed": 1, "cleared": 0}
    assert "January 2026 budget" in mail.outbox[-1].body
    # The next run (today again): every crossing still open, no email sent twice.
    assert send_alerts.delay(today.isoformat()).get() == {"new": 0, "emailed": 0, "cleared": 0}
    assert len(mail.outbox) == 4
    open_crossings = AlertCrossing.objects.filter(cleared_at__isnull=True)
    assert sorted(open_crossings.values_list("kind", "period_start", "threshold", "seen_on")) == [
        ("budget", date(2026, 1, 1), Decimal("80.00"), date(2026, 1, 25)),
        ("budget", date(2026, 3, 1), Decimal("80.00"), today),
        ("budget", date(2026, 3, 1), Decimal("100.00"), today),
        ("target", date(2025, 1, 1), Decimal("20.00"), today),
    ]
    # A run of a day that comes later still clears what no longer holds.
    SustainabilityTarget.objects.filter(cell=cell).update(max_non_billable_percent=Decimal("30"))
    assert alerts_notify(as_of=date(2026, 3, 21)).cleared == 1


@pytest.fixture
def flaky_mail(settings: Any, monkeypatch: Any) -> type[FailingOnNth]:
    """A mail server failing on chosen messages, and eager tasks retried as a worker
    retries them (with propagation on, an eager task raises its retry instead)."""
    settings.EMAIL_BACKEND = "sustainability.tests.email_backends.FailingOnNth"
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    return FailingOnNth


def test_a_failing_email_is_retried_without_resending_the_others(
    bebop_data: Any, manager: Any, flaky_mail: type[FailingOnNth]
) -> None:
    # March: 10 h spent of a 9 h budget: the 80 % and the 100 % thresholds, two crossings.
    BudgetFactory(account=bebop_data["acme"], hours=Decimal("9"), since=date(2025, 1, 1))
    flaky_mail.reset(fail_on=[2])  # the second email fails once
    assert send_alerts.delay("2026-03-20").get() == {"new": 0, "emailed": 1, "cleared": 0}  # the retry's
    assert flaky_mail.attempts == 3  # 1 sent, 2 refused, the retry sent it
    assert len(mail.outbox) == 2
    assert sorted("threshold 100%" in m.body for m in mail.outbox) == [False, True]
    assert AlertCrossing.objects.filter(notified_at__isnull=True).count() == 0
    assert send_alerts.delay("2026-03-20").get()["emailed"] == 0
    assert len(mail.outbox) == 2


def test_crossings_are_recorded_before_the_emails_go_out(
    bebop_data: Any, manager: Any, flaky_mail: type[FailingOnNth]
) -> None:
    BudgetFactory(account=bebop_data["acme"], hours=Decimal("9"), since=date(2025, 1, 1))
    flaky_mail.reset(fail_on=range(1, 100))  # the mail server is down
    with pytest.raises(SMTPServerDisconnected):
        send_alerts.delay("2026-03-20").get()  # retried three times, then gives up
    assert flaky_mail.attempts == 4 and mail.outbox == []
    assert AlertCrossing.objects.filter(notified_at__isnull=True).count() == 2  # recorded, not sent
    flaky_mail.reset(fail_on=[])  # back up: the next run sends both, once
    assert send_alerts.delay("2026-03-20").get() == {"new": 0, "emailed": 2, "cleared": 0}
    assert len(mail.outbox) == 2


def test_a_reference_period_starting_mid_month_counts_only_its_days(
    bebop_data: Any, cell: Any, manager: Any
) -> None:
    # From 15 January: February and March only (ACME 10 + 10, internal 6 + 4): 10 / 30 = 33.3 %,
    # above 30 %; all of January (ACME's 10 h on the 10th) would make it 10 / 40 = 25 %.
    SustainabilityTarget.objects.create(
        cell=cell,
        max_non_billable_percent=Decimal("30"),
        since=date(2026, 2, 1),
        reference_start=date(2026, 1, 15),
    )
    today = timezone.localdate()
    found = findings("sustainability-above-target", today)
    assert [f.message for f in found] == [
        f"Bebop's sustainability ratio over the entire reference period (2026-01-15 – {today}) "
        "is 33.3%, above its 30% target."
    ]
    assert [f.url for f in found] == ["/sustainability/cells/bebop/?period=reference"]
    client = Client()
    assert client.login(username="core", password="correct-horse-battery")
    body = client.get("/sustainability/cells/bebop/", {"period": "reference"}).content.decode()
    assert f"({shown(date(2026, 1, 15))} – {shown(today)})" in body
    assert 'data-ratio="33.3"' in body  # the dashboard agrees


def test_projected_above_target_uses_the_commitment_rule(bebop_data: Any, cell: Any, manager: Any) -> None:
    current = calendar.sprint_on(timezone.localdate())
    sprint_estimates(cell, bebop_data, current.number)
    SustainabilityTarget.objects.filter(cell=cell).update(max_non_billable_percent=Decimal("20"))
    found = findings("sustainability-above-target", timezone.localdate())
    # 30 billable, 8.5 non-billable (see sprint_estimates): 22.1 % against 20 %.
    assert [f.message for f in found if f.subject.startswith("projected:")] == [
        f"Bebop's estimates for sprints {current.number}-{current.number + 1} give a ratio of 22.1%, "
        "above its 20% target."
    ]


def test_hours_on_a_cell_account_without_a_cell_are_a_finding(cell: Any, staff_user: Any) -> None:
    from rest_framework.test import APIClient

    today = timezone.localdate()
    worker = MemberFactory(cell=cell)
    lost: Any = AccountFactory(key="CLI-LOST", category="client", cell=None)
    kept = AccountFactory(key="CLI-KEPT", category="client", cell=cell)
    overhead = AccountFactory(key="OVERHEAD", category="internal_non_cell", cell=None)
    for account in (lost, kept, overhead):
        hours(worker, account, today, 3)
    api = APIClient()
    api.force_authenticate(staff_user)
    response = api.get("/api/findings/?rule=account-without-cell")
    assert response.status_code == 200
    findings = response.json()["results"]
    assert [f["subject"] for f in findings] == [f"account:{lost.pk}"]
    assert "CLI-LOST" in findings[0]["message"] and "3.00 h" in findings[0]["message"]
    assert findings[0]["role"] == "epic-planning-sustainability-manager"


def test_under_contract_hours_leave_newcomers_out(bebop_data: Any, core_member: Any) -> None:
    from roles.models import MemberTypePeriod

    # Both logged nothing in February 2026; the newcomer is not bound to contract hours.
    newcomer: Any = MemberFactory(cell=core_member.cell, member_type="newcomer", joined_on=date(2026, 1, 5))
    confirmed: Any = MemberFactory(cell=core_member.cell, member_type="newcomer", joined_on=date(2025, 10, 1))
    MemberTypePeriod.objects.create(member=confirmed, member_type="core", since=date(2026, 1, 20))
    promoted_mid_month: Any = MemberFactory(
        cell=core_member.cell, member_type="newcomer", joined_on=date(2025, 12, 1)
    )
    MemberTypePeriod.objects.create(member=promoted_mid_month, member_type="core", since=date(2026, 2, 16))
    found = {f.member_id for f in findings("under-contract-hours", date(2026, 3, 5))}
    # Fires for the core member and the one confirmed before February; holds for both newcomers.
    assert core_member.pk in found and confirmed.pk in found
    assert newcomer.pk not in found and promoted_mid_month.pk not in found


def test_weekend_work_more_than_once_a_month(core_member: Any, outsider: Any) -> None:
    from sustainability.tests.factories import WorklogFactory

    as_of = date(2026, 3, 31)  # a Tuesday: the window runs from 2 March
    # Core member: Saturday 7 and Sunday 22 March, two weekends: fires.
    WorklogFactory(member=core_member, work_date=date(2026, 3, 7))
    WorklogFactory(member=core_member, work_date=date(2026, 3, 22))
    WorklogFactory(member=core_member, work_date=date(2026, 3, 10))  # a Tuesday: not weekend work
    # Outsider: Saturday and Sunday of the same weekend, and one before the window: holds.
    WorklogFactory(member=outsider, work_date=date(2026, 3, 14))
    WorklogFactory(member=outsider, work_date=date(2026, 3, 15))
    WorklogFactory(member=outsider, work_date=date(2026, 2, 28))
    (finding,) = findings("weekend-work", as_of)
    assert finding.member_id == core_member.pk and finding.subject == f"member:{core_member.pk}:weekends"
    assert "worked on 2 weekends in the last 30 days (from Sat 7 Mar)" in finding.message


def test_weekend_work_holds_once_a_month_and_on_weekdays(core_member: Any, outsider: Any) -> None:
    from sustainability.tests.factories import WorklogFactory

    as_of = date(2026, 3, 31)  # the window runs from Monday 2 March
    # One weekend only, both days of it: once a month is allowed.
    WorklogFactory(member=core_member, work_date=date(2026, 3, 21))
    WorklogFactory(member=core_member, work_date=date(2026, 3, 22))
    # Another weekend, but before the window (Sunday 1 March).
    WorklogFactory(member=core_member, work_date=date(2026, 3, 1))
    # Weekdays every week, however many.
    for day in (2, 9, 16, 23, 30):
        WorklogFactory(member=outsider, work_date=date(2026, 3, day))
    assert findings("weekend-work", as_of) == []
