"""One truth per fact (issue 14): who is firefighter, backup firefighter, discovery duty, ops
reviewer or on the pager on a day is the rotation schedule's answer on every page and endpoint.

For every cell and every day of the current sprint, the directory, the rotation page, the
roles API and the rotations API name the same holders; the sprint board names the same
rotations per member for the sprint; every holder's home page and member page list their
slots (the home from today on: it lists what is ahead). Each source is parsed from what the
page or endpoint says, never from the selector. A role assignment of a rotation role stored
from before (``legacy``) is named nowhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from opencraft_ops import calendar
from opencraft_ops.tests.html_tables import table_rows
from roles.models import Role, RoleAssignment
from roles.tests.factories import MemberFactory
from rotations.holders import LABELS
from rotations.models import RotationKind
from rotations.tests.factories import RotationAssignmentFactory

# (cell slug, rotation label, day) -> the names of who holds it
Answer = dict[tuple[str, str, date], set[str]]


class _Marked(HTMLParser):
    """Elements carrying ``attr`` (with their attributes) and the text inside each, plus the
    text of any ``span.holder`` inside them."""

    def __init__(self, attr: str) -> None:
        super().__init__()
        self.attr = attr
        self.found: list[dict[str, Any]] = []
        self.stack: list[tuple[str, dict[str, Any] | None, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        item = None
        if self.attr in values:
            item = {"attrs": values, "text": [], "holder": []}
            self.found.append(item)
        holder = tag == "span" and "holder" in (values.get("class") or "").split()
        if tag not in ("input", "br", "img", "meta", "link"):
            self.stack.append((tag, item, holder))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        open_items = [item for _, item, _ in self.stack if item is not None]
        in_holder = any(h for _, _, h in self.stack)
        for item in open_items:
            item["text"].append(data)
            if in_holder:
                item["holder"].append(data)


def _marked(html: str, attr: str) -> list[dict[str, Any]]:
    parser = _Marked(attr)
    parser.feed(html)
    for item in parser.found:
        item["text"] = " ".join("".join(item["text"]).split())
        item["holder"] = " ".join("".join(item["holder"]).split())
    return parser.found


def _days(first: date, last: date, start: date, end: date) -> list[date]:
    a, b = max(first, start), min(last, end)
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def _login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def schedule(cell: Any, other_cell: Any, crew: list[Any], staff_user: Any) -> dict[str, Any]:
    """A full current sprint in two cells: both firefighters, a one-day backup, discovery
    duty and pager weekly, the ops reviewer; and a stored firefighter 1 assignment of
    someone else (from before the schedule was the only answer)."""
    number = calendar.sprint_on(timezone.localdate()).number
    dates = calendar.sprint_dates(number)
    falcon = [
        MemberFactory(
            cell=other_cell, member_type="core", user__username=f"falcon{i}", user__first_name=f"Fal{i}"
        )
        for i in range(3)
    ]
    week2 = dates.start + timedelta(days=7)

    def slot(member: Any, kind: str, start: date, end: date, where: Any = cell) -> None:
        RotationAssignmentFactory(
            sprint_number=number, member=member, cell=where, kind=kind, start=start, end=end
        )

    slot(crew[0], RotationKind.FIREFIGHTER_1, dates.start, dates.end)
    slot(crew[1], RotationKind.FIREFIGHTER_2, dates.start, dates.end)
    slot(crew[5], RotationKind.FIREFIGHTER_BACKUP, dates.start + timedelta(2), dates.start + timedelta(2))
    slot(crew[2], RotationKind.DISCOVERY_DUTY, dates.start, week2 - timedelta(1))
    slot(crew[3], RotationKind.DISCOVERY_DUTY, week2, dates.end)
    slot(crew[4], RotationKind.OPS_REVIEWER, dates.start, dates.end)
    slot(crew[0], RotationKind.PAGER, dates.start, week2 - timedelta(1))
    slot(crew[1], RotationKind.PAGER, week2, dates.end)
    slot(falcon[0], RotationKind.FIREFIGHTER_1, dates.start, dates.end, other_cell)
    slot(falcon[1], RotationKind.FIREFIGHTER_2, dates.start, dates.end, other_cell)
    slot(falcon[2], RotationKind.OPS_REVIEWER, dates.start, dates.end, other_cell)
    # Stored before the change (bulk_create skips clean(), which now refuses it).
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                member=crew[5], role=Role.objects.get(slug="firefighter-1"), cell=cell, since=dates.start
            )
        ]
    )
    return {"number": number, "dates": dates, "cells": [cell, other_cell], "holders": [*crew, *falcon]}


def _expected(schedule: dict[str, Any]) -> Answer:
    """What the test set up, per day (the reference the pages are compared with)."""
    from rotations.models import RotationAssignment

    dates = schedule["dates"]
    answer: Answer = defaultdict(set)
    for slot in RotationAssignment.objects.select_related("cell", "member__user"):
        for day in _days(slot.start, slot.end, dates.start, dates.end):
            assert slot.cell is not None
            answer[(slot.cell.slug, LABELS[slot.kind], day)].add(slot.member.name)
    return dict(answer)


@pytest.mark.django_db
def test_every_page_and_endpoint_names_the_schedules_holders(schedule: dict[str, Any]) -> None:
    dates, number, cells = schedule["dates"], schedule["number"], schedule["cells"]
    expected = _expected(schedule)
    assert len({day for _, _, day in expected}) == 14  # every day of the sprint has someone
    staff = _login("staff")

    # The directory: each cell's "Rotations this sprint" table.
    html = staff.get("/org/directory/").content.decode()
    directory: Answer = defaultdict(set)
    sections = {c.slug: html.index(f'id="cell-{c.slug}"') for c in cells}
    for c in cells:
        start = sections[c.slug]
        later = [p for p in sections.values() if p > start]
        part = html[start : min(later) if later else len(html)]
        for row in _marked(part, "data-rotation"):
            label, name = _directory_cells(part, row)
            first, last = (date.fromisoformat(row["attrs"][k]) for k in ("data-start", "data-end"))
            for day in _days(first, last, dates.start, dates.end):
                directory[(c.slug, label, day)].add(name)
        # The stored firefighter 1 assignment is not a holder: the roles table names no rotation.
        roles_table = table_rows(part, cls="roles-table")
        assert not [r for r in roles_table if r and r[0] in LABELS.values()]
    assert dict(directory) == expected

    # The roles API and the rotations API.
    api: Answer = defaultdict(set)
    slugs = {c.pk: c.slug for c in cells}
    body = staff.get("/api/rotation-holders/", {"start": dates.start, "end": dates.end}).json()
    for entry in body["days"]:
        for holder in entry["holders"]:
            api[(slugs[entry["cell"]], holder["label"], date.fromisoformat(entry["date"]))].add(
                holder["name"]
            )
    assert dict(api) == expected
    rotations_api: Answer = defaultdict(set)
    listed = staff.get("/api/rotations/", {"page_size": 100}).json()
    for slot in listed.get("results", listed):
        first, last = date.fromisoformat(slot["start"]), date.fromisoformat(slot["end"])
        for day in _days(first, last, dates.start, dates.end):
            rotations_api[(slot["cell"], LABELS[slot["kind"]], day)].add(slot["member_name"])
    assert dict(rotations_api) == expected
    # The stored rotation-role assignment is not listed as a holder either.
    assert not [a for a in staff.get("/api/assignments/", {"role": "firefighter-1"}).json()["results"]]

    # The rotation page of each cell (the grid's slots for this sprint).
    grid: Answer = defaultdict(set)
    for c in cells:
        page = staff.get(f"/rotations/{c.slug}/", {"from": number}).content.decode()
        for slot in _marked(page, "data-kind"):
            attrs = slot["attrs"]
            if "data-start" not in attrs:
                continue
            first, last = date.fromisoformat(attrs["data-start"]), date.fromisoformat(attrs["data-end"])
            for day in _days(first, last, dates.start, dates.end):
                grid[(c.slug, LABELS[attrs["data-kind"]], day)].add(slot["holder"])
    assert dict(grid) == expected

    # The sprint board: each member's rotations in the sprint.
    names = {m.pk: m.name for m in schedule["holders"]}
    for c in cells:
        board = table_rows(
            staff.get(f"/sprints/{c.slug}/board/", {"sprint": number}).content.decode(), testid="capacity"
        )
        said: set[tuple[str, str]] = set()
        for cells_text in board[1:]:
            if len(cells_text) < 6:
                continue
            holder_name = next((n for n in names.values() if cells_text[0].startswith(n)), None)
            if holder_name is not None:
                said |= {(holder_name, label) for label in _board_labels(cells_text[5])}
        assert said == {(n, label) for (slug, label, _), ns in expected.items() if slug == c.slug for n in ns}

    # Each holder's member page (their next four weeks) and home page (what is ahead of them).
    today = timezone.localdate()
    ahead = {k: v for k, v in expected.items() if k[2] >= today}
    member_pages: Answer = defaultdict(set)
    homes: Answer = defaultdict(set)
    by_name = {c.name: c.slug for c in cells}
    for member in schedule["holders"]:
        if not any(member.name in ns for ns in expected.values()):
            continue
        page = staff.get(f"/org/members/{member.pk}/").content.decode()
        for item in _marked(page, "data-rotation"):
            label = item["text"].split(" in ")[0].split(" · ")[0].strip()
            first, last = (date.fromisoformat(item["attrs"][k]) for k in ("data-start", "data-end"))
            for day in _days(first, last, max(dates.start, today), dates.end):
                member_pages[(slugs[int(item["attrs"]["data-cell"])], label, day)].add(member.name)
        home = _login(member.user.username).get("/").content.decode()
        for label, cell_name, first, last in _home_rotations(home, dates.start):
            for day in _days(first, last, max(dates.start, today), dates.end):
                homes[(by_name[cell_name], label, day)].add(member.name)
    assert dict(member_pages) == ahead
    assert dict(homes) == ahead


def _board_labels(text: str) -> list[str]:
    """The rotation names at the start of a board row's rotations cell ("Firefighter 1,
    Pager" followed by the hours, which the page writes right after the last name)."""
    found = []
    by_length = sorted(LABELS.values(), key=len, reverse=True)
    while label := next((lab for lab in by_length if text.startswith(lab)), None):
        found.append(label)
        text = text[len(label) :].removeprefix(", ")
    return found


def _directory_cells(part: str, row: dict[str, Any]) -> tuple[str, str]:
    """The rotation and holder cells of one directory row (the row's text starts with the
    label; the holder's name follows, then the dates)."""
    text = row["text"]
    label = next(lab for lab in sorted(LABELS.values(), key=len, reverse=True) if text.startswith(lab))
    rest = text[len(label) :].strip()
    # The dates follow in the short format ("Tue 24 Nov").
    name = re.split(r" (?:[A-Z][a-z]{2} )?\d{1,2} [A-Z][a-z]{2}", rest)[0].replace(" left", "").strip()
    return label, name


_HOME_ITEM = re.compile(
    r"<li><strong>(?P<label>[^<]+)</strong>(?: · (?P<cell>[^<\n]+))?\s*"
    r'<span class="muted small">\w{3} (?P<d1>\d{1,2} \w{3}) – \w{3} (?P<d2>\d{1,2} \w{3})'
)


def _home_rotations(html: str, near: date) -> list[tuple[str, str, date, date]]:
    """The "My rotations" card of the home page: (label, cell name, first day, last day)."""
    card = html[html.index('id="rotations-title"') :]
    card = card[: card.index("</section>")]
    found = []
    for m in _HOME_ITEM.finditer(card):
        first, last = (_day_near(m[k], near) for k in ("d1", "d2"))
        found.append((m["label"].strip(), (m["cell"] or "").strip(), first, last))
    return found


def _day_near(text: str, near: date) -> date:
    """A "8 Dec" date in the year that puts it closest to ``near``."""
    from datetime import datetime

    candidates = [datetime.strptime(f"{text} {near.year + d}", "%d %b %Y").date() for d in (-1, 0, 1)]
    return min(candidates, key=lambda c: abs((c - near).days))
