"""Admin for the sprint manager and staff: rotations with filters and history,
swaps, firefighting policies, calendar feeds, webhook endpoints and their delivery log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from rotations.models import (
    CalendarFeed,
    FirefightingPolicy,
    RotationAssignment,
    Swap,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from rotations.services.webhooks import webhook_redeliver


@admin.register(RotationAssignment)
class RotationAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "member", "cell", "sprint", "start", "end", "reserved_hours"]
    list_filter = ["kind", "cell", "sprint", ("start", admin.DateFieldListFilter)]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name", "note"]
    raw_id_fields = ["member"]
    list_select_related = ["member__user", "cell", "sprint"]
    date_hierarchy = "start"
    readonly_fields = ["reason"]


@admin.register(Swap)
class SwapAdmin(admin.ModelAdmin):
    list_display = [
        "first_member",
        "second_member",
        "first",
        "second",
        "agreed_on",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = [("agreed_on", admin.DateFieldListFilter), "first__cell"]
    list_select_related = [
        "first_member__user",
        "second_member__user",
        "first__member__user",
        "second__member__user",
        "recorded_by",
    ]
    search_fields = ["first_member__user__username", "second_member__user__username", "note"]
    raw_id_fields = ["first", "second", "first_member", "second_member"]
    readonly_fields = ["recorded_at"]


@admin.register(FirefightingPolicy)
class FirefightingPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["cell", "firefighters_per_sprint", "ops_reviewer", "pager"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "cell"]
    readonly_fields = ["token_digest", "member", "cell", "owner", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued from the feeds page, where the URL is shown once

    @admin.action(description="Revoke the selected feeds")
    def revoke(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        from rotations.services.feeds import feed_revoke

        for feed in queryset:
            feed_revoke(feed=feed)
        messages.success(request, f"{queryset.count()} feed(s) revoked.")


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "status", "attempts", "last_status_code", "created_at"]
    readonly_fields = ["event", "status", "attempts", "last_status_code", "created_at"]
    extra = 0
    max_num = 0
    show_change_link = True
    ordering = ["-created_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "url", "is_active", "timeout_seconds", "max_attempts", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    inlines = [DeliveryInline]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["events"].help_text = "A JSON list, e.g. " + str(list(WebhookEvent.values)).replace(
            "'", '"'
        )
        return form


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["delivery_id", "dedupe_key", "last_error"]
    readonly_fields = [
        "endpoint",
        "event",
        "delivery_id",
        "dedupe_key",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "log",
        "created_at",
        "delivered_at",
    ]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected deliveries again")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            webhook_redeliver(delivery=delivery)
        messages.success(request, f"{queryset.count()} delivery(ies) queued again.")
