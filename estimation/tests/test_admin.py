"""The admin for the keepers: sessions with their tickets, the reveal and close actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from estimation.models import EstimationItem, EstimationSession, SessionState

pytestmark = pytest.mark.django_db


def test_sessions_changelist_and_detail(client: Client, staff_user: Any, session: Any) -> None:
    client.force_login(staff_user)
    listing = client.get(reverse("admin:estimation_estimationsession_changelist"))
    assert listing.status_code == 200 and "Bebop estimation of Sprint" in listing.content.decode()
    detail = client.get(reverse("admin:estimation_estimationsession_change", args=[session.pk]))
    assert detail.status_code == 200 and "SE-1" in detail.content.decode()
    assert client.get(reverse("admin:estimation_vote_changelist")).status_code == 200
    assert client.get(reverse("admin:estimation_cellestimationsettings_add")).status_code == 200


def test_reveal_and_close_actions(
    client: Client, staff_user: Any, session: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.JIRA_BASE_URL = ""
    client.force_login(staff_user)
    url = reverse("admin:estimation_estimationsession_changelist")
    client.post(url, {"action": "reveal_all", "_selected_action": [session.pk]})
    assert not EstimationItem.objects.filter(session=session, revealed_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "close_sessions", "_selected_action": [session.pk]})
    assert response.status_code == 302
    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED


def test_a_member_without_staff_rights_has_no_admin(client: Client, keeper: Any, session: Any) -> None:
    client.force_login(keeper.user)
    response = client.get(reverse("admin:estimation_estimationsession_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]
