"""A handover, a rotation change or new time off moves open duties to whoever should do them."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from roles.models import RoleAssignment, TimeOff
from rotations.models import RotationAssignment


def _changed(sender: Any, **kwargs: Any) -> None:
    from duties.tasks import queue_reassign

    if kwargs.get("raw"):
        return
    queue_reassign()


def connect() -> None:
    for model in (RoleAssignment, TimeOff, RotationAssignment):
        post_save.connect(_changed, sender=model, dispatch_uid=f"duties-reassign-save-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"duties-reassign-delete-{model.__name__}")
