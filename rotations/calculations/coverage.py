"""Coverage of a sprint's working days by firefighters, with backup suggestions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from roles.calculations import TimeOffPeriod
from rotations.calculations.kinds import FIREFIGHTER_BACKUP, FIREFIGHTER_KINDS
from rotations.calculations.schedule import Candidate, Service, _Tally

# --- Coverage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Duty:
    """A rotation held over [start, end] as the coverage sees it."""

    assignment_id: int
    member_id: int
    kind: str
    start: date
    end: date


@dataclass(frozen=True)
class DayCoverage:
    day: date
    firefighters_present: tuple[int, ...]
    firefighters_away: tuple[int, ...]
    others_present: tuple[tuple[str, int], ...]  # (kind, member id) of other rotations
    suggested_backup: int | None
    suggestion_reason: str

    @property
    def covered(self) -> bool:
        return bool(self.firefighters_present)


def coverage(
    *,
    days: Sequence[date],
    duties: Sequence[Duty],
    time_off: Mapping[int, Sequence[TimeOffPeriod]],
    backup_pool: Sequence[Candidate] = (),
    history: Sequence[Service] = (),
) -> list[DayCoverage]:
    """Who is on duty and present each working day, with a backup suggestion
    for each day no firefighter is present.

    A member with whole-day time off is away; partial days count as present.
    The suggested backup is the eligible member present that day (not already a
    firefighter of the sprint) who was firefighter least recently, then least
    often; among equals, the one present on most of the uncovered days.
    """

    def away(member_id: int, day: date) -> bool:
        return any(p.covers(day) and p.hours_per_day is None for p in time_off.get(member_id, ()))

    working = [d for d in days if d.weekday() < 5]
    firefighter_ids = {d.member_id for d in duties if d.kind in FIREFIGHTER_KINDS}
    rows: list[tuple[date, list[int], list[int], list[tuple[str, int]]]] = []
    for day in working:
        on_duty = [d for d in duties if d.start <= day <= d.end]
        ff = sorted({d.member_id for d in on_duty if d.kind in FIREFIGHTER_KINDS})
        present = [m for m in ff if not away(m, day)]
        absent = [m for m in ff if away(m, day)]
        others = sorted(
            {
                (d.kind, d.member_id)
                for d in on_duty
                if d.kind not in FIREFIGHTER_KINDS and not away(d.member_id, day)
            }
        )
        rows.append((day, present, absent, others))
    uncovered = [day for day, present, _, _ in rows if not present]

    tallies: dict[int, _Tally] = {}
    for service in history:
        if service.kind in FIREFIGHTER_KINDS and service.kind != FIREFIGHTER_BACKUP:
            tally = tallies.setdefault(service.member_id, _Tally())
            tally.count += 1
            tally.last = max(tally.last or date.min, service.start)

    result: list[DayCoverage] = []
    for day, present, absent, others in rows:
        suggestion: int | None = None
        why = ""
        if not present:
            pool = []
            for cand in backup_pool:
                if cand.member_id in firefighter_ids or away(cand.member_id, day):
                    continue
                if cand.is_eligible(day, day, core_only=True) is not None:
                    continue
                tally = tallies.get(cand.member_id, _Tally())
                present_days = sum(1 for u in uncovered if not away(cand.member_id, u))
                pool.append(
                    (
                        (
                            tally.last or date.min,
                            tally.count,
                            -present_days,
                            cand.name.casefold(),
                            cand.member_id,
                        ),
                        cand,
                    )
                )
            if pool:
                pool.sort(key=lambda item: item[0])
                key, chosen = pool[0]
                suggestion = chosen.member_id
                last = key[0]
                when = (
                    "has not been firefighter yet"
                    if last == date.min
                    else f"was firefighter least recently ({last.isoformat()})"
                )
                why = f"{chosen.name} is present and {when}; present on {-key[2]} of {len(uncovered)} uncovered days."
            else:
                why = "No eligible member is present that day."
        result.append(
            DayCoverage(
                day=day,
                firefighters_present=tuple(present),
                firefighters_away=tuple(absent),
                others_present=tuple(others),
                suggested_backup=suggestion,
                suggestion_reason=why,
            )
        )
    return result
