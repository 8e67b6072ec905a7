"""The caller's notification settings: channels and quiet hours (``/api/notifications/preferences/``)
and their own delivery log (``/api/notifications/``)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.models import Notification, NotificationPreference
from roles.models import Member
from roles.permissions import member_of


class PreferenceSerializer(serializers.ModelSerializer[NotificationPreference]):
    class Meta:
        model = NotificationPreference
        fields = ["by_email", "by_chat", "quiet_start", "quiet_end"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("quiet_start", getattr(self.instance, "quiet_start", None))
        end = attrs.get("quiet_end", getattr(self.instance, "quiet_end", None))
        if (start is None) != (end is None):
            raise serializers.ValidationError("Give both quiet_start and quiet_end, or neither.")
        return attrs


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "key",
            "channel",
            "target",
            "subject",
            "status",
            "attempts",
            "next_attempt_at",
            "delayed_reason",
            "last_error",
            "created_at",
            "sent_at",
        ]


def _member(request: Request) -> Member:
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied("Your account is not linked to a team member.")
    return member


class PreferenceView(APIView):
    """Your channels (email, chat) and quiet hours (your local time)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request: Request) -> Response:
        pref = NotificationPreference.objects.filter(member=_member(request)).first()
        return Response(PreferenceSerializer(pref or NotificationPreference()).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request: Request) -> Response:
        member = _member(request)
        pref = NotificationPreference.objects.filter(member=member).first()
        body = PreferenceSerializer(pref, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        body.save(member=member)
        return Response(body.data)


class MyNotificationsView(APIView):
    """The last 100 messages sent (or to be sent) to you."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=NotificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = Notification.objects.filter(member=_member(request)).order_by("-created_at", "-pk")[:100]
        return Response(NotificationSerializer(rows, many=True).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", MyNotificationsView.as_view(), name="notifications"),
    path("notifications/preferences/", PreferenceView.as_view(), name="notification-preferences"),
]
