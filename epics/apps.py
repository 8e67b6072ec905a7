from django.apps import AppConfig


class EpicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "epics"

    def ready(self) -> None:
        # The sprint board reserves an epic owner's time for each open epic they own.
        from epics.capacity import epics_owned
        from sprints.reservations import register_owned_epics

        register_owned_epics(epics_owned)
