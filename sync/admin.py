from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sync.calculations import ticket_status_for
from sync.models import JiraStatus, SyncCursor, SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """Runs are written by the sync only; the admin reads them (link to the status page on top)."""

    change_list_template = "admin/sync/syncrun/change_list.html"
    list_display = [
        "started",
        "source",
        "mode",
        "outcome",
        "fetched",
        "created",
        "updated",
        "deleted",
        "skipped",
        "errors",
        "triggered_by",
    ]
    list_filter = ["source", "outcome", "mode", "triggered_by"]
    date_hierarchy = "started"
    search_fields = ["message"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin):
    """Clearing a cursor's value makes the next run of that feed read everything again."""

    list_display = ["name", "value", "pending", "updated_at"]
    readonly_fields = ["name", "pending", "updated_at"]


@admin.register(JiraStatus)
class JiraStatusAdmin(admin.ModelAdmin):
    """The JIRA statuses the sync met. Set the portal status a JIRA status maps to when its
    name is not a portal status and its category is not the right answer (e.g. "Peer Review"
    -> Code Review); the next sync applies it to every issue it reads."""

    list_display = ["name", "category", "ticket_status", "epic_status", "mapped_by", "last_seen"]
    list_editable = ["ticket_status", "epic_status"]
    list_filter = ["category"]
    search_fields = ["name"]
    readonly_fields = ["name", "category", "first_seen", "last_seen", "issue_keys"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from the sync, which knows the category

    @admin.display(description="Ticket status now")
    def mapped_by(self, obj: JiraStatus) -> str:
        mapped = ticket_status_for(obj.name, obj.category, override=obj.ticket_status)
        return f"{mapped.status} (by {mapped.how})"
