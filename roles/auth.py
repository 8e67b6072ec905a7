"""Authentication that follows membership: a member is refused from their ``left_on``
day on, by password (``authenticate``), by session (``get_user``) and by API token
(``MemberTokenAuthentication``); and role holders get the admin permissions of the
models their role keeps (``roles.access.ADMIN_TABLE``), computed from their
assignments instead of granted by hand."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from roles.access import ADMIN_TABLE, admin_scope, member_of, membership_ended
from roles.middleware import member_zone
from roles.models import Member

LEFT_MESSAGE = "Your membership has ended, so this account no longer has access."


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in that comes with a request (the login
    page, the admin, /api/token/). Code calling ``authenticate()`` without one (scripts,
    the demo's own check) has no address to count failures by and is not an attack
    surface, so it is let through to the password check."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[arg-type]
        return None


class MemberBackend(ModelBackend):
    """``ModelBackend`` refusing members whose membership has ended."""

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        if user is None or not super().user_can_authenticate(user):
            return False
        member = member_of(user)  # read with the user by ``get_user``, or one query here
        return member is None or not membership_ended(member.left_on)

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with their member and cell, in one query: the access check,
        the time zone (``roles.middleware``) and every page read the member through
        ``roles.access.member_of`` without a query of their own. ``None`` for a member who
        has left, which ends the session's access the day membership ends."""
        try:
            user = User._default_manager.select_related("member__cell").get(pk=user_id)
        except User.DoesNotExist:
            return None
        member: Member | None = getattr(user, "member", None)  # joined above: no query
        user._ops_member = member  # type: ignore[attr-defined]  # what ``member_of`` caches
        return user if self.user_can_authenticate(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if super().has_perm(user_obj, perm, obj):
            return True
        if not getattr(user_obj, "is_active", False) or obj is not None:
            return False
        app_label, _, codename = perm.partition(".")
        action, _, model = codename.partition("_")
        return bool(admin_scope(user_obj, f"{app_label}.{model}", action))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if super().has_module_perms(user_obj, app_label):
            return True
        if not getattr(user_obj, "is_active", False):
            return False
        return any(
            label.startswith(f"{app_label}.") and admin_scope(user_obj, label, "view")
            for label in ADMIN_TABLE
        )


def token_digest(raw: str) -> str:
    """What is stored for an API token: a keyed-free BLAKE2b digest of 20 bytes (40 hex
    characters, the width of DRF's ``Token.key``). The token itself is 40 random hex
    characters (160 bits), so a fast hash is enough; a leaked table gives no usable token."""
    return hashlib.blake2b(raw.encode(), digest_size=20, person=b"ops-api-token").hexdigest()


def token_issue(user: Any) -> tuple[str, Token]:
    """A new API token for ``user``, replacing any they had; returns the token (shown once,
    never stored) and its stored row."""
    raw = secrets.token_hex(20)
    Token.objects.filter(user=user).delete()
    return raw, Token.objects.create(user=user, key=token_digest(raw))


def token_expired(token: Token) -> bool:
    max_age = timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    return token.created + max_age <= timezone.now()


class MemberTokenAuthentication(TokenAuthentication):
    """Token authentication refusing expired tokens and members who have left."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        try:
            # One query, as DRF's own: the member and their cell ride along.
            token = Token.objects.select_related("user__member__cell").get(key=token_digest(key))
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                "This token has expired: ask for a new one at /api/token/ with your username and password."
            )
        member: Member | None = getattr(user, "member", None)  # joined above: no query
        if member is not None and membership_ended(member.left_on):
            raise exceptions.AuthenticationFailed(LEFT_MESSAGE)
        user._ops_member = member  # type: ignore[attr-defined]  # what ``member_of`` caches
        # The session middleware ran before DRF knew the user: the call runs in the
        # member's time zone from here (``MemberTimezoneMiddleware`` resets it after).
        zone = member_zone(member)
        if zone is not None:
            timezone.activate(zone)
        return user, token


__all__ = [
    "AnonymousUser",
    "MemberBackend",
    "MemberTokenAuthentication",
    "token_digest",
    "token_expired",
    "token_issue",
]
