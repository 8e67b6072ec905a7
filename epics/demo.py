"""Demo data for epics, on top of the epics the sync demo brought in: a
timeline of milestones, monthly budgets, a recorded status change and epic
updates for the last and the current sprint. Creates no epic or ticket and
does nothing when there are none; running it again adds nothing twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from epics import calculations as calc
from epics import selectors, services
from epics.models import (
    BudgetKind,
    Epic,
    EpicBudgetPeriod,
    EpicMilestone,
    EpicStatus,
    EpicStatusChange,
    EpicUpdate,
)
from opencraft_ops import calendar
from roles.models import Member
from sprints.services import sprint_ensure

MILESTONES = [
    (-20, "Discovery reviewed with the client", True),
    (12, "First delivery to the client's staging", False),
    (45, "Go-live", False),
]


def _answers(kind: str, figures: dict[str, Decimal | None], variant: int) -> dict[str, Any]:
    """Plausible answers; ``variant`` picks a branch so the demo shows follow-ups too."""
    common = {
        "description_current": "yes",
        "story_statuses_correct": "yes" if variant % 2 else "no",
        "next_stories_ready": "yes",
        "notes": "" if variant % 2 else "Reviewer away next week; the owner covers the review.",
    }
    if kind == BudgetKind.FIXED:
        answers: dict[str, Any] = {
            **common,
            "hours_used": figures["hours_used"] or Decimal("0"),
            "budget_hours": figures["budget_hours"] or Decimal("0"),
            "fits_budget": "yes",
            "fits_deadline": "yes",
            "timeline_correct": "yes",
        }
        if variant % 3 == 2:
            answers.update(
                fits_budget="no", extra_hours="12", client_pays_extra="partly", client_approved_hours="8"
            )
        return answers
    planning = {
        "this_sprint": "Small fixes reported by the client's team.",
        "next_up": "The next batch from their board.",
    }
    if kind == BudgetKind.MONTHLY:
        answers = {
            **common,
            **planning,
            "month_hours_used": figures["month_hours"] or Decimal("0"),
            "monthly_budget_hours": figures["monthly_budget"] or Decimal("0"),
            "fits_month": "yes",
            "allocation_change": "no",
            "timeline_correct": "na",
        }
        if variant % 3 == 2:
            answers.update(
                fits_month="no", extra_hours="6", measures=["one_time_extension"], client_agreed="yes"
            )
        return answers
    answers = {
        **common,
        **planning,
        "non_billable_hours_known": figures["last_month_non_billable"] or Decimal("0"),
        "last_month_billable": "yes",
        "allocation_change": "no",
    }
    if figures["last_month_non_billable"]:
        answers.update(last_month_billable="no", non_billable_hours=figures["last_month_non_billable"])
    return answers


def _round_budget(hours: Decimal, *, minimum: int) -> Decimal:
    return Decimal(max(minimum, int(hours / 10 + 1) * 10))


def _shape(epic: Epic, today: date, members: list[Member], figures: calc.EpicFigures) -> None:
    """First seeding of an epic: budget, reviewer and timeline (only when it has none yet).

    The sync demo may already have chosen the budget kind and hours; they are kept. An epic
    still in the default state (fixed, no hours) gets a kind and a budget set from the hours
    the sync brought in (most inside it, some close, some over). A monthly epic gets a budget
    history: its hours per month (the sync demo's figure, or this month's pace) from this
    month, and a smaller contract before that."""
    if epic.milestones.exists() or epic.updates.exists():
        return
    share = [Decimal("1.5"), Decimal("1.1"), Decimal("0.9")][epic.pk // 3 % 3]
    if epic.budget_kind == BudgetKind.FIXED and epic.budget_hours is None:
        epic.budget_kind = [BudgetKind.FIXED, BudgetKind.MONTHLY, BudgetKind.NONE][epic.pk % 3]
        if epic.budget_kind == BudgetKind.FIXED:
            epic.budget_hours = _round_budget(
                (figures.hours_used + figures.remaining_estimate) * share, minimum=40
            )
    if epic.reviewer_id is None:
        # The sync does not bring epic reviewers; pick a colleague of the owner's cell.
        others = [m for m in members if m.cell_id == epic.cell_id and m.pk != epic.owner_id]
        epic.reviewer = others[epic.pk % len(others)] if others else None
    epic.save(update_fields=["budget_kind", "budget_hours", "reviewer", "updated_at"])
    if epic.budget_kind == BudgetKind.MONTHLY and not epic.budget_periods.exists():
        pace = figures.month_hours * calc.month_end(today).day / today.day
        monthly = epic.budget_hours or _round_budget(pace * share, minimum=20)
        start = (today.replace(day=1) - timedelta(days=95)).replace(day=1)
        EpicBudgetPeriod.objects.create(
            epic=epic,
            hours_per_month=_round_budget(monthly * Decimal("0.7"), minimum=10),
            since=start,
            note="Initial contract",
        )
        EpicBudgetPeriod.objects.create(
            epic=epic, hours_per_month=monthly, since=today.replace(day=1), note="Client asked for more"
        )
    if epic.status in (EpicStatus.DONE, EpicStatus.PROSPECT):
        return
    for offset, title, done in MILESTONES:
        EpicMilestone.objects.create(
            epic=epic, title=title, deadline=today + timedelta(days=offset + epic.pk % 7), done=done
        )


@transaction.atomic
def seed(stdout: TextIO) -> None:
    epics = list(Epic.objects.select_related("owner", "reviewer").order_by("key"))
    if not epics:
        stdout.write("Epics: no epics synced, nothing to add.\n")
        return
    today = timezone.localdate()
    current = calendar.sprint_on(today).number
    sprints = {n: sprint_ensure(number=n) for n in (current - 1, current) if n >= 1}
    members = list(Member.objects.filter(cell__isnull=False).order_by("pk"))
    ids = [e.pk for e in epics]
    figures = selectors.epic_figures(as_of=today, epic_ids=ids)
    remaining = selectors.epic_remaining_estimates(epic_ids=ids)
    for epic in epics:
        _shape(epic, today, members, selectors.figures_with_estimates(figures, remaining, epic.pk))
    added = 0
    for index, epic in enumerate(e for e in epics if e.status == EpicStatus.IN_DEVELOPMENT):
        if not epic.status_changes.exists():
            EpicStatusChange.objects.create(
                epic=epic,
                from_status=EpicStatus.ACCEPTED,
                to_status=EpicStatus.IN_DEVELOPMENT,
                changed_at=timezone.now() - timedelta(days=30),
                note="Client accepted the discovery",
            )
        known = selectors.prefill_figures(epic=epic, as_of=today)
        author = epic.owner or epic.reviewer
        # Every epic has last sprint's update; two out of three already have this sprint's.
        for number, sprint in sprints.items():
            if number == current and index % 3 == 2:
                continue
            if EpicUpdate.objects.filter(epic=epic, sprint=sprint).exists():
                continue
            services.epic_update_save(
                epic=epic,
                sprint_number=number,
                author=author,
                answers=_answers(epic.budget_kind, known, index),
            )
            added += 1
    stdout.write(f"Epics: {len(epics)} epics shaped, {added} epic updates added.\n")
