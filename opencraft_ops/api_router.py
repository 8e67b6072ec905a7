"""The single DRF router. Each app's ``api.py`` registers its viewsets here
and may add plain API paths to its own ``urlpatterns``."""

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter

# Ids are PostgreSQL bigints; a longer number in a URL or filter cannot name a row.
MAX_ID = 2**63 - 1
ID_REGEX = r"[0-9]{1,18}"


class IdRouter(DefaultRouter):
    """Detail URLs of viewsets looked up by primary key accept only digits that
    fit a bigint, so ``/api/x/9223372036854775808/`` is a 404, not an overflow."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        if getattr(viewset, "lookup_field", "pk") in ("pk", "id") and not getattr(
            viewset, "lookup_value_regex", None
        ):
            viewset.lookup_value_regex = ID_REGEX
        return super().get_lookup_regex(viewset, lookup_prefix)


def check_integer_params(request: Request, names: Any) -> None:
    """Refuses (400, naming the parameter) any whole-number query value in
    ``names`` that no database integer can hold."""
    for name in names:
        for value in request.query_params.getlist(name):
            text = value.strip().lstrip("+-")
            if text.isdigit() and int(text) > MAX_ID:
                raise ValidationError({name: [f"{value[:30]} is out of range."]})


class BoundedFilterBackend(DjangoFilterBackend):
    """django-filter with every filter's numbers bounded (``?cell=9223372036854775808``
    is a 400 naming ``cell``, not an ``OverflowError``)."""

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            check_integer_params(request, filterset.form.fields)
        return super().filter_queryset(request, queryset, view)


router = IdRouter()
