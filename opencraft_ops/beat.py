"""The one Celery beat schedule.

django-celery-beat's DatabaseScheduler copies these entries into its tables at
start-up, so the admin shows them and role holders can pause or reschedule
them there. Add an entry here when an app gains a periodic task.
"""

from typing import Any

from celery.schedules import crontab

# Beat's pulse: a no-op every minute. Beat records its last run as it sends it, and
# /healthz reads that as beat's last tick.
HEARTBEAT = "beat-heartbeat"

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    HEARTBEAT: {"task": "opencraft_ops.heartbeat", "schedule": crontab()},
    # sync (issue 3): worklogs every 5 minutes, JIRA every 10; nightly, the Tempo reconciliation
    # and a full JIRA read (the only way issues deleted in JIRA are noticed). The nightly ones
    # sit off the 5- and 10-minute grid (a source runs one sync at a time) and retry while busy.
    "sync-tempo": {"task": "sync.tempo", "schedule": crontab(minute="*/5")},
    "sync-jira": {"task": "sync.jira", "schedule": crontab(minute="*/10")},
    "sync-tempo-reconcile": {"task": "sync.tempo_reconcile", "schedule": crontab(hour=2, minute=33)},
    "sync-jira-full": {"task": "sync.jira", "schedule": crontab(hour=3, minute=17), "kwargs": {"full": True}},
    "rotations-sprint-started-webhook": {
        "task": "rotations.tasks.sprint_started_notify",
        "schedule": crontab(minute=15, hour=0),
    },
    # Webhook deliveries whose next attempt is due (the only retries without a worker).
    "rotations-webhooks-send-due": {"task": "rotations.tasks.send_due_webhooks", "schedule": crontab()},
    # Duties: open (and catch up), reassign, snapshot finding counts; then each member's morning digest.
    "duties-open": {"task": "duties.tasks.open_duties", "schedule": crontab(minute=5)},
    "duties-digests": {"task": "duties.tasks.send_digests", "schedule": crontab(minute="*/15")},
    # Estimation: open the next sprint's sessions (from the sprint's first day), let late
    # unestimated tickets join after the JIRA sync, close the due ones, resume JIRA writes.
    "estimation-sessions": {"task": "estimation.tasks.sessions_tick", "schedule": crontab(minute=25)},
    # Findings: every rule for every cell (the rules that depend on the clock), then the
    # notifications whose (re)try is due or whose quiet hours ended.
    "findings-evaluate-all": {"task": "findings.tasks.evaluate_all", "schedule": crontab(minute="*/5")},
    "notifications-send-due": {"task": "notifications.tasks.send_due", "schedule": crontab()},
    # Sustainability: budget thresholds and cells above (or projected above) target, once per crossing.
    "sustainability-alerts": {"task": "sustainability.tasks.send_alerts", "schedule": crontab(minute=20)},
    # Access (issue 13): members who left lose their sessions and tokens just after midnight
    # (the authentication checks already refuse them from their left_on day).
    "roles-end-leavers-access": {
        "task": "roles.tasks.end_leavers_access",
        "schedule": crontab(hour=0, minute=5),
    },
}

__all__ = ["BEAT_SCHEDULE", "HEARTBEAT", "crontab"]
