"""Schedule generation (preview and apply) and the "sprint.started" event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from opencraft_ops import calendar
from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.models import Cell, Member
from rotations import calculations, selectors
from rotations.calculations import Pick
from rotations.models import RotationAssignment, RotationKind, WebhookEvent
from rotations.services.webhooks import rotation_payload, webhook_emit
from sprints.services import sprint_ensure

MAX_SPRINTS = 12


def last_sprint_problem(first: int | None, count: int | None) -> str | None:
    """The last generated sprint must exist in the calendar too."""
    if first is None or count is None or first + count - 1 <= MAX_SPRINT_NUMBER:
        return None
    return (
        f"Sprints {first} to {first + count - 1} go past the last sprint number, {MAX_SPRINT_NUMBER}: "
        f"generate at most {MAX_SPRINT_NUMBER - first + 1} from sprint {first}."
    )


@dataclass(frozen=True)
class PlannedSlot:
    kind: str
    start: date
    end: date
    sprint_number: int
    member_id: int | None
    member_name: str
    reason: str
    reserved_hours: Decimal
    kept: bool

    @property
    def kind_label(self) -> str:
        return RotationKind(self.kind).label


@dataclass(frozen=True)
class SchedulePlan:
    cell: Cell
    first_sprint: int
    sprints: int
    slots: list[PlannedSlot]

    @property
    def new_slots(self) -> list[PlannedSlot]:
        return [s for s in self.slots if not s.kept and s.member_id is not None]

    @property
    def unfilled(self) -> list[PlannedSlot]:
        return [s for s in self.slots if s.member_id is None]


def schedule_preview(*, cell: Cell, first_sprint: int, sprints: int) -> SchedulePlan:
    """The fair schedule of ``sprints`` sprints from ``first_sprint``; writes nothing.

    Slots already filled are kept as they are; only empty slots get a pick.
    """
    if not 1 <= sprints <= MAX_SPRINTS:
        raise ValueError(f"Generate between 1 and {MAX_SPRINTS} sprints at a time.")
    if first_sprint < 1:
        raise ValueError("Sprint numbers start at 1.")
    if problem := last_sprint_problem(first_sprint, sprints):
        raise ValueError(problem)
    dates = [calendar.sprint_dates(n) for n in range(first_sprint, first_sprint + sprints)]
    start, end = dates[0].start, dates[-1].end
    policy = selectors.policy_for(cell)
    candidates = selectors.cell_candidates(cell, start=start, end=end)
    names = {c.member_id: c.name for c in candidates}
    history = selectors.service_history(cell, before=end)
    outsiders = {h.member_id for h in history} - set(names)
    if outsiders:
        names.update({m.pk: m.name for m in Member.objects.filter(pk__in=outsiders).select_related("user")})
    slots: list[calculations.Slot] = []
    for d in dates:
        slots += calculations.sprint_slots(
            sprint_number=d.number,
            sprint_start=d.start,
            firefighters=policy.firefighters,
            discovery_duty=policy.discovery_duty,
            ops_reviewer=policy.ops_reviewer,
        )
    picks = calculations.generate_schedule(slots=slots, candidates=candidates, history=history, names=names)
    if policy.pager and policy.firefighters:
        held_pager = {(h.kind, h.start): h.member_id for h in history if h.kind == RotationKind.PAGER}
        off = {c.member_id: c.time_off for c in candidates}
        for d in dates:
            ff = [
                p.member_id
                for p in picks
                if p.slot.sprint_number == d.number and p.slot.group == "firefighter"
            ]
            for shift in calculations.pager_shifts(
                sprint_number=d.number, sprint_start=d.start, firefighters=ff, time_off=off, names=names
            ):
                existing = held_pager.get((shift.slot.kind, shift.slot.start))
                if existing is not None:
                    shift = Pick(
                        slot=shift.slot, member_id=existing, reason="Already on the pager.", kept=True
                    )
                picks.append(shift)
    budget = selectors.cell_budget(cell, as_of=start, policy=policy)
    planned = [
        PlannedSlot(
            kind=p.slot.kind,
            start=p.slot.start,
            end=p.slot.end,
            sprint_number=p.slot.sprint_number or 0,
            member_id=p.member_id,
            member_name=names.get(p.member_id, "") if p.member_id is not None else "",
            reason=p.reason,
            reserved_hours=_reserved(p.slot.kind, budget),
            kept=p.kept,
        )
        for p in picks
    ]
    planned.sort(key=lambda s: (s.sprint_number, _KIND_ORDER.index(s.kind), s.start))
    return SchedulePlan(cell=cell, first_sprint=first_sprint, sprints=sprints, slots=planned)


_KIND_ORDER = [k.value for k in RotationKind]


def _reserved(kind: str, budget: calculations.CellBudget) -> Decimal:
    if kind in (RotationKind.FIREFIGHTER_1, RotationKind.FIREFIGHTER_2):
        return budget.firefighter_sprint_each
    if kind == RotationKind.DISCOVERY_DUTY:
        return budget.discovery_duty_weekly
    return Decimal("0.00")


@dataclass(frozen=True)
class ApplyResult:
    plan: SchedulePlan
    created: list[RotationAssignment]


@transaction.atomic
def schedule_apply(*, cell: Cell, first_sprint: int, sprints: int) -> ApplyResult:
    """Create the assignments of the previewed schedule that do not exist yet.

    Idempotent: a second run finds every slot filled and creates nothing. The
    unique constraint on (kind, cell, start) guards against a concurrent run.
    """
    # Lock the cell row so two applies for one cell run one after the other.
    Cell.objects.select_for_update().filter(pk=cell.pk).first()
    plan = schedule_preview(cell=cell, first_sprint=first_sprint, sprints=sprints)
    sprint_rows = {n: sprint_ensure(number=n) for n in range(first_sprint, first_sprint + sprints)}
    created = []
    for slot in plan.new_slots:
        assignment, was_created = RotationAssignment.objects.get_or_create(
            kind=slot.kind,
            cell=cell,
            start=slot.start,
            defaults={
                "end": slot.end,
                "member_id": slot.member_id,  # type: ignore[misc]
                "sprint": sprint_rows[slot.sprint_number],
                "reserved_hours": slot.reserved_hours,
                "reason": slot.reason,
            },
        )
        if was_created:
            created.append(assignment)
    if created:
        webhook_emit(
            event=WebhookEvent.ROTATION_CHANGED,
            payload={
                "action": "generated",
                "cell": cell.slug,
                "rotations": [rotation_payload(a) for a in created],
            },
        )
    return ApplyResult(plan=plan, created=created)


def sprint_participants_payload(*, sprint_number: int) -> dict[str, Any]:
    """Every cell's active members in the sprint with the rotations they hold in it."""
    dates = calendar.sprint_dates(sprint_number)
    members = (
        Member.objects.filter(cell__isnull=False)
        .active(dates.start)
        .with_type(dates.start)
        .select_related("user", "cell")
        .order_by("cell__name", "user__username")
    )
    rotations = RotationAssignment.objects.filter(start__lte=dates.end, end__gte=dates.start).select_related(
        "cell", "member__user", "sprint"
    )
    by_member: dict[int, list[dict[str, Any]]] = {}
    for a in rotations:
        by_member.setdefault(a.member_id, []).append(rotation_payload(a))
    return {
        "sprint": {"number": dates.number, "start": dates.start.isoformat(), "end": dates.end.isoformat()},
        "participants": [
            {
                "member_id": m.pk,
                "username": m.user.username,
                "name": m.name,
                "cell": m.cell.slug if m.cell else None,
                "member_type": m.current_type,  # type: ignore[attr-defined]
                "rotations": by_member.get(m.pk, []),
            }
            for m in members
        ],
    }


@transaction.atomic
def sprint_started_emit(*, as_of: date, force_sprint: int | None = None) -> list[Any]:
    """Send "sprint.started" when ``as_of`` is a sprint's first day (or for
    ``force_sprint``); once per sprint and endpoint."""
    number = force_sprint
    if number is None:
        current = calendar.sprint_on(as_of)
        if current.start != as_of:
            return []
        number = current.number
    return webhook_emit(
        event=WebhookEvent.SPRINT_STARTED,
        payload=sprint_participants_payload(sprint_number=number),
        dedupe_key=f"sprint.started:{number}",
    )
