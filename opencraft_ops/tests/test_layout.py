"""The menu and the page frame (issue 14): one current menu item, the sync page in the
menu of those who may open it, a way back from the API docs, and every table of every
template inside a scrolling wrapper (``.table-wrap``), so a wide table scrolls inside its
card instead of the page. The browser side is ``test_layout_browser.py``."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from opencraft_ops.context_processors import NAVIGATION, current_section

TEMPLATES = Path(settings.BASE_DIR) / "templates"
CURRENT = re.compile(r'<a href="([^"]+)" aria-current="page">')
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class _Tables(HTMLParser):
    """Lines of the ``<table>`` elements that no ``.table-wrap`` element encloses."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, str]] = []
        self.bare: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = dict(attrs).get("class") or ""
        if tag == "table" and not any("table-wrap" in c.split() for _, c in self.open):
            self.bare.append(self.getpos()[0])
        self.open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return


def bare_tables(source: str) -> list[int]:
    # Template tags become blanks of the same length, so line numbers stay right.
    blank = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", lambda m: re.sub(r"[^\n]", " ", m.group()), source, flags=re.S)
    parser = _Tables()
    parser.feed(blank)
    return parser.bare


def test_the_scan_finds_a_bare_table_and_accepts_a_wrapped_one() -> None:
    assert bare_tables("<section>\n<table><tr><td>1</td></tr></table></section>") == [2]
    assert bare_tables('<div class="card table-wrap">{% if x %}<table></table>{% endif %}</div>') == []
    assert bare_tables('<div class="table-wrap"></div><table></table>') == [1]


def test_every_table_scrolls_inside_its_card() -> None:
    bare = {
        str(path.relative_to(TEMPLATES)): lines
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (lines := bare_tables(path.read_text()))
    }
    assert bare == {}, f'wrap these tables in <div class="table-wrap">: {bare}'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "/"),
        ("/duties/7/", "/"),  # a duty is the home page's
        ("/duties/health/", "/duties/health/"),  # not also "My work"
        ("/handbook/", "/duties/health/"),
        ("/org/members/3/", "/org/directory/"),
        ("/epics/cell/bebop/planning/", "/epics/"),
        ("/sprints/bebop/board/", "/sprints/"),
        ("/sync/check/", "/sync/"),
        ("/api/docs/", None),
    ],
)
def test_a_path_belongs_to_at_most_one_section(path: str, expected: str | None) -> None:
    from django.urls import reverse

    sections = [(reverse(s.url_name), s.prefixes) for s in NAVIGATION]
    index = current_section(path, sections)
    assert (sections[index][0] if index is not None else None) == expected


def test_the_longest_path_wins_whatever_the_order() -> None:
    assert current_section("/a/b/c/", [("/a/", ()), ("/x/", ("/a/b/",))]) == 1
    assert current_section("/a/b/c/", [("/x/", ("/a/b/",)), ("/a/", ())]) == 0
    assert current_section("/ab/", [("/a/", ())]) is None


@pytest.mark.django_db
def test_the_sync_page_is_in_the_menu_of_staff_only(
    client: Client, core_member: Any, staff_user: Any
) -> None:
    client.force_login(core_member.user)
    page = client.get("/org/directory/").content.decode()
    assert 'href="/sync/"' not in page
    assert client.get("/sync/").status_code == 403  # the menu matches who may open it
    client.force_login(staff_user)
    page = client.get("/sync/").content.decode()
    assert CURRENT.findall(page) == ["/sync/"]


@pytest.mark.django_db
def test_epic_and_duty_pages_mark_one_menu_item(client: Client, core_member: Any) -> None:
    client.force_login(core_member.user)
    for path, current in [
        ("/epics/cell/bebop/", "/epics/"),
        ("/duties/health/", "/duties/health/"),
        ("/", "/"),
    ]:
        page = client.get(path).content.decode()
        assert CURRENT.findall(page) == [current], path


@pytest.mark.django_db
def test_the_api_docs_lead_back_to_the_portal(client: Client, core_member: Any) -> None:
    client.force_login(core_member.user)
    page = client.get("/api/docs/").content.decode()
    assert '<a href="/">← Back to the portal</a>' in page
    assert 'id="swagger-ui"' in page  # drf-spectacular's page is still there under the bar
