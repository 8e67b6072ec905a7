"""The sprint completion hook: the new sprint's rotations are opened and announced."""

from __future__ import annotations

import pytest

from rotations.models import RotationAssignment, WebhookDelivery
from rotations.services import rotations_open_sprint
from rotations.tests.factories import make_endpoint
from sprints.services import sprint_ensure

pytestmark = pytest.mark.django_db


def test_open_sprint_fills_slots_once_and_announces_once(
    crew, current_sprint, django_capture_on_commit_callbacks
) -> None:
    make_endpoint(url="http://127.0.0.1:9/closed", events=["sprint.started"], is_active=True, max_attempts=1)
    sprint = sprint_ensure(number=current_sprint + 1)
    with django_capture_on_commit_callbacks(execute=False):
        first = rotations_open_sprint(cell=crew[0].cell, sprint=sprint)
        again = rotations_open_sprint(cell=crew[0].cell, sprint=sprint)
    assert {k: first[k] for k in ("created", "unfilled", "webhooks")} == {
        "created": 7,
        "unfilled": 0,
        "webhooks": 1,
    }
    assert {k: again[k] for k in ("created", "unfilled", "webhooks")} == {
        "created": 0,
        "unfilled": 0,
        "webhooks": 0,
    }
    # what the completion page shows, in words that agree with the figures
    assert first["summary"] == (
        f"Filled 7 rotation slot(s) of {sprint} for {crew[0].cell} by the fair rotation; every slot is "
        "held; announced the sprint to 1 webhook(s)."
    )
    assert again["summary"].startswith(f"Filled 0 rotation slot(s) of {sprint}")
    assert again["summary"].endswith("no webhook to announce it to.")
    assert RotationAssignment.objects.filter(sprint=sprint).count() == 7
    assert WebhookDelivery.objects.get().dedupe_key == f"sprint.started:{current_sprint + 1}"
