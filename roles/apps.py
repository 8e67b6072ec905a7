from django.apps import AppConfig


class RolesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from roles.access import remember_admin_access

        user_logged_in.connect(remember_admin_access, dispatch_uid="roles.remember_admin_access")
