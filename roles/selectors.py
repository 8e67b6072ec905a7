"""Read queries of the roles app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from roles.calculations import TimeOffPeriod
from roles.models import TimeOff


def time_off_by_member(
    *, member_ids: Iterable[int] | None, start: date, end: date
) -> dict[int, list[TimeOffPeriod]]:
    """Time off overlapping [start, end] per member, in one query.

    ``member_ids=None`` means every member.
    """
    qs = TimeOff.objects.filter(Q(start__lte=end) & Q(end__gte=start))
    if member_ids is not None:
        qs = qs.filter(member_id__in=list(member_ids))
    result: dict[int, list[TimeOffPeriod]] = defaultdict(list)
    for member_id, s, e, hours in qs.values_list("member_id", "start", "end", "hours_per_day"):
        result[member_id].append(TimeOffPeriod(start=s, end=e, hours_per_day=hours))
    return dict(result)
