from django.apps import AppConfig


class RotationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rotations"

    def ready(self) -> None:
        # The sprint board reserves the hours of the rotations a member is on.
        from roles.rotation_holders import register_reader
        from rotations.capacity import rotations_reserved
        from rotations.holders import ROLE_SLUG_OF_KIND, schedule_holds
        from rotations.models import RotationKind
        from rotations.services import rotations_open_sprint
        from sprints.reservations import register_rotations
        from sprints.services import register_completion_step

        register_rotations(rotations_reserved, labels=dict(RotationKind.choices))
        # Completing a sprint fills the next sprint's empty slots and announces it.
        register_completion_step("open_rotations", rotations_open_sprint)
        # Who holds a rotation role, on every page and endpoint: the schedule (roles.rotation_holders).
        register_reader(schedule_holds, order=ROLE_SLUG_OF_KIND.values())
