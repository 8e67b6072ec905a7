"""The demo seeds an open estimation session with some votes."""

from __future__ import annotations

import io
from typing import Any

import pytest

from estimation import demo
from estimation.models import EstimationSession, Vote
from estimation.tests.factories import next_sprint, unestimated
from roles.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_demo_has_an_open_session_with_votes(cell: Any) -> None:
    sprint = next_sprint()
    MemberFactory.create_batch(3, cell=cell)
    for n in range(1, 5):
        unestimated(cell, sprint, f"BB-{n}")
    out = io.StringIO()
    demo.seed(out)
    session = EstimationSession.objects.get(cell=cell, sprint=sprint)
    assert session.state == "open" and session.items.count() == 4
    votes = Vote.objects.filter(item__session=session).count()
    assert votes == 3 + 2 + 2  # everyone on the first ticket, every other member on the next two
    demo.seed(out)  # idempotent
    assert Vote.objects.filter(item__session=session).count() == votes
    assert "estimation: 1 session(s)" in out.getvalue()
