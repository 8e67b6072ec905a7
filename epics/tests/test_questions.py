"""The three questionnaires: every conditional branch, invalid combinations, rendering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from epics import answers as a
from epics import questions as q
from epics import render
from epics.tests.answers import AD_HOC_ANSWERS_OK, FIXED_ANSWERS_OK, MONTHLY_ANSWERS_OK

BASE = {"fixed": FIXED_ANSWERS_OK, "monthly": MONTHLY_ANSWERS_OK, "none": AD_HOC_ANSWERS_OK}


def answers(kind: str, **changes: Any) -> dict[str, Any]:
    data = dict(BASE[kind])
    data.update(changes)
    return data


# (kind, changes, expected cleaned subset, keys that must be absent)
VALID = [
    (
        "fixed",
        {},
        {"fits_budget": "yes", "hours_used": Decimal("40.00")},
        ["extra_hours", "client_pays_extra"],
    ),
    (
        "fixed",
        {"fits_budget": "no", "extra_hours": "20", "client_pays_extra": "yes"},
        {"extra_hours": Decimal("20.00"), "client_pays_extra": "yes"},
        ["client_approved_hours"],
    ),
    (
        "fixed",
        {
            "fits_budget": "no",
            "extra_hours": "20",
            "client_pays_extra": "partly",
            "client_approved_hours": "10",
        },
        {"client_approved_hours": Decimal("10.00")},
        [],
    ),
    (
        "fixed",
        {"fits_budget": "no", "extra_hours": "5", "client_pays_extra": "no"},
        {"client_pays_extra": "no"},
        [],
    ),
    (
        "fixed",
        {
            "fits_deadline": "no",
            "new_deadline_agreed": "yes",
            "new_deadline": "2030-03-01",
            "monthly_hours_needed": "30",
        },
        {"new_deadline": date(2030, 3, 1), "monthly_hours_needed": Decimal("30.00")},
        [],
    ),
    (
        "fixed",
        {
            "fits_deadline": "no",
            "new_deadline_agreed": "no",
            "monthly_hours_needed": "30",
            "new_deadline": "2030-03-01",
        },
        {"new_deadline_agreed": "no"},
        ["new_deadline"],
    ),
    # Follow-ups sent although the answer above is "yes" are dropped, not saved.
    ("fixed", {"extra_hours": "99", "client_pays_extra": "no"}, {}, ["extra_hours", "client_pays_extra"]),
    (
        "monthly",
        {},
        {"fits_month": "yes", "timeline_correct": "na"},
        ["extra_hours", "measures", "new_monthly_hours"],
    ),
    (
        "monthly",
        {"fits_month": "no", "extra_hours": "8", "measures": ["one_time_extension"], "client_agreed": "no"},
        {"measures": ["one_time_extension"], "client_agreed": "no"},
        [],
    ),
    (
        "monthly",
        {
            "fits_month": "no",
            "extra_hours": "8",
            "measures": ["permanent_extension", "scope_reduction"],
            "client_agreed": "yes",
        },
        {"measures": ["scope_reduction", "permanent_extension"]},
        [],
    ),
    (
        "monthly",
        {"allocation_change": "yes", "new_monthly_hours": "60"},
        {"new_monthly_hours": Decimal("60.00")},
        [],
    ),
    (
        "monthly",
        {"allocation_change": "yes", "new_monthly_hours": "0"},
        {"new_monthly_hours": Decimal("0.00")},
        [],
    ),
    ("none", {}, {"last_month_billable": "yes"}, ["non_billable_hours"]),
    (
        "none",
        {"last_month_billable": "no", "non_billable_hours": "3.5"},
        {"non_billable_hours": Decimal("3.50")},
        [],
    ),
    (
        "none",
        {"allocation_change": "yes", "new_monthly_hours": "25"},
        {"new_monthly_hours": Decimal("25.00")},
        [],
    ),
]


@pytest.mark.parametrize(("kind", "changes", "expected", "absent"), VALID)
def test_valid_branches(
    kind: str, changes: dict[str, Any], expected: dict[str, Any], absent: list[str]
) -> None:
    cleaned, errors = a.clean_answers(kind, answers(kind, **changes))
    assert errors == {}
    for key, value in expected.items():
        assert cleaned[key] == value
    for key in absent:
        assert key not in cleaned


# (kind, changes, field that gets the error, part of the message)
INVALID = [
    ("fixed", {"fits_budget": "no"}, "extra_hours", "follow-up"),
    ("fixed", {"fits_budget": "no", "extra_hours": "10"}, "client_pays_extra", "follow-up"),
    (
        "fixed",
        {"fits_budget": "no", "extra_hours": "-3", "client_pays_extra": "no"},
        "extra_hours",
        "negative",
    ),
    (
        "fixed",
        {"fits_budget": "no", "extra_hours": "0", "client_pays_extra": "no"},
        "extra_hours",
        "more than zero",
    ),
    (
        "fixed",
        {"fits_budget": "no", "extra_hours": "10", "client_pays_extra": "partly"},
        "client_approved_hours",
        "follow-up",
    ),
    ("fixed", {"fits_deadline": "no", "monthly_hours_needed": "10"}, "new_deadline_agreed", "follow-up"),
    (
        "fixed",
        {"fits_deadline": "no", "new_deadline_agreed": "yes", "monthly_hours_needed": "10"},
        "new_deadline",
        "follow-up",
    ),
    (
        "fixed",
        {
            "fits_deadline": "no",
            "new_deadline_agreed": "yes",
            "new_deadline": "31/02/2030",
            "monthly_hours_needed": "1",
        },
        "new_deadline",
        "YYYY-MM-DD",
    ),
    ("fixed", {"fits_deadline": "no", "new_deadline_agreed": "no"}, "monthly_hours_needed", "follow-up"),
    ("fixed", {"hours_used": "-1"}, "hours_used", "negative"),
    ("fixed", {"hours_used": "lots"}, "hours_used", "number of hours"),
    ("fixed", {"fits_budget": "maybe"}, "fits_budget", "Choose one of"),
    ("fixed", {"timeline_correct": ""}, "timeline_correct", "Answer this question"),
    ("fixed", {"timeline_correct": "na"}, "timeline_correct", "Choose one of"),
    ("monthly", {"fits_month": "no"}, "extra_hours", "follow-up"),
    ("monthly", {"fits_month": "no", "extra_hours": "3", "client_agreed": "yes"}, "measures", "follow-up"),
    (
        "monthly",
        {"fits_month": "no", "extra_hours": "3", "measures": ["bigger"], "client_agreed": "yes"},
        "measures",
        "Unknown choice",
    ),
    (
        "monthly",
        {"fits_month": "no", "extra_hours": "3", "measures": ["scope_reduction"]},
        "client_agreed",
        "follow-up",
    ),
    ("monthly", {"allocation_change": "yes"}, "new_monthly_hours", "follow-up"),
    ("monthly", {"allocation_change": "yes", "new_monthly_hours": "-10"}, "new_monthly_hours", "negative"),
    ("monthly", {"this_sprint": "  "}, "this_sprint", "Answer this question"),
    ("none", {"last_month_billable": "no"}, "non_billable_hours", "follow-up"),
    ("none", {"last_month_billable": "no", "non_billable_hours": "-2"}, "non_billable_hours", "negative"),
    ("none", {"allocation_change": "yes", "new_monthly_hours": ""}, "new_monthly_hours", "follow-up"),
    ("none", {"timeline_correct": "yes"}, "__all__", "Not a question"),
]


@pytest.mark.parametrize(("kind", "changes", "field", "message"), INVALID)
def test_invalid_combinations(kind: str, changes: dict[str, Any], field: str, message: str) -> None:
    _, errors = a.clean_answers(kind, answers(kind, **changes))
    assert field in errors
    assert any(message in m for m in errors[field])


@given(hours=st.decimals(min_value=-1000, max_value=1000, places=2))
def test_hours_accepted_iff_not_negative(hours: Decimal) -> None:
    cleaned, errors = a.clean_answers("fixed", answers("fixed", hours_used=str(hours)))
    if hours < 0:
        assert "hours_used" in errors
    else:
        assert errors == {} and cleaned["hours_used"] == hours


@pytest.mark.parametrize("kind", ["fixed", "monthly", "none"])
def test_json_round_trip(kind: str) -> None:
    cleaned, errors = a.clean_answers(kind, BASE[kind])
    assert errors == {}
    assert a.from_json(kind, a.to_json(cleaned)) == cleaned


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="No epic-update questionnaire"):
        q.questionnaire("weekly")


def test_every_handbook_question_is_asked() -> None:
    keys = {kind: {x.key for x in form.questions} for kind, form in q.QUESTIONNAIRES.items()}
    assert {
        "fits_budget",
        "extra_hours",
        "client_pays_extra",
        "fits_deadline",
        "new_deadline_agreed",
        "monthly_hours_needed",
        "timeline_correct",
        "description_current",
        "story_statuses_correct",
        "next_stories_ready",
        "notes",
    } <= keys["fixed"]
    assert {
        "fits_month",
        "extra_hours",
        "measures",
        "client_agreed",
        "allocation_change",
        "new_monthly_hours",
        "timeline_correct",
        "this_sprint",
        "next_up",
        "next_stories_ready",
        "notes",
    } <= keys["monthly"]
    assert {
        "last_month_billable",
        "non_billable_hours",
        "allocation_change",
        "new_monthly_hours",
        "description_current",
        "story_statuses_correct",
        "this_sprint",
        "next_up",
        "next_stories_ready",
        "notes",
    } <= keys["none"]
    # Nor more than the templates ask: no timeline for ad hoc support, no
    # "this sprint / next" for a fixed budget, the budget questions per kind only.
    assert "timeline_correct" not in keys["none"]
    assert not {"this_sprint", "next_up", "measures", "last_month_billable"} & keys["fixed"]
    assert not {"fits_budget", "fits_month"} & keys["none"]


def test_wiki_rendering_follows_the_template_shape() -> None:
    cleaned, _ = a.clean_answers(
        "fixed",
        answers(
            "fixed",
            fits_budget="no",
            extra_hours="20",
            client_pays_extra="partly",
            client_approved_hours="10",
        ),
    )
    text = render.render("fixed", cleaned, sprint_label="Sprint 42", wiki=True, ref="abc")
    lines = text.splitlines()
    assert lines[0] == "h2. Epic update -- fixed scope / fixed budget (Sprint 42)"
    assert "h3. Budget" in lines and "h3. Capacity planning" in lines and "h3. Other notes" in lines
    assert "40 h used so far of the 100 h budget." in lines
    assert "(x) No" in lines and "*If not:*" in lines
    assert (
        "h5. {color:#de350b}How many hours beyond the budget will the rest of the work take?{color}" in lines
    )
    assert "20 h" in lines and "For part of them" in lines and "10 h" in lines
    assert lines[-1].endswith("[ops-epic-update:abc]_{color}")


def test_markdown_rendering() -> None:
    cleaned, _ = a.clean_answers(
        "monthly",
        answers(
            "monthly",
            fits_month="no",
            extra_hours="8",
            measures=["scope_reduction"],
            client_agreed="no",
            allocation_change="yes",
            new_monthly_hours="60",
        ),
    )
    text = render.render("monthly", cleaned, sprint_label="Sprint 7", wiki=False)
    assert text.startswith("# Epic update -- dynamic scope / monthly budget (Sprint 7)\n")
    assert "12 h used this month of the 40 h monthly budget." in text
    assert "**If not:**" in text and "**If so:**" in text
    assert "- Smaller scope" in text and "60 h" in text and "❌ No" in text
    assert "ops-epic-update" not in text


def test_choice_answers_carry_the_yes_no_marks_in_both_renderings() -> None:
    cleaned, errors = a.clean_answers(
        "fixed",
        answers(
            "fixed",
            fits_budget="no",
            extra_hours="4",
            client_pays_extra="no",
            fits_deadline="no",
            new_deadline_agreed="yes",
            new_deadline="2031-01-15",
            monthly_hours_needed="6",
        ),
    )
    assert errors == {}
    wiki = render.render("fixed", cleaned, sprint_label="Sprint 3", wiki=True).splitlines()
    markdown = render.render("fixed", cleaned, sprint_label="Sprint 3", wiki=False).splitlines()
    assert "(/) Yes" in wiki and "(x) No, or not yet" in wiki and "2031-01-15" in wiki
    assert "✅ Yes" in markdown and "❌ No, or not yet" in markdown and "2031-01-15" in markdown
    # Both renderings ask the same questions in the same order.
    headings = [line.split(". ", 1)[1] for line in wiki if line[:3] in ("h4.", "h5.")]
    md_headings = [line.lstrip("#").strip() for line in markdown if line.startswith(("### ", "#### "))]
    assert [h.replace("{color:#de350b}", "").replace("{color}", "") for h in headings] == md_headings


@pytest.mark.parametrize(
    ("wiki", "expected"),
    [
        (True, "h1\\. Boom \\{code\\}x\\{code\\} \\[click\\|http://evil\\] \\*bold\\* \\(x\\) \\!img.png\\!"),
        (False, "h1. Boom \\{code\\}x\\{code\\} \\[click\\|http://evil\\] \\*bold\\* \\(x\\) \\!img.png\\!"),
    ],
)
def test_free_text_is_escaped_in_wiki_markup_and_markdown(wiki: bool, expected: str) -> None:
    """A person's words never become markup: no headings, macros, links, bold or emoticons."""
    hostile = "h1. Boom {code}x{code} [click|http://evil] *bold* (x) !img.png!"
    cleaned, _ = a.clean_answers("monthly", answers("monthly", this_sprint=hostile))
    text = render.render("monthly", cleaned, sprint_label="Sprint 7", wiki=wiki, author="Ann [admin]")
    assert expected in text.splitlines()
    assert hostile not in text
    assert "Ann \\[admin\\]" in text
    assert render.escape("# Title\n1. first <b>", wiki=False) == "\\# Title\n1\\. first \\<b\\>"
