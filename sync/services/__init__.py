"""Writes of the sync: Tempo accounts and worklogs, JIRA sprints, epics and tickets.

Each entry point takes the lock of its source, records a SyncRun and commits page by page.
"""

from sync.services.jira import jira_sync
from sync.services.runs import RunSkipped, SyncBusy, source_lock
from sync.services.tempo import accounts_sync, worklogs_link_orphans, worklogs_reconcile, worklogs_sync

__all__ = [
    "RunSkipped",
    "SyncBusy",
    "accounts_sync",
    "jira_sync",
    "source_lock",
    "worklogs_link_orphans",
    "worklogs_reconcile",
    "worklogs_sync",
]
