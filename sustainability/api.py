"""REST API of the sustainability app: viewsets registered on the shared router, extra paths below."""

from django.urls import URLPattern, URLResolver

from opencraft_ops.api_router import router  # noqa: F401

urlpatterns: list[URLPattern | URLResolver] = []
