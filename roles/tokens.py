"""``/api/token/``: POST a username and password for a new API token (it replaces the one
you had); DELETE it (authenticated by the token or a session) to revoke it.

Only a digest of each token is stored (``roles.auth.token_digest``): the token is shown once,
in the answer to the POST, and cannot be read back from the database or the admin.

Wrong passwords count towards django-axes' lockout like those on ``/login/``: once
locked out, even the right password is refused until the cool-off period ends.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_lockout_message
from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from roles.auth import token_issue


class TokenRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField()
    created = serializers.DateTimeField()


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) your API token."""

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Wrong credentials"),
            429: OpenApiResponse(description="Locked out"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request, username=form.validated_data["username"], password=form.validated_data["password"]
        )
        if getattr(django_request, "axes_locked_out", False):
            return Response({"detail": str(get_lockout_message())}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return Response(
                {
                    "detail": "Unable to log in with these credentials (or this account has no access any more)."
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        with transaction.atomic():
            # Lock the user's row so two sign-ins at once leave one token, not an error.
            type(user)._default_manager.select_for_update().filter(pk=user.pk).first()
            raw, token = token_issue(user)
        return Response({"token": raw, "created": token.created})

    @extend_schema(
        request=None, responses={204: None, 404: OpenApiResponse(description="No token to revoke")}
    )
    def delete(self, request: Request) -> Response:
        deleted, _ = Token.objects.filter(user_id=request.user.pk or 0).delete()
        return Response(status=status.HTTP_204_NO_CONTENT if deleted else status.HTTP_404_NOT_FOUND)
