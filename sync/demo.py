"""Demo data from the real sync: fake JIRA and Tempo servers run in-process for a moment,
seeded from the demo members' JIRA account ids and the cells' boards, and the sync
services bring their data in exactly as they would from the real services.

Generated upstream: per cell, client accounts, the cell's internal account and the
company-wide internal ones (incl. "Community Relations"); epics in every status;
past, current and next sprints with tickets (some unestimated, some without a
reviewer); about two years of worklogs for every member. Epics get budgets here
(JIRA does not hold them). Idempotent: once a demo sync has run, it is not repeated.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.db.models import Q, Sum
from django.test import override_settings
from django.utils import timezone

from epics.models import BudgetKind, Epic
from opencraft_ops import calendar
from opencraft_ops.integrations import config
from opencraft_ops.integrations.fakes import BoardSpec, DatasetSpec, FakeServers, MemberSpec
from roles.models import Cell, Member
from sprints.models import Ticket
from sustainability.models import AccountCategory, Worklog
from sync.models import DEMO_TRIGGER, SyncRun
from sync.services import accounts_sync, jira_sync, worklogs_sync

DEMO_SEED = 2026
HISTORY_WORKDAYS = 520  # about two years
TRIGGER = DEMO_TRIGGER  # the status page tells these runs apart: "demo data from the built-in fakes"


def _dataset_spec(history_workdays: int) -> DatasetSpec | None:
    cells = list(
        Cell.objects.exclude(jira_board_id=None).exclude(jira_project_key="").order_by("jira_board_id")
    )
    members = list(
        Member.objects.with_commitment()
        .exclude(Q(jira_account_id=None) | Q(jira_account_id=""))
        .select_related("cell")
        .order_by("pk")
    )
    if not cells or not members:
        return None
    return DatasetSpec(
        members=tuple(
            MemberSpec(
                account_id=str(m.jira_account_id),
                board_id=m.cell.jira_board_id if m.cell else None,
                daily_hours=float(getattr(m, "current_weekly_hours", None) or 30) / 5,
            )
            for m in members
        ),
        boards=tuple(
            BoardSpec(board_id=int(c.jira_board_id or 0), project_key=c.jira_project_key, name=c.name)
            for c in cells
        ),
        today=timezone.localdate(),
        sprint_epoch=calendar.epoch(),
        seed=DEMO_SEED,
        history_days=history_workdays,
        past_sprints=6,
        tickets_per_sprint=10,
        epics_per_board=6,
    )


def _budget_epics() -> int:
    """Budgets live in the portal, not in JIRA: give the synced epics plausible ones.

    Budgets are sized from the hours the generated history logged on each epic,
    so most epics sit within budget and about one in four runs over, which is
    what the epics board and its process checks should show in a demo.
    """
    today = timezone.localdate()
    recent = today - timedelta(days=90)
    epics = (
        Epic.objects.filter(budget_hours=None)
        .select_related("account")
        .annotate(
            logged=Sum("tickets__worklogs__seconds"),
            logged_recent=Sum(
                "tickets__worklogs__seconds", filter=Q(tickets__worklogs__work_date__gte=recent)
            ),
        )
        .order_by("key")
    )
    changed = 0
    for i, epic in enumerate(epics):
        logged_hours = Decimal(epic.logged or 0) / 3600
        monthly_hours = Decimal(epic.logged_recent or 0) / 3600 / 3
        # One epic in four is over its budget; the others have 10-55 % left.
        factor = Decimal("0.85") if i % 4 == 3 else Decimal("1.10") + Decimal("0.15") * (i % 4)
        client = epic.account is not None and epic.account.category == AccountCategory.CLIENT
        if client:
            epic.budget_kind = BudgetKind.FIXED if i % 3 else BudgetKind.MONTHLY
            base = logged_hours if epic.budget_kind == BudgetKind.FIXED else monthly_hours
            epic.budget_hours = max(Decimal(20), (base * factor).quantize(Decimal("1")))
            epic.client = epic.account.customer if epic.account else ""
        else:
            epic.budget_kind = BudgetKind.NONE if i % 2 else BudgetKind.FIXED
            epic.budget_hours = (
                None
                if epic.budget_kind == BudgetKind.NONE
                else max(Decimal(20), (logged_hours * factor).quantize(Decimal("1")))
            )
        epic.save()
        changed += 1
    return changed


def seed(stdout: TextIO, *, history_workdays: int = HISTORY_WORKDAYS) -> None:
    if SyncRun.objects.filter(triggered_by=TRIGGER).exists():
        stdout.write(
            f"  sync: demo data already synced ({Ticket.objects.count()} tickets, "
            f"{Worklog.objects.count()} worklogs); nothing to do.\n"
        )
        return
    spec = _dataset_spec(history_workdays)
    if spec is None:
        stdout.write("  sync: no cell with a JIRA board or no member with a JIRA account id; skipped.\n")
        return
    with (
        FakeServers.start(spec) as fakes,
        override_settings(
            JIRA_BASE_URL=fakes.jira.url,
            JIRA_USER=fakes.jira.app.user,
            JIRA_API_TOKEN=fakes.jira.app.token,
            TEMPO_BASE_URL=fakes.tempo.url,
            TEMPO_API_TOKEN=fakes.tempo.app.token,
        ),
    ):
        tempo = config.tempo_client()
        jira = config.jira_client()
        try:
            runs = [
                accounts_sync(client=tempo, triggered_by=TRIGGER),
                jira_sync(client=jira, full=True, triggered_by=TRIGGER),
                worklogs_sync(client=tempo, full=True, triggered_by=TRIGGER),
            ]
        finally:
            tempo.close()
            jira.close()
    budgets = _budget_epics()
    summary = "; ".join(
        f"{r.get_source_display()} {r.get_mode_display().lower()}: {r.created} created, {r.skipped} skipped"
        for r in runs
    )
    stdout.write(
        f"  sync: from the fake JIRA and Tempo: {summary}. {Ticket.objects.count()} tickets, "
        f"{Epic.objects.count()} epics ({budgets} given budgets), {Worklog.objects.count()} worklogs.\n"
    )
