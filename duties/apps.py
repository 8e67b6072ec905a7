from django.apps import AppConfig


class DutiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "duties"

    def ready(self) -> None:
        from duties import signals

        signals.connect()
