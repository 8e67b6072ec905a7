"""Bad input never answers 500: deep or huge JSON bodies, out-of-range integers
and numbers, and dates outside any sensible window are refused with a 400 (or a
404 for an id that cannot exist) naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from conftest import PASSWORD

HUGE = "9223372036854775808"


@pytest.fixture
def member_api(core_member: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.login(username="core", password=PASSWORD)
    return client


@pytest.fixture
def staff_api(staff_user: Any) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.login(username="staff", password=PASSWORD)
    return client


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.django_db
def test_deeply_nested_body_on_token_endpoint_is_400() -> None:
    client = APIClient(raise_request_exception=False)
    response = client.post("/api/token/", data=_deep(100_000), content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/duty-instances/?cell=" + HUGE, "/api/time-off/?member=" + HUGE])
def test_huge_integer_filter_is_refused(member_api: APIClient, url: str) -> None:
    response = member_api.get(url)
    assert response.status_code == 400, response.content


def test_huge_pk_is_404(member_api: APIClient) -> None:
    assert member_api.get(f"/api/duty-instances/{HUGE}/").status_code == 404
    assert member_api.post(f"/api/duty-instances/{HUGE}/tick/", {"position": 1}).status_code == 404


def test_infinite_number_in_related_field_is_400(member_api: APIClient, core_member: Any) -> None:
    body = '{"member": 1e999, "start": "2026-01-05", "end": "2026-01-06"}'
    response = member_api.post("/api/time-off/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "number" in str(response.json()).lower()


def test_body_larger_than_the_limit_is_400(member_api: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"reason": "' + "x" * 2000 + '"}'
    response = member_api.post("/api/time-off/", data=body, content_type="application/json")
    # Django itself refuses the body (RequestDataTooBig) before the parser reads it: the
    # answer is still the API's JSON, naming the limit.
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("The request body is larger than the 1000 bytes")


@pytest.mark.parametrize("kind", ["json", "form", "multipart"])
def test_oversized_body_with_a_token_is_a_json_400(core_member: Any, settings: Any, kind: str) -> None:
    from roles.auth import token_issue

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    raw, _ = token_issue(core_member.user)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    note = "x" * 5000
    if kind == "json":
        response = client.post("/api/time-off/", data={"note": note}, format="json")
    elif kind == "form":
        response = client.post(
            "/api/time-off/", data=f"note={note}", content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post("/api/time-off/", data={"note": note}, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    # Multipart bodies are streamed: Django refuses their fields, not the body as a whole.
    assert "2048 bytes" in detail if kind != "multipart" else detail
    assert not core_member.time_off.exists()


def test_too_many_fields_is_a_json_400(member_api: APIClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"f{i}=1" for i in range(50))
    response = member_api.post("/api/time-off/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "more than the 10 fields" in response.json()["detail"]


def test_refusals_before_a_view_runs_are_json_under_the_api(rf: Any, settings: Any) -> None:
    """What a middleware refuses (its read of the body raised ``RequestDataTooBig``) goes
    through ``handler400``: JSON under ``/api/``, the HTML page elsewhere."""
    from django.core.exceptions import RequestDataTooBig

    from opencraft_ops.api_views import bad_request

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    api = bad_request(rf.post("/api/time-off/"), RequestDataTooBig("too big"))
    assert api.status_code == 400 and api["Content-Type"] == "application/json"
    assert b"larger than the 4096 bytes" in api.content
    page = bad_request(rf.post("/org/directory/"), RequestDataTooBig("too big"))
    assert page.status_code == 400 and "text/html" in page["Content-Type"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_constants_are_400(member_api: APIClient, constant: str) -> None:
    body = '{"member": ' + constant + "}"
    response = member_api.post("/api/time-off/", data=body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_anonymous_api_call_is_401_with_www_authenticate() -> None:
    response = APIClient().get("/api/members/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_time_off_dates_outside_the_window_are_400(member_api: APIClient, core_member: Any, day: str) -> None:
    response = member_api.post(
        "/api/time-off/", {"member": core_member.pk, "start": day, "end": day}, format="json"
    )
    assert response.status_code == 400
    assert "between 2000 and 2100" in str(response.json()["start"])


def test_commitment_year_9999_is_400(staff_api: APIClient, core_member: Any) -> None:
    response = staff_api.post(
        "/api/commitments/",
        {"member": core_member.pk, "hours_per_week": 30, "since": "9999-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "since" in response.json()


def test_target_reference_period_is_bounded(staff_api: APIClient, cell: Any) -> None:
    url = "/api/sustainability/targets/"
    base = {"cell": cell.slug, "max_non_billable_percent": "30", "since": "2026-01-01"}
    response = staff_api.post(url, {**base, "reference_start": "0001-01-01"}, format="json")
    assert response.status_code == 400, response.json()
    assert "reference_start" in response.json()
    response = staff_api.post(url, {**base, "reference_start": "2019-01-01"}, format="json")
    assert response.status_code == 400
    assert "at most 5 years" in str(response.json().get("reference_start")), response.json()
    assert staff_api.post(url, {**base, "reference_start": "2025-01-01"}, format="json").status_code == 201
