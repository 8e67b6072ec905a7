"""Every request runs in the signed-in member's own time zone.

Placed after ``AuthenticationMiddleware``: the member's ``timezone`` is activated for
the request, so templates, forms and ``timezone.localdate()`` / ``localtime()`` read
local dates and times; anonymous users, users without a member and a time zone this
Python does not know fall back to ``settings.TIME_ZONE``. The session's user comes with
the member's time zone already read (``roles.auth.MemberBackend.get_user``), so this
costs no query; a user authenticated some other way is looked up through
``roles.access.member_of`` (cached on the user).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from roles.access import AnyUser, member_of
from roles.models import Member


@lru_cache(maxsize=512)
def zone_named(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``; ``None`` for no name or one this Python does not know."""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def member_zone(member: Member | None) -> zoneinfo.ZoneInfo | None:
    """The member's own zone, ``None`` for the portal's (``settings.TIME_ZONE``)."""
    return zone_named(member.timezone) if member is not None else None


def user_zone(user: AnyUser | None) -> zoneinfo.ZoneInfo | None:
    if user is None or not user.is_authenticated:
        return None
    return member_zone(member_of(user))  # the member is read with the session's user: no query


class MemberTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = user_zone(getattr(request, "user", None))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:  # an API token's member zone is activated later (``roles.auth``): reset both
            return self.get_response(request)
        finally:
            timezone.deactivate()
