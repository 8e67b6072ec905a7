"""Whether a worklog's description says what was done (the handbook asks newcomers to log
"detailed descriptions about the work performed", e.g. "Reviewed task and asked questions
on ticket, requested repo access, started setting up devstack").

A description is vague when it is empty, shorter than ``MIN_WORDS`` words (a ticket key
counts as one), or made only of words that name no piece of work ("onboarding", "dev
work", "meeting", "misc"). The durations tell the rest: the mentor helps with "precise time
tracking ... if the work logs show too many approximate (i.e. rounded) values"
(``mostly_rounded``). Pure: no ORM.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

MIN_WORDS = 4
# Words that say that time was spent, not on what. A description made only of these (and a
# ticket key) is vague whatever its length.
GENERIC_WORDS = frozenset(
    {
        "a", "an", "and", "the", "of", "on", "for", "to", "in", "with", "some", "more", "other",
        "work", "working", "worked", "task", "tasks", "ticket", "tickets", "stuff", "things",
        "misc", "miscellaneous", "various", "general", "continued", "continue", "continuing",
        "dev", "development", "developing", "coding", "code", "onboarding", "learning",
        "reading", "research", "meeting", "meetings", "call", "calls", "review", "reviews",
        "reviewing", "fix", "fixes", "fixing", "bug", "bugs", "setup", "wip", "etc", "done",
        "progress", "sprint", "admin", "support", "help", "day",
    }
)  # fmt: skip
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'._-]*")
_TICKET_KEY = re.compile(r"^[A-Z][A-Z0-9]+-\d+$")


def vague_reason(description: str) -> str | None:
    """Why ``description`` is vague ("no description", "2 words", "generic words only"),
    or None when it says what was done."""
    words = _WORD.findall(description or "")
    if not words:
        return "no description"
    if len(words) < MIN_WORDS:
        return f"{len(words)} word{'s' if len(words) != 1 else ''}"
    meaningful = [w for w in words if w.lower() not in GENERIC_WORDS and not _TICKET_KEY.match(w)]
    if not meaningful:
        return "generic words only"
    return None


# A duration in whole half-hours (30 min, 1 h, 2 h 30 min) looks estimated rather than tracked.
ROUNDED_SECONDS = 30 * 60
# "Too many" rounded values: at least this share of at least this many worklogs. A meeting
# or two of a round length is normal; most of a fortnight's worklogs is a habit.
ROUNDED_MIN_WORKLOGS = 5
ROUNDED_SHARE = Decimal("0.8")


def is_rounded(seconds: int) -> bool:
    return seconds > 0 and seconds % ROUNDED_SECONDS == 0


def mostly_rounded(durations: Sequence[int]) -> bool:
    """Whether too many of these worklog durations (seconds) are round: at least
    ``ROUNDED_SHARE`` of at least ``ROUNDED_MIN_WORKLOGS`` worklogs."""
    if len(durations) < ROUNDED_MIN_WORKLOGS:
        return False
    return sum(1 for s in durations if is_rounded(s)) >= ROUNDED_SHARE * len(durations)
