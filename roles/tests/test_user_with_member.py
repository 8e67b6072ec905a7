"""The signed-in user comes with their member and cell in the session's one query, and an
API token's with the member too, whose time zone the call then runs in."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from roles.access import member_of
from roles.auth import MemberBackend, MemberTokenAuthentication, token_issue
from roles.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_sessions_user_brings_their_member_and_cell(
    core_member: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        user = MemberBackend().get_user(core_member.user_id)
    assert user is not None
    with django_assert_num_queries(0):
        member = member_of(user)
        assert member is not None
        assert member.cell is not None
        assert (member.pk, member.cell.slug) == (core_member.pk, core_member.cell.slug)


def test_a_user_without_a_member_is_read_as_such_once(django_assert_num_queries: Any) -> None:
    staff: Any = UserFactory(is_staff=True)
    with django_assert_num_queries(1):
        user = MemberBackend().get_user(staff.pk)
    assert user is not None
    with django_assert_num_queries(0):
        assert member_of(user) is None


def test_a_token_call_runs_in_the_members_time_zone(core_member: Any, django_assert_num_queries: Any) -> None:
    core_member.timezone = "Pacific/Kiritimati"
    core_member.save(update_fields=["timezone"])
    raw, _ = token_issue(core_member.user)
    try:
        with django_assert_num_queries(1):
            user, _token = MemberTokenAuthentication().authenticate_credentials(raw)
            assert member_of(user) == core_member
        assert timezone.get_current_timezone_name() == "Pacific/Kiritimati"
    finally:
        timezone.deactivate()


def test_a_token_call_of_someone_without_a_zone_keeps_the_portals(core_member: Any) -> None:
    core_member.timezone = ""
    core_member.save(update_fields=["timezone"])
    raw, _ = token_issue(core_member.user)
    timezone.deactivate()
    MemberTokenAuthentication().authenticate_credentials(raw)
    assert timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
