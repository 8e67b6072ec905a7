from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sync.models import SyncCursor, SyncRun


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
