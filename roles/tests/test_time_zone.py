"""Every request runs in the signed-in member's own time zone (``roles.middleware``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject

from duties.views import local_today
from roles.auth import MemberBackend
from roles.middleware import MemberTimezoneMiddleware
from roles.models import Member
from roles.tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

# 25 hours apart: on any instant their dates differ, so a page in the wrong zone shows.
EAST, WEST = "Pacific/Kiritimati", "Pacific/Pago_Pago"
AT = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)


def seen(user: Any) -> dict[str, Any]:
    """What a view run under the middleware reads: the active zone, today, a rendered time."""
    out: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        out["zone"] = timezone.get_current_timezone_name()
        out["today"] = timezone.localdate()
        out["at"] = Template('{{ at|date:"DATETIME_FORMAT" }}').render(Context({"at": AT}))
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    MemberTimezoneMiddleware(view)(request)
    return out


def test_the_members_zone_is_active_for_the_request_and_dropped_after() -> None:
    member = MemberFactory.create(timezone="Europe/Berlin")
    out = seen(member.user)
    assert out["zone"] == "Europe/Berlin"
    assert out["at"] == "Mon 7 Dec 2026, 15:05"  # 14:05 UTC is 15:05 in Berlin in December
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_today_is_the_members_date_and_agrees_with_local_today() -> None:
    east, west = MemberFactory.create(timezone=EAST), MemberFactory.create(timezone=WEST)
    now = timezone.now()
    for member in (east, west):
        out = seen(member.user)
        assert out["today"] == now.astimezone(ZoneInfo(member.timezone)).date()
        assert out["today"] == local_today(member)
    assert seen(east.user)["today"] != seen(west.user)["today"]


def test_fallbacks_are_the_portals_zone() -> None:
    no_member = UserFactory.create()
    unknown = MemberFactory.create()
    Member.objects.filter(pk=unknown.pk).update(timezone="Mars/Olympus")  # bypasses the validator
    unknown.refresh_from_db()
    for user in (AnonymousUser(), no_member, unknown.user):
        assert seen(user)["zone"] == settings.TIME_ZONE
    assert local_today(unknown) == timezone.localdate()
    assert local_today(None) == timezone.localdate()


def test_the_session_user_brings_its_zone_so_the_middleware_costs_no_query(
    django_assert_num_queries: Any,
) -> None:
    member = MemberFactory.create(timezone=EAST)
    user = MemberBackend().get_user(member.user.pk)
    with django_assert_num_queries(0):
        assert seen(user)["zone"] == EAST
        assert seen(SimpleLazyObject(lambda: user))["zone"] == EAST  # as request.user comes


def test_pages_show_the_members_today_in_their_zone(client: Any) -> None:
    east, west = MemberFactory.create(timezone=EAST), MemberFactory.create(timezone=WEST)
    shown = {}
    for member in (east, west):
        client.force_login(member.user)
        response = client.get("/")
        assert response.status_code == 200
        today = timezone.now().astimezone(ZoneInfo(member.timezone)).date()
        assert response.context["today"] == today
        html = response.content.decode()
        assert f"{formats.date_format(today)} in your time zone ({member.timezone})" in html
        directory = client.get("/org/directory/").content.decode()
        assert f"Today is {formats.date_format(today)}" in directory
        shown[member.timezone] = today
    assert shown[EAST] != shown[WEST]


def test_a_form_reads_a_typed_time_in_the_members_zone(client: Any) -> None:
    """``datetime-local`` input carries no offset: it means the viewer's wall clock."""
    member = MemberFactory.create(timezone="Asia/Tokyo")
    client.force_login(member.user)
    query = {"member": member.pk, "pinged_at": "2026-12-07T10:00", "window": "12h"}
    response = client.get("/duties/clock/", query)
    assert response.status_code == 200, response.context["form"].errors
    assert response.context["form"].cleaned_data["pinged_at"] == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert "In your own time zone" in response.content.decode()
