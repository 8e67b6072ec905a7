"""Secret iCalendar feeds: creation, parsing with the icalendar package, stable UIDs, revocation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from icalendar import Calendar

from rotations.models import CalendarFeed, RotationKind
from rotations.services import feeds
from rotations.tests.factories import make_slot

pytestmark = pytest.mark.django_db


def _create(client, target: str) -> str:
    response = client.post(reverse("rotations:feeds"), {"target": target})
    assert response.status_code == 201
    match = re.search(r'value="(http[^"]+\.ics)"', response.content.decode())
    assert match
    return match.group(1).replace("http://testserver", "")


def _events(body: bytes) -> dict[str, Any]:
    cal = Calendar.from_ical(body)
    assert str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_member_feed_parses_and_keeps_uids_across_edits(
    client, crew, current_sprint, django_assert_num_queries
) -> None:
    mine = make_slot(member=crew[1], sprint_number=current_sprint)
    make_slot(member=crew[1], sprint_number=current_sprint, kind=RotationKind.DISCOVERY_DUTY)
    make_slot(member=crew[2], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    client.force_login(crew[1].user)
    url = _create(client, "me")
    client.logout()  # calendar clients have no session: the token is the key
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response.content)
    assert len(events) == 2
    event = events[f"rotation-{mine.pk}@rotations.opencraft-ops"]
    assert event.decoded("DTSTART") == mine.start
    assert event.decoded("DTEND") == mine.end + __import__("datetime").timedelta(days=1)
    assert "Firefighter 1" in str(event["SUMMARY"]) and "DTSTAMP" in event
    assert int(event["SEQUENCE"]) == 0
    mine.note = "moved"  # an edit keeps the UID and raises the sequence
    mine.save()
    edited = _events(client.get(url).content)[f"rotation-{mine.pk}@rotations.opencraft-ops"]
    assert int(edited["SEQUENCE"]) == 1 and "LAST-MODIFIED" in edited
    assert CalendarFeed.objects.get().last_used_at is not None
    # feed by token digest, rotations with history annotations (use recorded at most hourly).
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


def test_cell_feed_lists_the_whole_cell(client, crew, current_sprint) -> None:
    make_slot(member=crew[1], sprint_number=current_sprint)
    make_slot(member=crew[2], sprint_number=current_sprint, kind=RotationKind.FIREFIGHTER_2)
    client.force_login(crew[1].user)
    url = _create(client, f"cell:{crew[1].cell.slug}")
    assert len(_events(client.get(url).content)) == 2


def test_revoke_and_regenerate(client, crew, current_sprint) -> None:
    make_slot(member=crew[1], sprint_number=current_sprint)
    client.force_login(crew[1].user)
    url = _create(client, "me")
    feed = CalendarFeed.objects.get()
    response = client.post(reverse("rotations:feed-regenerate", args=[feed.pk]), follow=True)
    found = re.search(r"(/rotations/ical/[^ <]+\.ics)", response.content.decode())
    assert found
    new_url = found.group(1)
    assert client.get(url).status_code == 404
    assert client.get(new_url).status_code == 200
    new_feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    client.post(reverse("rotations:feed-revoke", args=[new_feed.pk]))
    assert client.get(new_url).status_code == 404
    # Regenerating a revoked feed is refused.
    response = client.post(reverse("rotations:feed-regenerate", args=[new_feed.pk]), follow=True)
    assert "was revoked" in response.content.decode()


def test_feed_refusals(client, crew, outsider) -> None:
    assert client.get(reverse("rotations:feeds")).status_code == 302  # anonymous
    assert client.get("/rotations/ical/not-a-token.ics").status_code == 404
    assert client.get("/rotations/ical/" + "x" * 150 + ".ics").status_code == 404
    client.force_login(outsider.user)
    response = client.post(reverse("rotations:feeds"), {"target": f"cell:{crew[0].cell.slug}"}, follow=True)
    assert "only subscribe to your own cell" in response.content.decode()
    response = client.post(reverse("rotations:feeds"), {"target": "bogus"}, follow=True)
    assert "Choose whose calendar" in response.content.decode()
    assert not CalendarFeed.objects.exists()
    feed, _ = feeds.feed_create(owner=crew[1].user, member=crew[1])
    assert client.post(reverse("rotations:feed-revoke", args=[feed.pk])).status_code == 404  # not theirs
    assert client.get(reverse("rotations:feed-revoke", args=[feed.pk])).status_code == 405
    feed.refresh_from_db()
    assert feed.is_active


def test_feed_list_query_count(client, crew, django_assert_num_queries) -> None:
    for _ in range(3):
        feeds.feed_create(owner=crew[1].user, member=crew[1])
        feeds.feed_create(owner=crew[1].user, cell=crew[1].cell)
    client.force_login(crew[1].user)
    # session, user, member (for "me"), cells, feeds with member/user/cell joined.
    with django_assert_num_queries(5):
        assert client.get(reverse("rotations:feeds")).status_code == 200


def test_feed_service_needs_exactly_one_target(crew) -> None:
    with pytest.raises(ValueError):
        feeds.feed_create(owner=crew[1].user)
