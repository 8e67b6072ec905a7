"""The member page of the admin checks its inline rows against each other, not
only against the database: bad rows in one POST get a clear message on the
page and change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection

from roles.models import Member, MemberTypePeriod, Role, RoleAssignment, TimeOff, WeeklyCommitment

TODAY = date.today()
pytestmark = pytest.mark.django_db


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the admin's change form."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file"} or "__prefix__" in name:
                return
            if kind == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
                return
            self.data[name] = a.get("value", "")
        elif tag == "select" and "__prefix__" not in name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and "__prefix__" not in name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data


def change_url(member: Member) -> str:
    return f"/admin/roles/member/{member.pk}/change/"


def form_data(client: Any, member: Member) -> dict[str, str]:
    """The member's change form as the page shows it (every inline row included)."""
    page = client.get(change_url(member))
    assert page.status_code == 200
    reader = _FormReader()
    reader.feed(page.content.decode())
    data = reader.data
    data.pop("_addanother", None)
    data["_save"] = "Save"
    return data


def add_rows(data: dict[str, str], prefix: str, *rows: dict[str, object]) -> dict[str, str]:
    """Appends new inline rows after the existing ones."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for i, row in enumerate(rows, start=total):
        for name, value in row.items():
            data[f"{prefix}-{i}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + len(rows))
    return data


def snapshot(member: Member) -> dict[str, list[tuple[object, ...]]]:
    return {
        "time_off": list(TimeOff.objects.filter(member=member).order_by("pk").values_list()),
        "assignments": list(RoleAssignment.objects.order_by("pk").values_list()),
        "commitments": list(WeeklyCommitment.objects.filter(member=member).order_by("pk").values_list()),
        "types": list(MemberTypePeriod.objects.filter(member=member).order_by("pk").values_list()),
    }


def test_form_reader_round_trip_saves_a_valid_change(client, staff_user, sprint_manager):
    """The helper submits what the page shows; a valid new row is saved."""
    client.force_login(staff_user)
    data = add_rows(
        form_data(client, sprint_manager),
        "time_off",
        {"kind": "vacation", "start": TODAY, "end": TODAY + timedelta(days=2)},
    )
    response = client.post(change_url(sprint_manager), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TimeOff.objects.filter(member=sprint_manager).count() == 1


def test_two_overlapping_time_off_rows_in_one_post(client, staff_user, core_member):
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "time_off",
        {"kind": "vacation", "start": TODAY, "end": TODAY + timedelta(days=5)},
        {"kind": "sick", "start": TODAY + timedelta(days=3), "end": TODAY + timedelta(days=8)},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two time off rows overlap" in html
    assert f"{TODAY} to {TODAY + timedelta(days=5)}" in html
    assert snapshot(core_member) == before


def test_time_off_rows_side_by_side_are_fine(client, staff_user, core_member):
    client.force_login(staff_user)
    data = add_rows(
        form_data(client, core_member),
        "time_off",
        {"kind": "vacation", "start": TODAY, "end": TODAY + timedelta(days=2)},
        {"kind": "vacation", "start": TODAY + timedelta(days=3), "end": TODAY + timedelta(days=4)},
    )
    assert client.post(change_url(core_member), data).status_code == 302
    assert TimeOff.objects.filter(member=core_member).count() == 2


def test_moving_existing_time_off_onto_a_new_row_is_refused(client, staff_user, core_member):
    """An edited row is checked against the new rows of the same POST."""
    TimeOff.objects.create(
        member=core_member, start=TODAY + timedelta(days=20), end=TODAY + timedelta(days=21)
    )
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = form_data(client, core_member)
    data["time_off-0-start"] = str(TODAY)
    data["time_off-0-end"] = str(TODAY + timedelta(days=1))
    add_rows(
        data,
        "time_off",
        {"kind": "other", "start": TODAY + timedelta(days=1), "end": TODAY + timedelta(days=1)},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert "Two time off rows overlap" in response.content.decode()
    assert snapshot(core_member) == before


def test_deleted_row_does_not_count(client, staff_user, core_member):
    TimeOff.objects.create(
        member=core_member, start=TODAY + timedelta(days=20), end=TODAY + timedelta(days=21)
    )
    client.force_login(staff_user)
    data = add_rows(
        form_data(client, core_member),
        "time_off",
        {"kind": "vacation", "start": TODAY, "end": TODAY + timedelta(days=2)},
        {
            "kind": "vacation",
            "start": TODAY + timedelta(days=1),
            "end": TODAY + timedelta(days=4),
            "DELETE": "on",
        },
    )
    assert client.post(change_url(core_member), data).status_code == 302
    assert list(
        TimeOff.objects.filter(member=core_member).order_by("start").values_list("start", flat=True)
    ) == [
        TODAY,
        TODAY + timedelta(days=20),
    ]


def test_two_sprint_manager_rows_for_the_same_cell_in_one_post(client, staff_user, core_member):
    """Without the formset check this was the exclusion constraint's IntegrityError (a 500)."""
    client.force_login(staff_user)
    sprint_manager = Role.objects.get(slug="sprint-manager")
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "assignments",
        {"role": sprint_manager.pk, "cell": core_member.cell_id, "since": TODAY},
        {"role": sprint_manager.pk, "cell": core_member.cell_id, "since": TODAY + timedelta(days=10)},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two rows give Sprint manager in Bebop over overlapping dates" in html
    assert snapshot(core_member) == before


def test_sprint_manager_rows_one_after_the_other_are_fine(client, staff_user, core_member, other_cell):
    client.force_login(staff_user)
    sprint_manager = Role.objects.get(slug="sprint-manager")
    data = add_rows(
        form_data(client, core_member),
        "assignments",
        {
            "role": sprint_manager.pk,
            "cell": core_member.cell_id,
            "since": TODAY - timedelta(days=30),
            "until": TODAY - timedelta(days=1),
        },
        {"role": sprint_manager.pk, "cell": core_member.cell_id, "since": TODAY},
        {"role": sprint_manager.pk, "cell": other_cell.pk, "since": TODAY},
    )
    assert client.post(change_url(core_member), data).status_code == 302
    assert RoleAssignment.objects.filter(member=core_member, role=sprint_manager).count() == 3


def test_second_sprint_manager_of_a_cell_in_the_member_page(client, staff_user, sprint_manager, core_member):
    """Against the database: another member already manages the cell's sprints."""
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "assignments",
        {"role": Role.objects.get(slug="sprint-manager").pk, "cell": core_member.cell_id, "since": TODAY},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert "Bebop already has a sprint manager over these dates" in response.content.decode()
    assert snapshot(core_member) == before


def test_more_rows_than_a_limited_role_allows(client, staff_user, core_member, newcomer):
    """A role with at most two holders: one held elsewhere, two overlapping rows here."""
    mentor = Role.objects.get(slug="mentor")
    Role.objects.filter(pk=mentor.pk).update(max_holders=2)
    RoleAssignment.objects.create(member=newcomer, role=mentor, cell=core_member.cell, since=TODAY)
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "assignments",
        {"role": mentor.pk, "cell": core_member.cell_id, "since": TODAY},
        {"role": mentor.pk, "cell": core_member.cell_id, "since": TODAY + timedelta(days=1)},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert "Mentor has at most 2 holders at a time in Bebop" in response.content.decode()
    assert snapshot(core_member) == before


@pytest.mark.parametrize(
    ("prefix", "row", "text"),
    [
        ("commitments", {"hours_per_week": "30"}, "Two commitments start on"),
        ("type_periods", {"member_type": "core"}, "Two type changes start on"),
    ],
)
def test_duplicate_since_in_one_post(client, staff_user, core_member, prefix, row, text):
    client.force_login(staff_user)
    before = snapshot(core_member)
    since = TODAY + timedelta(days=7)
    data = add_rows(form_data(client, core_member), prefix, {**row, "since": since}, {**row, "since": since})
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert f"{text} {since}" in response.content.decode()
    assert snapshot(core_member) == before


def test_duplicate_since_against_the_database(client, staff_user, core_member):
    """A new commitment on the day an existing one starts (the model's unique check)."""
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "commitments",
        {"hours_per_week": "20", "since": core_member.joined_on},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert (
        f"This member already has a commitment starting on {core_member.joined_on}."
        in response.content.decode()
    )
    assert snapshot(core_member) == before


def test_negative_commitment_in_the_member_page(client, staff_user, core_member):
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(form_data(client, core_member), "commitments", {"hours_per_week": "-5", "since": TODAY})
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert "Weekly hours cannot be negative." in response.content.decode()
    assert snapshot(core_member) == before


def test_assignment_ending_before_it_starts_in_the_member_page(client, staff_user, core_member):
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "assignments",
        {"role": Role.objects.get(slug="mentor").pk, "since": TODAY, "until": TODAY - timedelta(days=1)},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    assert "An assignment cannot end before it starts." in response.content.decode()
    assert snapshot(core_member) == before


def test_a_row_saved_meanwhile_is_a_form_error_not_a_500(client, staff_user, core_member, saved_meanwhile):
    """Another request records overlapping time off between the checks and the
    save: the database refuses it and the page says so (PostgreSQL constraint)."""
    assert connection.vendor == "postgresql"
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = add_rows(
        form_data(client, core_member),
        "time_off",
        {"kind": "vacation", "start": TODAY, "end": TODAY + timedelta(days=3)},
    )
    saved_meanwhile(TimeOff)
    response = client.post(change_url(core_member), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved: This overlaps time off recorded meanwhile" in html
    assert 'name="time_off-0-start"' in html and f'value="{TODAY}"' in html  # the input is kept
    assert snapshot(core_member) == before


def test_a_holder_saved_meanwhile_in_the_assignment_admin(
    client, staff_user, core_member, newcomer, saved_meanwhile
):
    client.force_login(staff_user)
    saved_meanwhile(RoleAssignment, member_id=newcomer.pk)
    response = client.post(
        "/admin/roles/roleassignment/add/",
        {
            "member": core_member.pk,
            "role": Role.objects.get(slug="sprint-manager").pk,
            "cell": core_member.cell_id,
            "since": str(TODAY),
        },
    )
    assert response.status_code == 200
    assert (
        "Someone else was given this single-holder role over these dates meanwhile"
        in response.content.decode()
    )
    assert not RoleAssignment.objects.exists()


# Each row's own check reads the database, which still holds the old copies of
# the rows this POST deletes or edits; those copies must not count against it.


def test_replacing_a_deleted_time_off_row_with_an_overlapping_one(client, staff_user, core_member):
    old = TimeOff.objects.create(
        member=core_member, start=TODAY + timedelta(days=20), end=TODAY + timedelta(days=21)
    )
    client.force_login(staff_user)
    data = form_data(client, core_member)
    data["time_off-0-DELETE"] = "on"
    add_rows(
        data,
        "time_off",
        {"kind": "sick", "start": TODAY + timedelta(days=19), "end": TODAY + timedelta(days=22)},
    )
    response = client.post(change_url(core_member), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = TimeOff.objects.filter(member=core_member)
    assert list(rows.values_list("kind", "start", "end")) == [
        ("sick", TODAY + timedelta(days=19), TODAY + timedelta(days=22))
    ]
    assert not TimeOff.objects.filter(pk=old.pk).exists()


def test_shortening_a_time_off_row_and_adding_the_next_one(client, staff_user, core_member):
    TimeOff.objects.create(member=core_member, start=TODAY, end=TODAY + timedelta(days=9))
    client.force_login(staff_user)
    data = form_data(client, core_member)
    data["time_off-0-end"] = str(TODAY + timedelta(days=4))
    add_rows(
        data,
        "time_off",
        {"kind": "sick", "start": TODAY + timedelta(days=5), "end": TODAY + timedelta(days=9)},
    )
    assert client.post(change_url(core_member), data).status_code == 302
    assert list(TimeOff.objects.filter(member=core_member).values_list("kind", "start", "end")) == [
        ("vacation", TODAY, TODAY + timedelta(days=4)),
        ("sick", TODAY + timedelta(days=5), TODAY + timedelta(days=9)),
    ]


def test_a_time_off_row_the_post_keeps_still_counts(client, staff_user, core_member):
    """Only the rows this POST deletes or edits are left out of the database check."""
    TimeOff.objects.create(member=core_member, start=TODAY, end=TODAY + timedelta(days=1))
    TimeOff.objects.create(
        member=core_member, start=TODAY + timedelta(days=20), end=TODAY + timedelta(days=21)
    )
    client.force_login(staff_user)
    before = snapshot(core_member)
    data = form_data(client, core_member)
    data["time_off-1-DELETE"] = "on"  # the later row goes...
    add_rows(
        data,
        "time_off",
        {"kind": "sick", "start": TODAY + timedelta(days=1), "end": TODAY + timedelta(days=21)},
    )
    response = client.post(change_url(core_member), data)  # ...but the new one overlaps the first
    assert response.status_code == 200
    assert (
        f"This overlaps time off already recorded from {TODAY} to {TODAY + timedelta(days=1)}."
        in response.content.decode()
    )
    assert snapshot(core_member) == before


def _sprint_manager_rows(member: Member) -> list[tuple[object, ...]]:
    return list(
        RoleAssignment.objects.filter(member=member, role__slug="sprint-manager")
        .order_by("since")
        .values_list("cell__slug", "since", "until", "note")
    )


def test_shortening_a_sprint_manager_row_and_adding_the_next_one(client, staff_user, sprint_manager):
    client.force_login(staff_user)
    (row,) = _sprint_manager_rows(sprint_manager)
    data = form_data(client, sprint_manager)
    data["assignments-0-until"] = str(TODAY - timedelta(days=1))
    add_rows(
        data,
        "assignments",
        {
            "role": Role.objects.get(slug="sprint-manager").pk,
            "cell": sprint_manager.cell_id,
            "since": TODAY,
            "note": "second term",
        },
    )
    response = client.post(change_url(sprint_manager), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _sprint_manager_rows(sprint_manager) == [
        ("bebop", row[1], TODAY - timedelta(days=1), ""),
        ("bebop", TODAY, None, "second term"),
    ]


def test_the_next_sprint_manager_row_still_meets_the_shortened_one(client, staff_user, sprint_manager):
    """The edited row counts with its new dates: ending it after the next row starts is refused."""
    client.force_login(staff_user)
    before = snapshot(sprint_manager)
    data = form_data(client, sprint_manager)
    data["assignments-0-until"] = str(TODAY + timedelta(days=5))
    add_rows(
        data,
        "assignments",
        {"role": Role.objects.get(slug="sprint-manager").pk, "cell": sprint_manager.cell_id, "since": TODAY},
    )
    response = client.post(change_url(sprint_manager), data)
    assert response.status_code == 200
    assert "Two rows give Sprint manager in Bebop over overlapping dates" in response.content.decode()
    assert snapshot(sprint_manager) == before


def test_the_next_sprint_manager_row_still_meets_another_members(
    client, staff_user, sprint_manager, core_member
):
    """Another member's assignment is not on this page: the database check still sees it."""
    sprint_manager_role = Role.objects.get(slug="sprint-manager")
    RoleAssignment.objects.filter(member=sprint_manager).update(until=TODAY - timedelta(days=20))
    RoleAssignment.objects.create(
        member=core_member, role=sprint_manager_role, cell=core_member.cell, since=TODAY - timedelta(days=19)
    )
    client.force_login(staff_user)
    before = snapshot(sprint_manager)
    data = form_data(client, sprint_manager)
    data["assignments-0-until"] = str(TODAY - timedelta(days=30))
    add_rows(
        data,
        "assignments",
        {"role": sprint_manager_role.pk, "cell": sprint_manager.cell_id, "since": TODAY - timedelta(days=29)},
    )
    response = client.post(change_url(sprint_manager), data)
    assert response.status_code == 200
    assert "Bebop already has a sprint manager over these dates" in response.content.decode()
    assert snapshot(sprint_manager) == before


@pytest.mark.parametrize(
    ("prefix", "model", "row"),
    [
        ("commitments", WeeklyCommitment, {"hours_per_week": "20"}),
        ("type_periods", MemberTypePeriod, {"member_type": "newcomer"}),
    ],
)
def test_moving_a_change_and_adding_one_on_its_old_day(client, staff_user, core_member, prefix, model, row):
    client.force_login(staff_user)
    data = form_data(client, core_member)
    old_day = model.objects.get(member=core_member).since  # the member's only row
    data[f"{prefix}-0-since"] = str(TODAY + timedelta(days=3))
    add_rows(data, prefix, {**row, "since": old_day})
    response = client.post(change_url(core_member), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(
        model.objects.filter(member=core_member).order_by("since").values_list("since", flat=True)
    ) == [
        old_day,
        TODAY + timedelta(days=3),
    ]
