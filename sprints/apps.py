from django.apps import AppConfig


class SprintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sprints"
