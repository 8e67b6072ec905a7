from django.apps import AppConfig


class FindingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "findings"

    def ready(self) -> None:
        from findings import signals

        signals.connect()
