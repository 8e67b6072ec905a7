"""The epic admin: changelist, transitions enforced and recorded."""

from __future__ import annotations

from typing import Any

import pytest

from epics.models import EpicStatusChange

pytestmark = pytest.mark.django_db


def form_data(epic: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "key": epic.key,
        "title": epic.title,
        "cell": epic.cell_id,
        "client": "",
        "status": epic.status,
        "budget_kind": epic.budget_kind,
        "budget_hours": "100",
        "description": "",
        "owner": epic.owner_id or "",
        "reviewer": epic.reviewer_id or "",
        "account": "",
        "jira_id": "",
    }
    for prefix in ("milestones", "budget_periods", "status_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_admin_lists_and_enforces_transitions(client: Any, staff_user: Any, fixed_epic: Any) -> None:
    client.force_login(staff_user)
    assert client.get("/admin/epics/epic/").status_code == 200
    assert client.get("/admin/epics/epicupdate/").status_code == 200
    url = f"/admin/epics/epic/{fixed_epic.pk}/change/"
    refused = client.post(url, form_data(fixed_epic, status="prospect"))
    assert refused.status_code == 200 and "cannot go from" in refused.content.decode()
    fixed_epic.refresh_from_db()
    assert fixed_epic.status == "in_development"
    accepted = client.post(url, form_data(fixed_epic, status="delivered"))
    assert accepted.status_code == 302, accepted.content.decode()[:2000]
    change = EpicStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "in_development",
        "delivered",
        staff_user,
    )
