"""Fair, deterministic schedule generation (least recently, then least often served)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from roles.calculations import TimeOffPeriod, workdays
from rotations.calculations.kinds import (
    DISCOVERY_DUTY,
    FIREFIGHTER_1,
    FIREFIGHTER_2,
    FIREFIGHTER_BACKUP,
    GROUP_LABEL,
    GROUP_OF_KIND,
    HOURS_PER_DAY,
    OPS_REVIEWER,
    PAGER,
)

# --- Periods ---------------------------------------------------------------------------


def duty_weeks(sprint_start: date) -> list[tuple[date, date]]:
    """The two duty weeks of the sprint starting on ``sprint_start``."""
    return [
        (sprint_start, sprint_start + timedelta(days=6)),
        (sprint_start + timedelta(days=7), sprint_start + timedelta(days=13)),
    ]


# --- Schedule generation --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A cell member as the scheduler sees them."""

    member_id: int
    name: str
    joined_on: date
    left_on: date | None
    type_changes: tuple[tuple[date, str], ...]  # (since, member type), any order
    time_off: tuple[TimeOffPeriod, ...] = ()

    def member_type_on(self, day: date) -> str | None:
        current = None
        for since, member_type in sorted(self.type_changes):
            if since <= day:
                current = member_type
        return current

    def is_eligible(self, start: date, end: date, *, core_only: bool) -> str | None:
        """None when the member may take a slot in [start, end], else why not."""
        if self.joined_on > start:
            return "not yet in the team"
        if self.left_on is not None and self.left_on < end:
            return "leaves before the end"
        if core_only and self.member_type_on(start) != "core":
            return "not a core member"
        return None


@dataclass(frozen=True)
class Slot:
    kind: str
    start: date
    end: date
    sprint_number: int | None = None

    @property
    def group(self) -> str:
        return GROUP_OF_KIND[self.kind]


@dataclass(frozen=True)
class Service:
    """A rotation someone held (or holds): feeds "least recently, least often"."""

    member_id: int
    kind: str
    start: date
    end: date


@dataclass(frozen=True)
class Pick:
    slot: Slot
    member_id: int | None
    reason: str
    kept: bool = False  # the slot was already filled before generation
    skipped: tuple[tuple[int, str], ...] = field(default=())  # (member id, why) for the record


def off_share(periods: Sequence[TimeOffPeriod], start: date, end: date) -> Decimal:
    """Share (0..1) of the working days of [start, end] the member is away.

    Partial days count for their hours over an 8-hour day.
    """
    days = workdays(start, end)
    if not days:
        return Decimal(0)
    off = Decimal(0)
    for day in days:
        day_off = Decimal(0)
        for period in periods:
            if period.covers(day):
                if period.hours_per_day is None:
                    day_off = Decimal(1)
                else:
                    day_off = min(Decimal(1), day_off + period.hours_per_day / HOURS_PER_DAY)
        off += day_off
    return off / len(days)


def _overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    return a_start <= b_end and b_start <= a_end


@dataclass
class _Tally:
    last: date | None = None
    count: int = 0
    # Order of the last turn among turns starting the same day: both firefighter slots of a
    # sprint start together, and the one filled first is the less recent. 0 for history
    # before the window, where equal starts fall back to "least often".
    turn: int = 0


def generate_schedule(
    *,
    slots: Sequence[Slot],
    candidates: Sequence[Candidate],
    history: Sequence[Service] = (),
    core_only_kinds: frozenset[str] = frozenset(
        {FIREFIGHTER_1, FIREFIGHTER_2, FIREFIGHTER_BACKUP, DISCOVERY_DUTY}
    ),
    max_off_share: Decimal = Decimal("0.5"),
    names: dict[int, str] | None = None,
) -> list[Pick]:
    """Fill ``slots`` (in date order) by a fair rotation.

    For each slot, among candidates who are eligible (active for the whole slot,
    core for the core-only kinds), not away for more than ``max_off_share`` of
    its working days and not already holding an overlapping slot of the same
    group, pick the one who served that group least recently, then least often,
    then by name and id (so the result is deterministic). Slots already held in
    ``history`` (same kind and start) are kept and count as service.

    Within the window, "least recently" also orders turns that start the same day
    (firefighter 1 and 2 of one sprint) by the order they were filled in. Without
    that, "least often" would let the second of a pair jump ahead of the first the
    next time round, and one member could serve twice while another steady member
    did not serve at all.
    """
    label_of = names or {c.member_id: c.name for c in candidates}
    # By name, so the explanations (who was skipped) do not depend on the input order either.
    candidates = sorted(candidates, key=lambda c: (c.name.casefold(), c.member_id))
    tallies: dict[tuple[str, int], _Tally] = {}
    held: dict[tuple[str, date], int] = {}
    busy: list[Service] = []
    ordered_slots = sorted(slots, key=lambda s: (s.start, s.kind))
    first_start = ordered_slots[0].start if ordered_slots else None

    turns = 0

    def record(member_id: int, kind: str, start: date, end: date, *, in_window: bool = True) -> None:
        nonlocal turns
        tally = tallies.setdefault((GROUP_OF_KIND[kind], member_id), _Tally())
        tally.count += 1
        if tally.last is None or start >= tally.last:
            if in_window:
                turns += 1
            tally.last, tally.turn = start, turns if in_window else 0
        busy.append(Service(member_id=member_id, kind=kind, start=start, end=end))

    # History before the window counts at once; services inside it are replayed in order.
    window_services: list[Service] = []
    for service in sorted(history, key=lambda s: (s.start, s.kind, s.member_id)):
        if service.kind == FIREFIGHTER_BACKUP:
            continue  # covering a few days is not a turn in the rotation
        if first_start is not None and service.start >= first_start:
            window_services.append(service)
            held[(service.kind, service.start)] = service.member_id
        else:
            record(service.member_id, service.kind, service.start, service.end, in_window=False)

    picks: list[Pick] = []
    for slot in ordered_slots:
        # Replay services of the window that started before this slot.
        while window_services and (window_services[0].start, window_services[0].kind) < (
            slot.start,
            slot.kind,
        ):
            s = window_services.pop(0)
            if (s.kind, s.start) not in {(p.slot.kind, p.slot.start) for p in picks}:
                record(s.member_id, s.kind, s.start, s.end)
        existing = held.get((slot.kind, slot.start))
        if existing is not None:
            window_services[:] = [
                s for s in window_services if not (s.kind == slot.kind and s.start == slot.start)
            ]
            record(existing, slot.kind, slot.start, slot.end)
            who = label_of.get(existing, f"member {existing}")
            picks.append(
                Pick(slot=slot, member_id=existing, reason=f"{who} already holds this slot.", kept=True)
            )
            continue
        picks.append(_pick(slot, candidates, tallies, busy, core_only_kinds, max_off_share, label_of))
        pick = picks[-1]
        if pick.member_id is not None:
            record(pick.member_id, slot.kind, slot.start, slot.end)
    return picks


def _pick(
    slot: Slot,
    candidates: Sequence[Candidate],
    tallies: dict[tuple[str, int], _Tally],
    busy: Sequence[Service],
    core_only_kinds: frozenset[str],
    max_off_share: Decimal,
    label_of: dict[int, str],
) -> Pick:
    group = slot.group
    label = GROUP_LABEL[group]
    skipped: list[tuple[int, str]] = []
    pool: list[tuple[tuple[date, int, int, str, int], Candidate]] = []
    for cand in candidates:
        why_not = cand.is_eligible(slot.start, slot.end, core_only=slot.kind in core_only_kinds)
        if why_not is None:
            share = off_share(cand.time_off, slot.start, slot.end)
            if share > max_off_share:
                days = len(workdays(slot.start, slot.end))
                why_not = f"away {_days_off(share, days)} of {days} working days"
        if why_not is None and any(
            b.member_id == cand.member_id
            and GROUP_OF_KIND[b.kind] == group
            and _overlaps(b.start, b.end, slot.start, slot.end)
            for b in busy
        ):
            why_not = f"already {label} in this period"
        if why_not is not None:
            skipped.append((cand.member_id, why_not))
            continue
        tally = tallies.get((group, cand.member_id), _Tally())
        key = (tally.last or date.min, tally.turn, tally.count, cand.name.casefold(), cand.member_id)
        pool.append((key, cand))
    if not pool:
        return Pick(
            slot=slot,
            member_id=None,
            reason=f"Nobody eligible and available for {label}.",
            skipped=tuple(skipped),
        )
    pool.sort(key=lambda item: item[0])
    (last, turn, count, _, _), chosen = pool[0]
    if last == date.min:
        because = f"have not been {label} yet"
    else:
        because = f"were {label} least recently (last on {last.isoformat()})"
    same_day = [k for k, _ in pool[1:] if k[0] == last]
    ties = [k for k in same_day if k[1] == turn]
    if len(ties) < len(same_day):
        because += ", taking that turn before the others who served the same day"
    if ties:
        because += f", and served fewer times or first by name among {len(ties) + 1} equally due"
    because += f"; served {count} time{'s' if count != 1 else ''} before"
    reason = f"{chosen.name} chosen because they {because}. {len(pool)} eligible and available"
    if skipped:
        reason += "; skipped: " + ", ".join(f"{label_of.get(mid, mid)} ({why})" for mid, why in skipped)
    return Pick(slot=slot, member_id=chosen.member_id, reason=reason + ".", skipped=tuple(skipped))


def _days_off(share: Decimal, days: int) -> str:
    value = (share * days).quantize(Decimal("0.1"))
    return str(value.normalize()) if value != value.to_integral() else str(int(value))


def sprint_slots(
    *,
    sprint_number: int,
    sprint_start: date,
    firefighters: int = 2,
    discovery_duty: bool = True,
    ops_reviewer: bool = True,
) -> list[Slot]:
    """The slots one cell fills in one sprint."""
    end = sprint_start + timedelta(days=13)
    slots = [
        Slot(kind=kind, start=sprint_start, end=end, sprint_number=sprint_number)
        for kind in (FIREFIGHTER_1, FIREFIGHTER_2)[:firefighters]
    ]
    if discovery_duty:
        slots += [
            Slot(kind=DISCOVERY_DUTY, start=s, end=e, sprint_number=sprint_number)
            for s, e in duty_weeks(sprint_start)
        ]
    if ops_reviewer:
        slots.append(Slot(kind=OPS_REVIEWER, start=sprint_start, end=end, sprint_number=sprint_number))
    return slots


def pager_shifts(
    *,
    sprint_number: int,
    sprint_start: date,
    firefighters: Sequence[int | None],
    time_off: Mapping[int, Sequence[TimeOffPeriod]],
    names: dict[int, str],
    max_off_share: Decimal = Decimal("0.5"),
) -> list[Pick]:
    """Weekly pager shifts taken by the sprint's firefighters: firefighter 1 in
    the first duty week, firefighter 2 in the second, the other one when the
    designated firefighter is away for most of that week."""
    picks: list[Pick] = []
    present = [m for m in firefighters if m is not None]
    for index, (start, end) in enumerate(duty_weeks(sprint_start)):
        slot = Slot(kind=PAGER, start=start, end=end, sprint_number=sprint_number)
        if not present:
            picks.append(Pick(slot=slot, member_id=None, reason="No firefighter to take the pager."))
            continue
        order = present[index % len(present) :] + present[: index % len(present)]
        chosen = None
        for member_id in order:
            if off_share(time_off.get(member_id, ()), start, end) <= max_off_share:
                chosen = member_id
                break
        if chosen is None:
            picks.append(
                Pick(slot=slot, member_id=None, reason="Every firefighter is away most of this week.")
            )
            continue
        if chosen == order[0]:
            why = f"{names.get(chosen, chosen)} takes the pager as firefighter {1 + firefighters.index(chosen)} for week {index + 1}."
        else:
            why = (
                f"{names.get(chosen, chosen)} takes the pager because {names.get(order[0], order[0])} "
                f"is away most of week {index + 1}."
            )
        picks.append(Pick(slot=slot, member_id=chosen, reason=why))
    return picks
