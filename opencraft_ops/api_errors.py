"""API error handling: database integrity errors, model validation errors and request
bodies over Django's limits become 400 answers with a message in JSON, instead of a 500
or Django's HTML error page."""

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.1f} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def body_refusal(exc: Exception) -> str | None:
    """The message for a request body over one of Django's limits (``RequestDataTooBig``,
    too many fields or files), or None for any other exception."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            return "The request body is too large."
        return (
            f"The request body is larger than the {_size(limit)} ({limit} bytes) the API accepts; "
            "send less data per request."
        )
    if isinstance(exc, TooManyFieldsSent):
        return (
            f"The request has more than the {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields the API accepts."
        )
    if isinstance(exc, TooManyFilesSent):
        return f"The request has more than the {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files the API accepts."
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    refusal = body_refusal(exc)
    if refusal is not None:
        return Response({"detail": refusal}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": "This change conflicts with existing data and was not saved."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)
