"""The admin pages of the sustainability models load with data and filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sustainability.tests.factories import BudgetFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "account/?category__exact=client",
        "accountbudget/?kind__exact=monthly",
        "sustainabilitytarget/",
        "worklog/?account__category__exact=client",
        "accountsreview/",
        "alertcrossing/",
    ],
)
def test_admin_changelists(bebop_data: Any, staff_user: Any, client: Client, path: str) -> None:
    BudgetFactory(account=bebop_data["acme"])
    TargetFactory(cell=None)
    client.login(username="staff", password="correct-horse-battery")
    assert client.get(f"/admin/sustainability/{path}").status_code == 200


def test_target_history_page(bebop_data: Any, staff_user: Any, client: Client) -> None:
    target: Any = TargetFactory(cell=None)
    client.login(username="staff", password="correct-horse-battery")
    assert client.get(f"/admin/sustainability/sustainabilitytarget/{target.pk}/history/").status_code == 200
