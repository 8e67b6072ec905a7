"""The pages that show findings read the stored ones, in a fixed number of queries for every
persona however many findings there are: at most 15 for the directory, cell health and the
home page (whose queries ``duties.tests.test_views`` lists: it shows the member's whole day,
and reads the cell's sustainability figure as the evaluation kept it)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duties.tests.factories import DutyInstanceFactory

TODAY = date.today()


@pytest.mark.parametrize("persona", ["core_member", "newcomer", "sprint_manager", "outsider"])
def test_each_personas_pages_keep_a_fixed_query_count(
    request: Any, client: Any, persona: str, cell: Any, fresh_findings: Any
) -> None:
    member = request.getfixturevalue(persona)
    counts: list[dict[str, int]] = []
    for extra in (1, 6):  # more findings, the same queries
        for i in range(extra):
            DutyInstanceFactory(
                assignee=member,
                cell=member.cell,
                due_on=TODAY - timedelta(days=2 + i),
                opens_on=TODAY - timedelta(days=20),
            )
        fresh_findings()
        client.force_login(member.user)
        measured = {}
        for url in ("/", "/org/directory/", f"/duties/health/?cell={member.cell.slug}"):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code in (200, 403), url
            measured[url] = len(ctx.captured_queries)
        counts.append(measured)
    assert counts[0] == counts[1]
    assert max(counts[1].values()) <= 15, counts
