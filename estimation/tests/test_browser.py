"""The estimation session in real Chromium on a phone-sized page: three members vote, the
keeper reveals and closes, and the sprint board shows the next sprint's tickets green."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import login
from estimation import services
from estimation.models import EstimationSession, SessionState
from estimation.tests.factories import keeper_of, next_sprint, unestimated
from roles.tests.factories import MemberFactory
from sprints.models import Ticket

PHONE = {"width": 390, "height": 844}


def _phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    return context.new_page()


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def _vote(page: Any, key: str, value: str, comment: str = "") -> None:
    card = page.locator(f"#t-{key}")
    card.get_by_role("radio", name=value, exact=True).check()
    if comment:
        card.get_by_label(f"Comment on {key}").fill(comment)
    card.get_by_role("button", name=f"Save estimate for {key}").click()
    page.get_by_text(f"Your estimate for {key} is saved.").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_three_members_vote_on_a_phone_and_the_keeper_closes(
    browser: Any, live_server: Any, fake_jira: Any, cell: Any, core_member: Any
) -> None:
    keeper = keeper_of(cell)
    MemberFactory(cell=cell, user__username="thea", user__password="correct-horse-battery")
    sprint = next_sprint()
    for n, summary in ((1, "Upgrade the payment library"), (2, "Translate the signup form")):
        unestimated(cell, sprint, f"SE-{n}", summary=summary, assignee=core_member, reviewer=keeper)
        fake_jira.app.add_issue(project="SE", summary=summary)
    session = services.session_open(cell=cell, sprint_number=sprint.number)
    url = f"/estimation/{session.pk}/"

    votes = {"core": ("3", "2"), "thea": ("5", "2"), "spm": ("3", "3")}
    pages = {}
    for username, (first, second) in votes.items():
        page = _phone(browser, live_server)
        login(page, username)
        page.goto(url)
        page.get_by_role("heading", name=f"Bebop · estimating Sprint {sprint.number}").wait_for()
        _no_horizontal_scroll(page)
        _vote(page, "SE-1", first, comment=f"{username} thinks {first}")
        if username != "spm":
            _vote(page, "SE-2", second)
        pages[username] = page

    # SE-1: everyone voted, so the votes show; SE-2: the keeper has not voted, still hidden.
    core_page = pages["core"]
    core_page.reload()
    se1 = core_page.locator("#t-SE-1")
    assert "3 of 3 voted" in se1.inner_text() and "thea thinks 5" in se1.inner_text()
    assert "Votes stay hidden" in core_page.locator("#t-SE-2").inner_text()
    _no_horizontal_scroll(core_page)

    keeper_page = pages["spm"]
    keeper_page.reload()
    keeper_page.get_by_role("button", name="Reveal all votes").click()
    keeper_page.get_by_text(re.compile(r"Votes revealed on \d+ ticket")).wait_for()
    assert "2 of 3 voted" in keeper_page.locator("#t-SE-2").inner_text()
    assert "2" in keeper_page.locator("#t-SE-2 [data-testid=spread]").inner_text()
    _no_horizontal_scroll(keeper_page)
    keeper_page.select_option("#id_rule", "median")
    keeper_page.get_by_role("button", name="Close the session").click()
    keeper_page.get_by_text("Session closed").first.wait_for()
    assert "Closed" in keeper_page.locator("[data-testid=state]").inner_text()
    assert "Written to JIRA" in keeper_page.locator("#t-SE-1").inner_text()
    _no_horizontal_scroll(keeper_page)

    assert EstimationSession.objects.get(pk=session.pk).state == SessionState.CLOSED
    assert {t.key: str(t.story_points) for t in Ticket.objects.filter(sprint=sprint)} == {
        "SE-1": "3.00",
        "SE-2": "2.00",
    }
    assert (
        fake_jira.app.issue("SE-1")["story_points"] == 3 and fake_jira.app.issue("SE-2")["story_points"] == 2
    )

    board = pages["thea"]
    board.goto(f"/sprints/{cell.slug}/board/")
    board.get_by_text("Every ticket of the next sprint is green.").wait_for()
    for page in pages.values():
        page.context.close()
