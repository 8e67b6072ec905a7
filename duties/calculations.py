"""Which duty instances should exist, and who does each: pure functions over plain data.

The opener (``duties.services.duty_instances_open``) loads everything it needs
in a fixed number of queries into a ``PlanningData`` and asks ``plan_instances``
what should exist; the database's unique constraint makes inserting them idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from duties.cadence import Cadence, Occurrence, newcomer_occurrences, occurrences
from roles.calculations import TimeOffPeriod, is_off

CELL_SCOPES = ("cell", "rotation")
# The role whose duties are per epic (one instance per epic in development, not per holder).
EPIC_ROLE = "epic-owner"

# Rotation roles are held through the rotations schedule: the rotation kind of the holder,
# then the kinds of the backups, in order. Both firefighters have the same duties, each their
# own instance (they split the work), so a firefighter's backup is the third (backup)
# firefighter first, and the other firefighter only when there is none.
ROTATION_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "firefighter-1": ("firefighter_1", ("firefighter_backup", "firefighter_2")),
    "firefighter-2": ("firefighter_2", ("firefighter_backup", "firefighter_1")),
    "discovery-duty": ("discovery_duty", ()),
    "ops-reviewer": ("ops_reviewer", ()),
}


@dataclass(frozen=True)
class DefinitionData:
    id: int
    role_id: int
    role_slug: str
    role_scope: str
    generalist_only: bool
    cadence: Cadence
    assignee_rule: str = "holder"  # or "newcomer"
    # The day the definition came into force (None: always was): nothing due before it opens,
    # so a new or re-keyed definition does not catch up on occurrences from before it existed.
    in_force_from: date | None = None

    def in_force_on(self, due_on: date) -> bool:
        return self.in_force_from is None or due_on >= self.in_force_from


@dataclass(frozen=True)
class CellData:
    id: int
    is_generalist: bool


@dataclass(frozen=True)
class AssignmentData:
    member_id: int
    role_id: int
    cell_id: int | None
    since: date
    until: date | None
    backup_id: int | None = None

    def covers(self, day: date) -> bool:
        return self.since <= day and (self.until is None or self.until >= day)


@dataclass(frozen=True)
class RotationData:
    kind: str
    cell_id: int | None
    member_id: int
    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class NewcomerData:
    member_id: int
    cell_id: int | None
    joined_on: date  # first day as a newcomer
    trial_end: date  # last day as a newcomer (date.max while it lasts)


@dataclass(frozen=True)
class EpicData:
    id: int
    cell_id: int | None  # the epic's cell, else its owner's
    owner_id: int | None
    reviewer_id: int | None
    in_development: bool  # owes an update every sprint


@dataclass(frozen=True)
class PlanningData:
    definitions: Sequence[DefinitionData]
    cells: Sequence[CellData]
    assignments: Sequence[AssignmentData]
    rotations: Sequence[RotationData] = ()
    newcomers: Sequence[NewcomerData] = ()
    member_cells: Mapping[int, int | None] = field(default_factory=dict)
    time_off: Mapping[int, Sequence[TimeOffPeriod]] = field(default_factory=dict)
    # Epics in development (the epic owner's update is per epic), and those with an open duty.
    epics: Sequence[EpicData] = ()


@dataclass(frozen=True)
class PlannedInstance:
    definition_id: int
    period: str
    subject_key: str
    cell_id: int | None
    subject_member_id: int | None
    opens_on: date
    due_on: date
    assignee_id: int | None
    assigned_as: str
    epic_id: int | None = None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.definition_id, self.period, self.subject_key)


@dataclass(frozen=True)
class Subject:
    key: str
    cell_id: int | None
    member_id: int | None = None  # the holder (per-holder duties) or the newcomer
    epic_id: int | None = None  # per-epic duties


def choose_assignee(
    holder_id: int | None, backup_id: int | None, day: date, time_off: Mapping[int, Sequence[TimeOffPeriod]]
) -> tuple[int | None, str]:
    """The holder, or the backup when the holder is away all of ``day`` and the backup is not
    (for an epic: its owner, or its reviewer)."""
    if holder_id is None:
        return (backup_id, "backup") if backup_id is not None else (None, "nobody")
    if (
        backup_id is not None
        and is_off(time_off.get(holder_id, ()), day)
        and not is_off(time_off.get(backup_id, ()), day)
    ):
        return backup_id, "backup"
    return holder_id, "holder"


def _latest(items: Sequence[AssignmentData]) -> AssignmentData | None:
    return max(items, key=lambda a: a.since) if items else None


def _cell_holder(
    definition: DefinitionData, cell_id: int, day: date, data: PlanningData
) -> tuple[int | None, int | None]:
    """(holder, backup) of a cell or rotation role in ``cell_id`` on ``day``. A rotation's
    backup is the first of its backup kinds on duty that day and not off (else the first on duty)."""
    kinds = ROTATION_KINDS.get(definition.role_slug)
    if kinds is not None:
        on_duty = [r for r in data.rotations if r.cell_id == cell_id and r.covers(day)]
        holder = next((r.member_id for r in on_duty if r.kind == kinds[0]), None)
        backups = [
            r.member_id for kind in kinds[1] for r in on_duty if r.kind == kind and r.member_id != holder
        ]
        present = [b for b in backups if not is_off(data.time_off.get(b, ()), day)]
        backup: int | None = (present or backups)[0] if backups else None
        if holder is not None or backup is not None:
            return holder, backup
    current = _latest(
        [
            a
            for a in data.assignments
            if a.role_id == definition.role_id and a.cell_id == cell_id and a.covers(day)
        ]
    )
    return (current.member_id, current.backup_id) if current else (None, None)


def _mentor_of(
    definition: DefinitionData, newcomer: NewcomerData, day: date, data: PlanningData
) -> tuple[int | None, int | None]:
    """The mentor of the newcomer's cell on ``day`` (a mentor assignment in that cell, or a
    cell-less one held by a member of that cell)."""
    candidates = [
        a
        for a in data.assignments
        if a.role_id == definition.role_id
        and a.covers(day)
        and a.member_id != newcomer.member_id
        and (
            a.cell_id == newcomer.cell_id
            or (a.cell_id is None and data.member_cells.get(a.member_id) == newcomer.cell_id)
        )
    ]
    current = _latest(candidates)
    return (current.member_id, current.backup_id) if current else (None, None)


def assignee_for(
    definition: DefinitionData, subject: Subject, day: date, data: PlanningData
) -> tuple[int | None, str]:
    """Who does ``definition`` for ``subject`` when it is due on ``day``."""
    if subject.epic_id is not None:
        epic = next((e for e in data.epics if e.id == subject.epic_id), None)
        if epic is None:
            return None, "nobody"
        return choose_assignee(epic.owner_id, epic.reviewer_id, day, data.time_off)
    if definition.cadence.kind.is_newcomer_event:
        if definition.assignee_rule == "newcomer":
            return subject.member_id, "newcomer"
        newcomer = next((n for n in data.newcomers if n.member_id == subject.member_id), None)
        if newcomer is None:
            return None, "nobody"
        holder, backup = _mentor_of(definition, newcomer, day, data)
        return choose_assignee(holder, backup, day, data.time_off)
    if definition.role_scope in CELL_SCOPES:
        assert subject.cell_id is not None
        holder, backup = _cell_holder(definition, subject.cell_id, day, data)
        return choose_assignee(holder, backup, day, data.time_off)
    # Per-holder duties (team and company roles): the holder, or the assignment's backup.
    assignment = _latest(
        [
            a
            for a in data.assignments
            if a.role_id == definition.role_id and a.member_id == subject.member_id and a.covers(day)
        ]
    )
    backup = assignment.backup_id if assignment else None
    return choose_assignee(subject.member_id, backup, day, data.time_off)


def _subjects(definition: DefinitionData, occurrence: Occurrence, data: PlanningData) -> list[Subject]:
    if definition.role_slug == EPIC_ROLE:
        return [
            Subject(f"epic:{e.id}", e.cell_id, epic_id=e.id)
            for e in data.epics
            if e.in_development and e.owner_id is not None
        ]
    if definition.role_scope in CELL_SCOPES:
        return [
            Subject(f"cell:{c.id}", c.id)
            for c in data.cells
            if c.is_generalist or not definition.generalist_only
        ]
    holders = sorted(
        {
            a.member_id
            for a in data.assignments
            if a.role_id == definition.role_id and a.covers(occurrence.due_on)
        }
    )
    return [Subject(f"member:{m}", data.member_cells.get(m), m) for m in holders]


def plan_instances(
    data: PlanningData, *, start: date, end: date, as_of: date, epoch: date
) -> list[PlannedInstance]:
    """Every instance due in [start, end] that has opened by ``as_of`` and is due once its
    definition is in force, with its assignee."""
    planned: list[PlannedInstance] = []
    for definition in data.definitions:
        cadence = definition.cadence
        if cadence.kind.is_newcomer_event:
            for newcomer in data.newcomers:
                subject = Subject(f"newcomer:{newcomer.member_id}", newcomer.cell_id, newcomer.member_id)
                for occ in newcomer_occurrences(
                    cadence, joined_on=newcomer.joined_on, trial_end=newcomer.trial_end, start=start, end=end
                ):
                    if occ.opens_on <= as_of and definition.in_force_on(occ.due_on):
                        planned.append(_plan(definition, subject, occ, data, as_of))
            continue
        for occ in occurrences(cadence, start, end, epoch=epoch):
            if occ.opens_on > as_of or not definition.in_force_on(occ.due_on):
                continue
            for subject in _subjects(definition, occ, data):
                planned.append(_plan(definition, subject, occ, data, as_of))
    return planned


def _plan(
    definition: DefinitionData, subject: Subject, occ: Occurrence, data: PlanningData, as_of: date
) -> PlannedInstance:
    # Who should do it when it is due, or now for one opened late (catch-up): the same
    # rule as the reassignment, so the two never disagree.
    assignee, assigned_as = assignee_for(definition, subject, max(occ.due_on, as_of), data)
    return PlannedInstance(
        definition_id=definition.id,
        period=occ.period,
        subject_key=subject.key,
        cell_id=subject.cell_id,
        subject_member_id=subject.member_id,
        opens_on=occ.opens_on,
        due_on=occ.due_on,
        assignee_id=assignee,
        assigned_as=assigned_as,
        epic_id=subject.epic_id,
    )


def completion_rate(done: int, total: int) -> float | None:
    """Share of duties done (None when there were none)."""
    return None if total == 0 else done / total


def newcomer_periods(
    type_periods: Sequence[tuple[int, str, date]], left_on: Mapping[int, date | None]
) -> list[tuple[int, date, date]]:
    """(member, first day, last day) of each newcomer period, from (member, type, since) rows.

    A newcomer period runs until the day before the member's next type change, or
    their last day, or for ever while it lasts.
    """
    by_member: dict[int, list[tuple[date, str]]] = {}
    for member_id, member_type, since in type_periods:
        by_member.setdefault(member_id, []).append((since, member_type))
    result = []
    for member_id, rows in by_member.items():
        rows.sort()
        for i, (since, member_type) in enumerate(rows):
            if member_type != "newcomer":
                continue
            if i + 1 < len(rows):
                last = date.fromordinal(rows[i + 1][0].toordinal() - 1)
            else:
                last = left_on.get(member_id) or date.max
            result.append((member_id, since, last))
    return result
