"""Valid epic-update answers per budget kind, for tests to start from."""

from __future__ import annotations

FIXED_ANSWERS_OK = {
    "hours_used": "40",
    "budget_hours": "100",
    "fits_budget": "yes",
    "fits_deadline": "yes",
    "timeline_correct": "yes",
    "description_current": "yes",
    "story_statuses_correct": "yes",
    "next_stories_ready": "yes",
    "notes": "",
}
MONTHLY_ANSWERS_OK = {
    "month_hours_used": "12",
    "monthly_budget_hours": "40",
    "fits_month": "yes",
    "allocation_change": "no",
    "timeline_correct": "na",
    "description_current": "yes",
    "story_statuses_correct": "yes",
    "this_sprint": "Theme work",
    "next_up": "Upgrade",
    "next_stories_ready": "yes",
}
AD_HOC_ANSWERS_OK = {
    "non_billable_hours_known": "0",
    "last_month_billable": "yes",
    "allocation_change": "no",
    "description_current": "yes",
    "story_statuses_correct": "yes",
    "this_sprint": "Support requests",
    "next_up": "More support",
    "next_stories_ready": "no",
}
