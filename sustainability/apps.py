from django.apps import AppConfig


class SustainabilityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sustainability"
