from datetime import date

import pytest

from duties.triage import SecuritySeverity, triage

EPOCH = date(2019, 1, 1)
# Thursday 31 December 2026 is in sprint 209 (22 Dec 2026 - 4 Jan 2027).
REPORTED = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("severity", "sprint", "start", "now", "discuss"),
    [
        ("critical", 209, REPORTED, True, False),
        ("HIGH", 209, REPORTED, True, False),
        ("medium", 210, date(2027, 1, 5), False, False),
        ("low", 211, date(2027, 1, 19), False, False),
        ("unknown", None, None, False, True),
        (SecuritySeverity.MEDIUM, 210, date(2027, 1, 5), False, False),
    ],
)
def test_triage_schedule(severity, sprint, start, now, discuss):
    schedule = triage(severity, reported_on=REPORTED, epoch=EPOCH)
    assert schedule.sprint_number == sprint
    assert schedule.start_on == start
    assert schedule.firefighters_start_now is now
    assert schedule.needs_discussion is discuss
    assert schedule.action


def test_unknown_label_is_refused():
    with pytest.raises(ValueError, match="not a severity"):
        triage("urgent-ish", reported_on=REPORTED, epoch=EPOCH)
