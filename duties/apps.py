from django.apps import AppConfig


class DutiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "duties"

    def ready(self) -> None:
        from duties import signals
        from duties.services import sprint_duties_open
        from sprints.services import register_completion_step

        signals.connect()
        register_completion_step("open_duties", sprint_duties_open)
