"""The single DRF router. Each app's ``api.py`` registers its viewsets here
and may add plain API paths to its own ``urlpatterns``."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
