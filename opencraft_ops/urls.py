from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.http.response import HttpResponseRedirectBase
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import duties.api
import epics.api  # noqa: F401  (registers the epic viewsets on the shared router)
import estimation.api
import handbook.api
import notifications.api
import roles.api
import rotations.api
import sprints.api
import sustainability.api
from duties.urls import home_urlpatterns
from opencraft_ops.api_router import router
from roles.tokens import TokenView
from sync.health import healthz

handler500 = "opencraft_ops.refusals.server_error"

api_patterns: list[URLPattern | URLResolver] = [
    path("", include(router.urls)),
    path("", include(roles.api)),
    path("", include(sprints.api)),
    path("", include(rotations.api)),
    path("", include(sustainability.api)),
    path("", include(duties.api)),
    path("", include(estimation.api)),
    path("", include(notifications.api)),
    path("", include(handbook.api)),
    path("token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]


def _moved(request: HttpRequest, target: str) -> HttpResponseRedirectBase:
    """A permanent redirect that keeps the query string (308 for a form post, so the browser
    posts again instead of turning it into a GET)."""
    if request.META.get("QUERY_STRING"):
        target += f"?{request.META['QUERY_STRING']}"
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    return HttpResponsePermanentRedirect(target, status=308)


def epics_moved(request: HttpRequest, rest: str = "") -> HttpResponseRedirectBase:
    """The epic pages lived under /sprints/epics/ until epics became an app of their own: old
    links and bookmarks land on the same page under /epics/."""
    return _moved(request, f"/epics/{rest}")


def epics_admin_moved(request: HttpRequest, model: str, rest: str = "") -> HttpResponseRedirectBase:
    """The admin pages of the epic models moved from /admin/sprints/ to /admin/epics/."""
    return _moved(request, f"/admin/epics/{model}/{rest}")


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's). Resolved per
    request: the hashed static name exists only once the static files are collected."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    *home_urlpatterns,
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    re_path(
        r"^admin/sprints/(?P<model>(historical)?epic[a-z]*)/(?P<rest>.*)$",
        epics_admin_moved,
    ),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("org/", include("roles.urls")),
    path("sprints/epics/", epics_moved),
    path("sprints/epics/<path:rest>", epics_moved),
    path("sprints/", include("sprints.urls")),
    path("epics/", include("epics.urls")),
    path("rotations/", include("rotations.urls")),
    path("sustainability/", include("sustainability.urls")),
    path("duties/", include("duties.urls")),
    path("estimation/", include("estimation.urls")),
    path("sync/", include("sync.urls")),
    path("handbook/", include("handbook.urls")),
    path("notifications/", include("notifications.urls")),
]
handler400 = "opencraft_ops.api_views.bad_request"
handler404 = "opencraft_ops.api_views.not_found"
