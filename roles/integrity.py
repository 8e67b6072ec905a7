"""Database refusals as the validation errors every form already shows.

Every write runs the models' ``clean()`` first, but two requests can both pass
those checks and then race to the database, whose constraints refuse the
second one. ``refusal_error`` turns that ``IntegrityError`` into a
``ValidationError`` with a field message, so the forms, the admin and the API
answer it like any other bad input and nothing is saved.
"""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

logger = logging.getLogger(__name__)

#: Constraints created by raw SQL in migrations (PostgreSQL exclusion
#: constraints): the field to blame and the message.
RAW_CONSTRAINTS: dict[str, tuple[str, str]] = {
    "assignment_one_exclusive_holder": (
        "since",
        "Someone else was given this single-holder role over these dates meanwhile. "
        "Reload the page, then end that assignment or record a handover first.",
    ),
    "time_off_no_overlap": (
        "start",
        "This overlaps time off recorded meanwhile. Reload the page to see it.",
    ),
}

FALLBACK = "This change conflicts with data saved meanwhile and was not saved. Reload the page and try again."


def constraint_name(exc: IntegrityError) -> str | None:
    """The name of the constraint that refused the write, when the database says."""
    diag = getattr(exc.__cause__, "diag", None)  # psycopg
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    match = re.search(r"CHECK constraint failed: (\w+)", str(exc))  # SQLite
    return match.group(1) if match else None


def _declared(name: str) -> tuple[str | None, str] | None:
    """A constraint declared on a roles model (``Meta.constraints`` or a unique
    field): the field to blame and its message."""
    for model in apps.get_app_config("roles").get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                fields = getattr(constraint, "fields", ())
                return (fields[-1] if fields else None), str(constraint.get_violation_error_message())
        for field in model._meta.concrete_fields:
            if (
                field.unique
                and not field.primary_key
                and name == f"{model._meta.db_table}_{field.column}_key"
            ):
                return field.name, (
                    f"Another {model._meta.verbose_name} with this {field.verbose_name} was saved meanwhile."
                )
    return None


def refusal_error(exc: IntegrityError) -> ValidationError:
    """The ``ValidationError`` to show for a write the database refused."""
    name = constraint_name(exc)
    logger.warning("The database refused a roles write (constraint %s): %s", name, exc)
    found = (RAW_CONSTRAINTS.get(name) or _declared(name)) if name else None
    field, message = found or (None, FALLBACK)
    return ValidationError({field: message} if field else message)


def save_or_refuse(instance: models.Model) -> None:
    """Saves an instance its caller has validated; a database refusal (a race
    with another request) becomes a ``ValidationError``. Call it inside the
    service's atomic block, which the error then rolls back."""
    try:
        instance.save()
    except IntegrityError as exc:
        raise refusal_error(exc) from exc
