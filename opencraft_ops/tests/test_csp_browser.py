"""The Content Security Policy in a real browser: the portal's pages, the admin and the
API docs load on the demo data with no violation, and their scripts still work."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the page reports, collected before any of its own scripts runs.
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

PAGES = [
    "/",
    "/org/directory/",
    "/sprints/bebop/board/",
    "/sprints/bebop/wrap-up/",
    "/epics/cell/bebop/",
    "/rotations/bebop/",
    "/sustainability/cells/bebop/",
    "/sustainability/bebop/quarterly/2026/1/",
    "/duties/health/",
    "/sync/",
    "/admin/",
    "/admin/sustainability/worklog/",
    "/admin/rotations/rotationassignment/add/",
    "/admin/django_celery_beat/periodictask/",
    "/api/docs/",
]


def test_pages_admin_and_api_docs_run_under_the_policy_and_their_scripts_work(page: Any) -> None:
    call_command("demo_data", stdout=None)
    page.add_init_script(COLLECT_VIOLATIONS)
    login(page, "admin", "admin-password")
    problems: dict[str, list[str]] = {}
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .info", timeout=15_000)  # its init script ran
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        if violations:
            problems[path] = violations
    assert problems == {}

    # The collector does see a violation: an inline style attribute is refused.
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")
    page.wait_for_function("window.__csp.length > 0", timeout=5_000)
    assert "style-src" in page.evaluate("window.__csp")[0]

    # The sprint picker's inline handler moved to static/js/app.js: choosing a sprint loads it.
    page.goto("/sprints/bebop/board/")
    previous = page.locator("#id_sprint option").first.get_attribute("value")
    page.select_option("#id_sprint", previous)
    page.wait_for_url(f"**/sprints/bebop/board/?sprint={previous}")
    assert page.locator("#id_sprint").input_value() == previous
