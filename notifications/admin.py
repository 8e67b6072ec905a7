from django.contrib import admin

from notifications.models import ChatWebhook, Notification, NotificationPreference


@admin.register(ChatWebhook)
class ChatWebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "cell", "member", "active"]
    list_filter = ["active", "cell"]
    search_fields = ["name", "member__user__username"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["member", "by_email", "by_chat", "quiet_start", "quiet_end"]
    search_fields = ["member__user__username"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The delivery log."""

    list_display = ["created_at", "kind", "key", "target", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["key", "target", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]

    @admin.action(description="Send again now")
    def send_again(self, request: object, queryset: object) -> None:
        from django.utils import timezone

        queryset.update(status="retrying", next_attempt_at=timezone.now())  # type: ignore[attr-defined]
