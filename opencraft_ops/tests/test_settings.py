"""Settings: strict environment parsing and production readiness."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from opencraft_ops import env

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(*args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings() -> None:
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="ops.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a boolean"),
        ("API_PAGE_SIZE", "0", "API_PAGE_SIZE=0 must be at least 1"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not a whole number"),
        ("JIRA_BASE_URL", "jira.example.com", "JIRA_BASE_URL='jira.example.com' is not an http(s) URL"),
        ("COMPANY_NON_BILLABLE_LIMIT", "forty", "COMPANY_NON_BILLABLE_LIMIT='forty' is not a decimal number"),
    ],
)
def test_a_malformed_setting_stops_start_up_with_a_clear_message(
    variable: str, value: str, message: str
) -> None:
    result = manage("check", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_without_secret_key_is_refused() -> None:
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("ON", True), ("0", False), ("off", False), ("", False)]
)
def test_env_bool(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("OPS_TEST_FLAG", raw)
    assert env.env_bool("OPS_TEST_FLAG", not expected) is expected


def test_env_readers_defaults_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPS_TEST_VALUE", raising=False)
    assert env.env_int("OPS_TEST_VALUE", 7) == 7
    assert env.env_decimal("OPS_TEST_VALUE", Decimal("0.4")) == Decimal("0.4")
    assert env.env_list("OPS_TEST_VALUE", ["a"]) == ["a"]
    monkeypatch.setenv("OPS_TEST_VALUE", " a, b ,,c ")
    assert env.env_list("OPS_TEST_VALUE") == ["a", "b", "c"]
    monkeypatch.setenv("OPS_TEST_VALUE", "CLIENT=client,broken")
    with pytest.raises(ImproperlyConfigured, match="'broken' is not a key=value pair"):
        env.env_mapping("OPS_TEST_VALUE")
    monkeypatch.setenv("OPS_TEST_VALUE", "https://jira.example.com/")
    assert env.env_url("OPS_TEST_VALUE") == "https://jira.example.com"


def test_favicon_ico_points_at_the_static_icon(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert client.post("/favicon.ico").status_code == 301  # nothing to refuse: it only redirects
