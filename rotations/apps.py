from django.apps import AppConfig


class RotationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rotations"
