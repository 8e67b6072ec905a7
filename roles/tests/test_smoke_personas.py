import pytest

from roles.models import MemberType, RoleAssignment


@pytest.mark.django_db
def test_personas_have_types_and_roles(core_member, newcomer, sprint_manager, outsider) -> None:
    from roles.models import Member

    types = dict(Member.objects.with_type().values_list("user__username", "current_type"))  # type: ignore[misc]
    assert types == {
        "core": MemberType.CORE,
        "newcomer": MemberType.NEWCOMER,
        "sm": MemberType.CORE,
        "outsider": MemberType.CORE,
    }
    assignment = RoleAssignment.objects.get(member=sprint_manager)
    assert assignment.exclusive is True
    assert assignment.cell == sprint_manager.cell
