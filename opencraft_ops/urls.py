from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

import duties.api
import estimation.api
import roles.api
import rotations.api
import sprints.api
import sustainability.api
from duties.urls import home_urlpatterns
from opencraft_ops.api_router import router

api_patterns: list[URLPattern | URLResolver] = [
    path("", include(router.urls)),
    path("", include(roles.api)),
    path("", include(sprints.api)),
    path("", include(rotations.api)),
    path("", include(sustainability.api)),
    path("", include(duties.api)),
    path("", include(estimation.api)),
    path("token/", obtain_auth_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's). Resolved per
    request: the hashed static name exists only once the static files are collected."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    *home_urlpatterns,
    path("favicon.ico", favicon),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("org/", include("roles.urls")),
    path("sprints/", include("sprints.urls")),
    path("rotations/", include("rotations.urls")),
    path("sustainability/", include("sustainability.urls")),
    path("duties/", include("duties.urls")),
    path("estimation/", include("estimation.urls")),
    path("sync/", include("sync.urls")),
]
