"""The crawl (issue 13): signed in as each persona on the demo data, every link the
portal renders on the home page, the menu's pages and the pages they link to (two
levels deep) answers without a 403, 404 or 500. A link a viewer may not follow is
not rendered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from typing import Any
from urllib.parse import urldefrag

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from opencraft_ops.context_processors import NAVIGATION

# username -> persona (demo data, roles/demo.py)
PERSONAS = {
    "tom": "plain developer (short-term member)",
    "priya": "newcomer",
    "marta": "sprint manager (falcon)",
    "ahmed": "epic planning and sustainability manager (serenity)",
    "diego": "member of another cell (falcon)",
    "pablo": "member with no cell",
    "victor": "a member who left",
    "admin": "staff",
}
HREF = re.compile(r'href="([^"]+)"')
# Links followed but not read further: the admin site (each role's own list of rows), the
# API browser and docs, downloads and calendar feeds.
LEAVES = ("/admin/", "/api/", "/static/", "/favicon.ico")
# Not fetched: signing out, and static files (the test client serves none; whitenoise does in production).
SKIP = ("/logout/", "/static/")


@pytest.fixture(scope="module")
def demo_db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo data, loaded once for the module inside a transaction rolled back at
    its end (each test's own transaction nests in it), so other modules never see it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _links(html: str) -> set[str]:
    found = set()
    for raw in HREF.findall(html):
        url = urldefrag(unescape(raw))[0]
        if url.startswith("/") and not url.startswith("//") and not url.startswith(SKIP):
            found.add(url)
    return found


def _crawl(client: Client, user: Any) -> tuple[dict[str, int], dict[str, str]]:
    """Status of every URL reached, and for each the page it was found on."""
    from django.urls import reverse

    menu = [s for s in NAVIGATION if s.visible is None or s.visible(user)]
    start = {"/"} | {reverse(s.url_name) for s in menu}
    status: dict[str, int] = {}
    found_on: dict[str, str] = {url: "(start)" for url in start}
    level = start
    for depth in range(3):  # the start pages, their links, and the links on those
        next_level: set[str] = set()
        for url in sorted(level):
            if url in status:
                continue
            response = client.get(url)
            status[url] = response.status_code
            if depth == 2 or response.status_code != 200 or url.startswith(LEAVES):
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for link in _links(response.content.decode()):
                if link not in status and link not in found_on:
                    found_on[link] = url
                    next_level.add(link)
        level = next_level
    return status, found_on


@pytest.mark.parametrize("username", list(PERSONAS))
def test_no_rendered_link_is_refused(demo_db: None, db: Any, username: str) -> None:
    from django.contrib.auth.models import User

    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    status, found_on = _crawl(client, user)
    broken = {url: (code, found_on[url]) for url, code in status.items() if code in (403, 404, 500)}
    assert not broken, f"{PERSONAS[username]}: {len(broken)} broken links: {sorted(broken.items())[:40]}"
    if username == "victor":  # signed out from left_on: only the login page answers
        assert set(status.values()) <= {302, 200}
    else:
        assert sum(1 for code in status.values() if code == 200) > 20  # it did crawl
