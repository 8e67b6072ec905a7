"""Demo data of the estimation app: each cell's session for the next sprint, open, with some
votes (reproducible: who votes what follows from the ticket key and the username, never from
ids or randomness), and one ticket revealed so the spread shows. Seeded after the closing
day, a session stays open to the end of the running sprint. Idempotent."""

from __future__ import annotations

import zlib
from typing import TextIO

from django.utils import timezone

from estimation import selectors, services
from estimation.calculations import VOTE_CHOICES
from estimation.models import EstimationSession, Vote
from opencraft_ops import calendar
from roles.models import Cell

NUMERIC = [value for value, _ in VOTE_CHOICES[1:6]]  # 1, 2, 3, 5, 8: what most tickets get


def _value(key: str, username: str) -> str:
    return NUMERIC[zlib.crc32(f"{key}:{username}".encode()) % len(NUMERIC)]


def seed(stdout: TextIO) -> None:
    today = timezone.localdate()
    number = calendar.sprint_on(today).number + 1
    votes = 0
    sessions = 0
    for cell in Cell.objects.order_by("name"):
        session = services.session_open(cell=cell, sprint_number=number)
        sessions += 1
        if session.state == "open" and session.closes_on < today:
            # Seeded after the closing day (Friday of W2 to Monday of W3): keep it open to the
            # end of the running sprint, as the beat (which would have closed it) does not run here.
            session.closes_on = calendar.sprint_on(today).end
            session.save(update_fields=["closes_on"])
        if session.state != "open":
            continue
        members = selectors.voters(cell_id=cell.pk, as_of=today)
        items = list(session.items.select_related("ticket", "session").order_by("ticket__key"))
        # Everyone votes on the first ticket, half the cell on the next two, nobody on the rest.
        for position, item in enumerate(items[:3]):
            voters = members if position == 0 else members[::2]
            for member in voters:
                if not Vote.objects.filter(item=item, member=member).exists():
                    services.vote_cast(
                        item=item,
                        member=member,
                        value=_value(item.ticket.key, member.user.username),
                        comment="Similar to last sprint's work." if position == 0 else "",
                    )
                    votes += 1
        if len(items) > 1:
            services.items_reveal(session=session, item_ids=[items[1].pk])
    stdout.write(
        f"  estimation: {sessions} session(s) for sprint {number}, {votes} vote(s) added "
        f"({EstimationSession.objects.filter(state='open').count()} open in all)\n"
    )
