"""Members' recorded sprint updates (mid-sprint and end-of-sprint), for the boards and the
process check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sprints.models import MemberSprintUpdate, UpdateKind


@dataclass(frozen=True)
class PostedUpdate:
    posted_at: datetime
    link: str
    note: str


@dataclass(frozen=True)
class UpdateLine:
    """One member's line on the board: their mid-sprint and end-of-sprint updates, or None."""

    member_id: int
    name: str
    mid: PostedUpdate | None
    end: PostedUpdate | None


def updates_by_member(
    *, sprint_numbers: Iterable[int], member_ids: Iterable[int] | None
) -> dict[tuple[int, int, str], PostedUpdate]:
    """{(sprint number, member id, kind): update} of those sprints, for ``member_ids`` (every
    member when None), in one query (none for no member)."""
    qs = MemberSprintUpdate.objects.filter(sprint__number__in=list(sprint_numbers))
    if member_ids is not None:
        ids = list(member_ids)
        if not ids:
            return {}
        qs = qs.filter(member_id__in=ids)
    return {
        (number, member_id, kind): PostedUpdate(posted_at=at, link=link, note=note)
        for number, member_id, kind, at, link, note in qs.values_list(
            "sprint__number", "member_id", "kind", "posted_at", "link", "note"
        )
    }


def update_lines(*, members: Sequence[tuple[int, str]], sprint_number: int) -> list[UpdateLine]:
    """A line per (member id, name) of ``members``, in their order, with the updates they
    recorded for the sprint (one query, none without members)."""
    found = updates_by_member(sprint_numbers=[sprint_number], member_ids=[pk for pk, _ in members])
    return [
        UpdateLine(
            member_id=pk,
            name=name,
            mid=found.get((sprint_number, pk, UpdateKind.MID)),
            end=found.get((sprint_number, pk, UpdateKind.END)),
        )
        for pk, name in members
    ]
