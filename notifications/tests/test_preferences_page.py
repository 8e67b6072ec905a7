"""The member's own notification settings page: reading the current choice, saving it,
refusing bad input without changing anything, and who may open it."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db
URL = "/notifications/preferences/"


def _post(client: Any, **overrides: str | None) -> Any:
    data: dict[str, str | None] = {"by_email": "on", "by_chat": "on", "quiet_start": "", "quiet_end": ""}
    data.update(overrides)
    return client.post(URL, {k: v for k, v in data.items() if v is not None})


def test_needs_login_and_a_member(client: Any, staff_user: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    client.force_login(staff_user)  # staff, but no team member behind the account
    response = client.get(URL)
    assert response.status_code == 403
    assert not NotificationPreference.objects.exists()


def test_defaults_shown_before_any_choice(client: Any, core_member: Any) -> None:
    client.force_login(core_member.user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have not chosen yet: you get both email and chat" in html
    form = response.context["form"]
    assert form.initial["by_email"] is True and form.initial["by_chat"] is True
    assert form.initial["quiet_start"] is None
    assert "Nothing was sent to you yet." in html


def test_saves_channels_and_quiet_hours_across_midnight(client: Any, core_member: Any) -> None:
    client.force_login(core_member.user)
    response = _post(client, by_chat=None, quiet_start="22:00", quiet_end="07:30")
    assert response.status_code == 302 and response["Location"] == URL
    pref = NotificationPreference.objects.get(member=core_member)
    assert (pref.by_email, pref.by_chat, pref.quiet_start, pref.quiet_end) == (
        True,
        False,
        time(22, 0),
        time(7, 30),
    )
    page = client.get(URL)
    html = page.content.decode()
    assert "Your notification settings are saved." in html
    assert 'value="22:00"' in html and 'value="07:30"' in html
    assert "wait until they end" in html
    # Clearing the quiet hours and turning both channels off is a choice too, and is said.
    assert _post(client, by_email=None, by_chat=None).status_code == 302
    pref.refresh_from_db()
    assert (pref.by_email, pref.by_chat, pref.quiet_start, pref.quiet_end) == (False, False, None, None)
    assert "Both channels are off" in client.get(URL).content.decode()
    assert NotificationPreference.objects.filter(member=core_member).count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quiet_start": "22:00"}, "quiet_end", "Give both ends of the quiet hours, or neither."),
        ({"quiet_end": "06:00"}, "quiet_start", "Give both ends of the quiet hours, or neither."),
        ({"quiet_start": "08:00", "quiet_end": "08:00"}, "quiet_end", "must end at another time"),
        ({"quiet_start": "25:00", "quiet_end": "06:00"}, "quiet_start", "Enter a valid time."),
        ({"quiet_start": "late", "quiet_end": "06:00"}, "quiet_start", "Enter a valid time."),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    client: Any, core_member: Any, fields: dict[str, str], field: str, message: str
) -> None:
    NotificationPreference.objects.create(member=core_member, by_email=True, by_chat=False)
    client.force_login(core_member.user)
    response = _post(client, **fields)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    pref = NotificationPreference.objects.get(member=core_member)
    assert (pref.by_email, pref.by_chat, pref.quiet_start, pref.quiet_end) == (True, False, None, None)


def test_service_refuses_half_quiet_hours(core_member: Any) -> None:
    from django.core.exceptions import ValidationError

    from notifications.services import notification_preference_set

    with pytest.raises(ValidationError) as refused:
        notification_preference_set(
            member=core_member, by_email=True, by_chat=True, quiet_start=time(22), quiet_end=None
        )
    assert "quiet_end" in refused.value.message_dict
    assert not NotificationPreference.objects.exists()


def test_wrong_method_is_405(client: Any, core_member: Any) -> None:
    client.force_login(core_member.user)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_the_settings_apply_to_the_next_notification(client: Any, core_member: Any) -> None:
    """What the page saves is what ``notify`` reads: chat off means no personal chat message."""
    from django.utils import timezone

    from notifications.models import ChatWebhook, Notification
    from notifications.services import notify

    ChatWebhook.objects.create(name="DM", url="https://chat.example.com/hooks/x", member=core_member)
    client.force_login(core_member.user)
    assert _post(client, by_chat=None).status_code == 302
    notify(
        kind="finding",
        key="test:1",
        member_ids=[core_member.pk],
        cell_id=None,
        subject="A finding",
        text="Something slipped.",
        now=timezone.now(),
    )
    assert set(Notification.objects.values_list("channel", flat=True)) == {"email"}
    html = client.get(URL).content.decode()
    assert "A finding" in html  # the delivery log on the page


def test_member_page_links_to_own_settings_only(client: Any, core_member: Any, newcomer: Any) -> None:
    client.force_login(core_member.user)
    own = client.get(f"/org/members/{core_member.pk}/").content.decode()
    assert f'href="{URL}"' in own
    other = client.get(f"/org/members/{newcomer.pk}/").content.decode()
    assert f'href="{URL}"' not in other
