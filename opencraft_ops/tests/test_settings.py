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


def _environment(overrides: dict[str, str]) -> dict[str, str]:
    """The test process's environment without any DJANGO_ variable (pytest sets DEBUG
    and the settings module through opencraft_ops.dev_settings), plus ``overrides``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(overrides)
    return environment


def manage(*args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=_environment(overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def django_setup(code: str = "", **overrides: str) -> subprocess.CompletedProcess[str]:
    """``import django; django.setup()`` in a fresh interpreter, as gunicorn and Celery start."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; {code}"],
        cwd=BASE_DIR,
        env=_environment({"DJANGO_SETTINGS_MODULE": "opencraft_ops.settings", **overrides}),
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "ops.example.com",
}


def test_check_deploy_passes_with_production_settings() -> None:
    # The production variables of docs/operations.md; DEBUG is off by default.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked_for_and_production_hosts_are_only_the_ones_given() -> None:
    result = django_setup("print(settings.DEBUG, settings.ALLOWED_HOSTS)", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['ops.example.com']"
    asked = django_setup("print(settings.DEBUG, 'testserver' in settings.ALLOWED_HOSTS)", DJANGO_DEBUG="1")
    assert asked.stdout.strip() == "True True", asked.stderr


DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({}, "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off", id="nothing set"),
        pytest.param(
            {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "ops.example.com"},
            "DJANGO_SECRET_KEY must be set",
            id="no secret",
        ),
        pytest.param(
            {"DJANGO_SECRET_KEY": DEV_SECRET, "DJANGO_ALLOWED_HOSTS": "ops.example.com"},
            "DJANGO_SECRET_KEY is the development key",
            id="development secret",
        ),
        pytest.param(
            {
                "DJANGO_SECRET_KEY": "s3cret-but-only-forty-nine-characters-long-abcdef",
                "DJANGO_ALLOWED_HOSTS": "x",
            },
            "DJANGO_SECRET_KEY is too short: use 50 or more random characters",
            id="short secret",
        ),
        pytest.param(
            {"DJANGO_SECRET_KEY": "a" * 60, "DJANGO_ALLOWED_HOSTS": "x"},
            "DJANGO_SECRET_KEY is too short",
            id="one repeated character",
        ),
        pytest.param(
            {"DJANGO_SECRET_KEY": secrets.token_urlsafe(64)},
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off",
            id="no allowed hosts",
        ),
        pytest.param(
            {**PRODUCTION, "LOG_FORMAT": "xml"}, "LOG_FORMAT='xml' is not a log format", id="log format"
        ),
    ],
)
def test_production_refuses_to_start_and_names_the_variable_to_set(
    overrides: dict[str, str], message: str
) -> None:
    for result in (django_setup(**overrides), manage("check", **overrides)):
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert message in result.stderr, result.stderr[-2000:]


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
    result = manage("check", **{"DJANGO_DEBUG": "1", variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_content_security_policy_and_secure_cookies_in_production(client: Any) -> None:
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    result = django_setup(
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)",
        **PRODUCTION,
        DJANGO_SECURE_HSTS_SECONDS="0",
    )
    assert result.stdout.strip() == "True True 0", result.stderr


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
