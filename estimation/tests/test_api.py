"""The estimation API: sessions, one's own votes (hidden from others until revealed), results."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from estimation import services
from estimation.models import EstimationItem
from estimation.tests.factories import unestimated
from roles.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def _as(api: APIClient, member: Any) -> APIClient:
    api.force_authenticate(member.user)
    return api


def test_sessions_list_is_limited_to_ones_cell(
    api: APIClient, session: Any, core_member: Any, outsider: Any
) -> None:
    rows = _as(api, core_member).get(reverse("estimation-session-list")).json()
    results = rows["results"] if isinstance(rows, dict) else rows
    assert [(r["cell"], r["sprint"], r["state"], r["ticket_count"]) for r in results] == [
        ("bebop", session.sprint.number, "open", 2)
    ]
    other = _as(api, outsider).get(reverse("estimation-session-list")).json()
    assert (other["results"] if isinstance(other, dict) else other) == []
    assert api.get(reverse("estimation-session-detail", args=[session.pk])).status_code == 403


def test_anonymous_is_refused(api: APIClient, session: Any) -> None:
    assert api.get(reverse("estimation-session-list")).status_code in (401, 403)


def test_own_votes_and_hidden_votes(
    api: APIClient, session: Any, core_member: Any, keeper: Any, cell: Any
) -> None:
    MemberFactory(cell=cell)  # a third voter, so two votes do not reveal the ticket
    votes_url = reverse("estimation-session-votes", args=[session.pk])
    response = _as(api, core_member).post(
        votes_url, {"ticket": "SE-1", "value": "5", "comment": "Big"}, format="json"
    )
    assert response.status_code == 200 and response.json()["value"] == "5"
    _as(api, keeper).post(votes_url, {"ticket": "SE-1", "value": "2"}, format="json")

    mine = _as(api, core_member).get(votes_url).json()
    assert [(v["ticket"], v["value"], v["comment"]) for v in mine] == [("SE-1", "5", "Big")]
    detail = api.get(reverse("estimation-session-detail", args=[session.pk])).json()
    row = next(t for t in detail["tickets"] if t["key"] == "SE-1")
    assert (row["voted"], row["expected"], row["revealed"], row["votes"], row["spread"]) == (
        2,
        3,
        False,
        [],
        None,
    )
    assert row["my_vote"] == {"value": "5", "comment": "Big"}

    services.items_reveal(session=session)
    row = next(
        t
        for t in api.get(reverse("estimation-session-detail", args=[session.pk])).json()["tickets"]
        if t["key"] == "SE-1"
    )
    assert sorted(v["value"] for v in row["votes"]) == ["2", "5"]
    assert row["spread"]["large"] is True and row["spread"]["steps"] == 2


def test_bad_votes_and_other_cells(api: APIClient, session: Any, core_member: Any, outsider: Any) -> None:
    votes_url = reverse("estimation-session-votes", args=[session.pk])
    client = _as(api, core_member)
    assert client.post(votes_url, {"ticket": "SE-1", "value": "4"}, format="json").status_code == 400
    assert client.post(votes_url, {"ticket": "SE-99", "value": "3"}, format="json").status_code == 400
    assert client.post(votes_url, {"value": "3"}, format="json").status_code == 400
    assert client.get("/api/estimation/sessions/abc/").status_code == 404
    assert (
        _as(api, outsider).post(votes_url, {"ticket": "SE-1", "value": "3"}, format="json").status_code == 403
    )
    assert not EstimationItem.objects.filter(votes__isnull=False).exists()


def test_results_after_closing(
    api: APIClient,
    session: Any,
    core_member: Any,
    keeper: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JIRA_BASE_URL = ""
    item = EstimationItem.objects.select_related("session").get(session=session, ticket__key="SE-1")
    services.vote_cast(item=item, member=core_member, value="3", comment="ok")
    with django_capture_on_commit_callbacks(execute=True):
        services.session_close(session=session, by_user_id=keeper.user_id, rule="median")
    rows = _as(api, core_member).get(reverse("estimation-session-results", args=[session.pk])).json()
    first = next(r for r in rows if r["ticket"] == "SE-1")
    assert first["final_points"] == "3.00" and first["write_state"] == "skipped"
    assert first["votes_record"] == [
        {"member_id": core_member.pk, "member": core_member.name, "value": "3", "comment": "ok"}
    ]


def test_detail_query_count_does_not_grow(
    api: APIClient, session: Any, core_member: Any, cell: Any, sprint: Any, django_assert_num_queries: Any
) -> None:
    client = _as(api, core_member)
    url = reverse("estimation-session-detail", args=[session.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request also loads the viewer's member, kept on the user object
    small = count()
    members = MemberFactory.create_batch(4, cell=cell)
    for n in range(3, 9):
        ticket = unestimated(cell, sprint, f"SE-{n}")
        item = services.item_add(session=session, ticket=ticket, by=None)
        for member in members:
            services.vote_cast(item=item, member=member, value="3")
    # Queries: the session with its cell and sprint, the roles held in the cell, epics owned (not a
    # keeper), the items with tickets and epics, the votes with their members, the voters: six,
    # with 2 tickets or 8 and no vote or 24.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    assert small == 6


def test_schema_lists_the_endpoints_and_is_valid(api: APIClient, staff_user: Any) -> None:
    api.force_authenticate(staff_user)
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    for route in (
        "/api/estimation/sessions/",
        "/api/estimation/sessions/{id}/",
        "/api/estimation/sessions/{id}/votes/",
        "/api/estimation/sessions/{id}/results/",
    ):
        assert route in schema["paths"], route
    validate_schema(SchemaGenerator().get_schema(request=None, public=True))
