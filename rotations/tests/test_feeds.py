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
    # feed by token digest (owner, member, cell joined), the owner's member (still in the
    # team?), rotations with history annotations; use is recorded at most hourly.
    with django_assert_num_queries(3):
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
    # session, user (with the member, for "me"), cells, feeds with member/user/cell joined.
    with django_assert_num_queries(4):
        assert client.get(reverse("rotations:feeds")).status_code == 200


def test_feed_service_needs_exactly_one_target(crew) -> None:
    with pytest.raises(ValueError):
        feeds.feed_create(owner=crew[1].user)


def test_feed_stops_when_its_owner_leaves_or_is_disabled(client, crew, current_sprint) -> None:
    from datetime import timedelta

    from django.utils import timezone

    make_slot(member=crew[1], sprint_number=current_sprint)
    client.force_login(crew[1].user)
    mine = _create(client, "me")
    cells = _create(client, f"cell:{crew[1].cell.slug}")
    client.logout()
    assert client.get(mine).status_code == 200 and client.get(cells).status_code == 200
    crew[1].left_on = timezone.localdate() - timedelta(days=1)
    crew[1].save()
    for url in (mine, cells):
        response = client.get(url)
        assert response.status_code == 410
        assert "left the team" in response.content.decode()
    crew[1].left_on = None
    crew[1].save()
    assert client.get(mine).status_code == 200
    crew[1].user.is_active = False
    crew[1].user.save()
    response = client.get(cells)
    assert response.status_code == 410 and "account is disabled" in response.content.decode()
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 2  # refused, not rewritten


def test_cell_feed_stops_when_its_owner_moves_to_another_cell(
    client, crew, other_cell, current_sprint
) -> None:
    make_slot(member=crew[1], sprint_number=current_sprint)
    client.force_login(crew[1].user)
    mine = _create(client, "me")
    cells = _create(client, f"cell:{crew[1].cell.slug}")
    client.logout()
    crew[1].cell = other_cell
    crew[1].save()
    response = client.get(cells)
    assert response.status_code == 410 and "no longer sees Bebop" in response.content.decode()
    # Their own rotations are still theirs to follow.
    assert client.get(mine).status_code == 200


def test_event_uids_stay_stable_across_a_swap(client, crew, current_sprint) -> None:
    from rotations.services import editing

    first = make_slot(member=crew[2], sprint_number=current_sprint)
    second = make_slot(member=crew[3], sprint_number=current_sprint + 1)
    client.force_login(crew[2].user)
    cell_url = _create(client, f"cell:{crew[2].cell.slug}")
    mine_url = _create(client, "me")
    client.logout()
    before = _events(client.get(cell_url).content)
    uid_first = f"rotation-{first.pk}@rotations.opencraft-ops"
    uid_second = f"rotation-{second.pk}@rotations.opencraft-ops"
    assert set(before) == {uid_first, uid_second}
    assert set(_events(client.get(mine_url).content)) == {uid_first}
    editing.rotation_swap(first=first, second=second, agreed_on=first.start, agreed_by=crew[3])
    after = _events(client.get(cell_url).content)
    # The same two events, updated in place: new holders, a higher sequence. (The pager
    # shifts that follow the new firefighters are new events of their own.)
    assert set(before) <= set(after)
    assert {str(e["SUMMARY"]).split(":")[0] for uid, e in after.items() if uid not in before} == {
        "Pager (Bebop)"
    }
    assert crew[3].name in str(after[uid_first]["SUMMARY"])
    assert crew[2].name in str(after[uid_second]["SUMMARY"])
    for uid in (uid_first, uid_second):
        assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
        assert after[uid].decoded("DTSTART") == before[uid].decoded("DTSTART")
    # The member's own feed now carries the firefighter slot they hold, under that slot's UID.
    mine = _events(client.get(mine_url).content)
    assert {uid for uid, e in mine.items() if "Firefighter" in str(e["SUMMARY"])} == {uid_second}


def test_feed_tokens_stay_out_of_the_logs(client, caplog) -> None:
    import logging

    from opencraft_ops.log_filters import RedactSecretsFilter

    token = "secret-feed-token-123"
    with caplog.at_level(logging.INFO):
        assert client.get(f"/rotations/ical/{token}.ics").status_code == 404
    assert "/rotations/ical/[redacted].ics" in caplog.text and token not in caplog.text
    # The runserver access log line ("GET <path> HTTP/1.1" 200 ...) is masked too.
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (f"GET /rotations/ical/{token}.ics HTTP/1.1", 200, 5),
        None,
    )
    assert RedactSecretsFilter().filter(record) and token not in record.getMessage()
