from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self) -> None:
        from findings.signals import findings_opened
        from notifications import receivers

        findings_opened.connect(receivers.on_findings_opened, dispatch_uid="notifications-findings-opened")
