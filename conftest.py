"""Shared fixtures: personas (a core member, a newcomer, a sprint manager, an
outsider) and a headless Chromium for browser tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

pytest_plugins = ["opencraft_ops.integrations.fakes.fixtures"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The properties check what is generated, not how fast: on a busy 2-core machine Hypothesis's
# timing checks (the per-example deadline, "input generation is slow") fail by the clock alone.
hypothesis_settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("portal")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; a fast hasher keeps the suite quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Test receivers listen on loopback (production refuses it: opencraft_ops.webhook_targets).
    settings.WEBHOOK_ALLOW_LOOPBACK = True


@pytest.fixture(autouse=True)
def _findings_stale_marks_per_test() -> Iterator[None]:
    """Writes mark cells' findings stale for a re-evaluation (findings.signals); a test's
    writes are rolled back, so its marks go with them."""
    from findings.signals import discard_pending

    discard_pending()
    yield
    discard_pending()


@pytest.fixture
def fresh_findings(db: Any) -> Any:
    """Evaluates every rule for every cell now, as the Celery task would after the writes
    commit, and forgets the stale marks: a page read next runs no process check."""
    from findings.services import findings_evaluate
    from findings.signals import discard_pending

    def evaluate() -> Any:
        result = findings_evaluate()
        discard_pending()
        return result

    return evaluate


@pytest.fixture(autouse=True)
def _role_catalog_after_flush(request: Any) -> None:
    """Transactional tests (live server, browser) flush the database when they
    end, taking the role catalog of the data migration with it (also from a
    database kept with --reuse-db); load it back for every database test so
    persona fixtures and pages find their roles. One query when it is there."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    from roles.catalog import load_catalog
    from roles.models import Role

    if not Role.objects.exists():
        load_catalog(Role)


@pytest.fixture
def cell(db: Any) -> Any:
    from roles.tests.factories import CellFactory

    return CellFactory(name="Bebop", slug="bebop")


@pytest.fixture
def other_cell(db: Any) -> Any:
    from roles.tests.factories import CellFactory

    return CellFactory(name="Falcon", slug="falcon")


@pytest.fixture
def core_member(cell: Any) -> Any:
    from roles.tests.factories import MemberFactory

    return MemberFactory(cell=cell, member_type="core", user__username="core", user__password=PASSWORD)


@pytest.fixture
def newcomer(cell: Any) -> Any:
    from roles.tests.factories import MemberFactory

    return MemberFactory(
        cell=cell,
        member_type="newcomer",
        joined_on=date.today() - timedelta(days=10),
        user__username="newcomer",
        user__password=PASSWORD,
    )


@pytest.fixture
def sprint_manager(cell: Any) -> Any:
    from roles.models import Role
    from roles.tests.factories import MemberFactory, RoleAssignmentFactory

    member = MemberFactory(cell=cell, member_type="core", user__username="sm", user__password=PASSWORD)
    RoleAssignmentFactory(
        member=member,
        role=Role.objects.get(slug="sprint-manager"),
        cell=cell,
        since=date.today() - timedelta(days=400),
    )
    return member


@pytest.fixture
def outsider(other_cell: Any) -> Any:
    from roles.tests.factories import MemberFactory

    return MemberFactory(
        cell=other_cell, member_type="core", user__username="outsider", user__password=PASSWORD
    )


@pytest.fixture
def staff_user(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username="staff", password=PASSWORD, is_staff=True, is_superuser=True
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def login(page: Any, username: str, password: str = PASSWORD) -> None:
    """Logs in through the real login form."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
