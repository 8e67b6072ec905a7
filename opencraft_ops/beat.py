"""The one Celery beat schedule.

django-celery-beat's DatabaseScheduler copies these entries into its tables at
start-up, so the admin shows them and role holders can pause or reschedule
them there. Add an entry here when an app gains a periodic task.
"""

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "rotations-sprint-started-webhook": {
        "task": "rotations.tasks.sprint_started_notify",
        "schedule": crontab(minute=15, hour=0),
    },
    # "sync-tempo-worklogs": {"task": "sustainability.tasks...", "schedule": crontab(minute="*/5")},
    # Duties: open (and catch up), reassign, snapshot finding counts; then each member's morning digest.
    "duties-open": {"task": "duties.tasks.open_duties", "schedule": crontab(minute=5)},
    "duties-digests": {"task": "duties.tasks.send_digests", "schedule": crontab(minute="*/15")},
    # Sustainability: budget thresholds and cells above (or projected above) target, once per crossing.
    "sustainability-alerts": {"task": "sustainability.tasks.send_alerts", "schedule": crontab(minute=20)},
}

__all__ = ["BEAT_SCHEDULE", "crontab"]
