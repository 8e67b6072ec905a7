"""The rotation schedule as the answer to "who holds a rotation role": the reader that
``roles.rotation_holders`` asks (registered in ``RotationsConfig.ready``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from roles.calculations import display_name
from roles.rotation_holders import RotationHold
from rotations.models import CORE_ONLY_KINDS, RotationAssignment, RotationKind

# Rotation kind -> the catalog role it fills (or the kind's own slug where the catalog has none),
# in the order pages list them.
ROLE_SLUG_OF_KIND: dict[str, str] = {
    RotationKind.FIREFIGHTER_1: "firefighter-1",
    RotationKind.FIREFIGHTER_2: "firefighter-2",
    RotationKind.FIREFIGHTER_BACKUP: "firefighter-backup",
    RotationKind.DISCOVERY_DUTY: "discovery-duty",
    RotationKind.OPS_REVIEWER: "ops-reviewer",
    RotationKind.PAGER: "pager",
}
LABELS = dict(RotationKind.choices)


def schedule_holds(
    cell_ids: Sequence[int] | None, member_ids: Sequence[int] | None, start: date, end: date
) -> list[RotationHold]:
    """The slots overlapping ``start..end``, with the holder's name (one query)."""
    qs = RotationAssignment.objects.filter(start__lte=end, end__gte=start)
    if cell_ids is not None:
        qs = qs.filter(cell_id__in=cell_ids)
    if member_ids is not None:
        qs = qs.filter(member_id__in=member_ids)
    rows = qs.values_list(
        "cell_id",
        "kind",
        "member_id",
        "member__user__first_name",
        "member__user__last_name",
        "member__user__username",
        "member__left_on",
        "start",
        "end",
    )
    return [
        RotationHold(
            cell_id=cell_id,
            role_slug=ROLE_SLUG_OF_KIND.get(kind, kind),
            label=LABELS.get(kind, kind),
            member_id=member_id,
            member_name=display_name(first, last, username),
            member_left_on=left_on,
            start=first_day,
            end=last_day,
            core_only=kind in CORE_ONLY_KINDS,
        )
        for cell_id, kind, member_id, first, last, username, left_on, first_day, last_day in rows
    ]


def as_hold(rotation: RotationAssignment) -> RotationHold:
    """A loaded rotation (member and user already fetched, or the name is not needed) as a hold."""
    return RotationHold(
        cell_id=rotation.cell_id,
        role_slug=ROLE_SLUG_OF_KIND.get(rotation.kind, rotation.kind),
        label=LABELS.get(rotation.kind, rotation.kind),
        member_id=rotation.member_id,
        member_name="",
        member_left_on=None,
        start=rotation.start,
        end=rotation.end,
        core_only=rotation.kind in CORE_ONLY_KINDS,
    )
