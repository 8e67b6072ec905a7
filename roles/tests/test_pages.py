"""The directory and member pages through HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils.formats import date_format

from roles.models import Role, RoleAssignment, TimeOff
from roles.tests.factories import MemberFactory, RoleAssignmentFactory, TimeOffFactory
from rotations.models import RotationAssignment

TODAY = date.today()
pytestmark = pytest.mark.django_db


def test_pages_need_login(client, core_member):
    for url in ["/org/directory/", f"/org/members/{core_member.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = client.post(
        f"/org/members/{core_member.pk}/time-off/", {"start": str(TODAY), "end": str(TODAY)}
    )
    assert response.status_code == 302
    assert not TimeOff.objects.exists()


def test_directory_shows_cells_roles_members_and_time_off(
    client, core_member, newcomer, sprint_manager, other_cell
):
    TimeOffFactory.create(member=newcomer, start=TODAY, end=TODAY + timedelta(days=1))
    client.force_login(core_member.user)
    response = client.get("/org/directory/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="cell-bebop"' in html and 'id="cell-falcon"' in html
    assert sprint_manager.name in html and "Sprint manager" in html
    assert "1 year" in html  # the sprint manager's tenure (400 days)
    assert "off today" in html
    assert "Missing: Sprint planning manager, Epic planning and sustainability manager" in html
    assert "has no sprint planning manager" in html  # process finding
    # each finding is listed once, under "Process findings"; the cell's card links there
    assert html.count(f"{core_member.cell.name} has no sprint planning manager") == 1
    assert 'href="#findings-bebop"' in html and 'id="findings-bebop"' in html


def test_directory_shows_handover_in_transition(client, core_member, sprint_manager):
    current = RoleAssignment.objects.get(member=sprint_manager)
    current.until = TODAY - timedelta(days=2)
    current.handed_over_to = core_member
    current.transition_until = TODAY + timedelta(days=5)
    current.save()
    RoleAssignmentFactory.create(
        member=core_member, role=current.role, cell=current.cell, since=TODAY - timedelta(days=1)
    )
    client.force_login(core_member.user)
    html = client.get("/org/directory/").content.decode()
    assert "in transition until" in html
    assert f"{sprint_manager.name} → {core_member.name}" in html


def test_directory_refuses_wrong_method(client, core_member):
    client.force_login(core_member.user)
    assert client.post("/org/directory/").status_code == 405


def test_directory_query_count_is_flat(
    client, core_member, populated, django_assert_num_queries, fresh_findings
):
    client.force_login(core_member.user)
    populated(2)
    fresh_findings()
    # session, user with the viewer's member (2); cells, roles (2); member counts per cell,
    # the count and the page of the member list, its assignments, its time off (5); the
    # sprint's rotation slots and their holders (2); the company-role check for the links
    # (1); the viewer's current roles, for who reads an absence's kind (1); the stored findings, a
    # few per cell with their count (1; their freshness comes from the cache the evaluation
    # fills): no process check runs.
    expected = 14
    with django_assert_num_queries(expected):
        small = client.get("/org/directory/")
    populated(8)
    fresh_findings()
    with django_assert_num_queries(expected):
        large = client.get("/org/directory/")
    assert small.status_code == large.status_code == 200
    assert large.content.count(b'href="/org/members/') > small.content.count(b'href="/org/members/')
    assert len(large.context["directory"].findings) + sum(
        len(entry.findings) for entry in large.context["directory"].cells
    ) >= len(small.context["directory"].findings) + sum(
        len(entry.findings) for entry in small.context["directory"].cells
    )


def test_directory_pages_the_member_list(client, core_member, settings, django_assert_num_queries):
    from roles import selectors

    client.force_login(core_member.user)
    extra = [MemberFactory.create(cell=core_member.cell) for _ in range(selectors.DIRECTORY_PAGE_SIZE + 5)]
    first = client.get("/org/directory/")
    assert first.status_code == 200
    data = first.context["directory"]
    total = data.member_count
    assert total >= len(extra) + 1 and data.matching == total
    assert len(data.members) == selectors.DIRECTORY_PAGE_SIZE
    assert data.page.paginator.num_pages == 2
    html = first.content.decode()
    assert 'rel="next" href="?page=2#members"' in html and "page 1 of 2" in html
    second = client.get("/org/directory/?page=2")
    rest = second.context["directory"].members
    assert len(rest) == total - selectors.DIRECTORY_PAGE_SIZE
    names_first = {row.member.pk for row in data.members}
    assert not names_first & {row.member.pk for row in rest}  # no member on both pages
    # Every active member is on exactly one page.
    assert names_first | {row.member.pk for row in rest} >= {m.pk for m in extra}
    # A page past the end, or not a number, shows the last or the first page.
    assert client.get("/org/directory/?page=99").context["directory"].page.number == 2
    assert client.get("/org/directory/?page=abc").context["directory"].page.number == 1


def test_directory_filters_by_name_cell_and_role(client, core_member, newcomer, sprint_manager, other_cell):
    client.force_login(core_member.user)
    stranger = MemberFactory.create(cell=other_cell, user__first_name="Zebulon", user__last_name="Quist")
    loner = MemberFactory.create(cell=None, user__first_name="Lone", user__last_name="Wolf")

    def shown(query: str) -> set[int]:
        response = client.get("/org/directory/" + query)
        assert response.status_code == 200, response.content[:500]
        return {row.member.pk for row in response.context["directory"].members}

    assert shown("?q=zebu") == {stranger.pk}
    assert shown("?q=zebulon+QUIST") == {stranger.pk}  # every word must match
    assert shown("?q=nobody-has-this-name") == set()
    assert shown(f"?cell={other_cell.slug}") == {stranger.pk}
    assert shown("?cell=none") == {loner.pk}
    assert shown("?role=sprint-manager") == {sprint_manager.pk}
    assert shown(f"?role=sprint-manager&cell={core_member.cell.slug}") == {sprint_manager.pk}
    assert shown(f"?role=sprint-manager&cell={other_cell.slug}") == set()
    html = client.get("/org/directory/?q=nobody-has-this-name").content.decode()
    assert "No member matches this filter." in html and "0 members match" in html
    # The filter survives paging: the page links keep it.
    assert 'name="q" value="nobody-has-this-name"' in html
    # A role that is over (ended before today) does not count as held.
    RoleAssignment.objects.filter(member=sprint_manager).update(
        since=TODAY - timedelta(days=60), until=TODAY - timedelta(days=1)
    )
    assert shown("?role=sprint-manager") == set()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?cell=atlantis", "cell", "There is no cell “atlantis”"),
        ("?role=wizard", "role", "There is no role “wizard”"),
        ("?q=" + "x" * 101, "q", "at most 100 characters"),
    ],
)
def test_directory_refuses_a_bad_filter(client, core_member, query, field, message):
    client.force_login(core_member.user)
    response = client.get("/org/directory/" + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    # The page still lists everyone, unfiltered.
    assert core_member.pk in {row.member.pk for row in response.context["directory"].members}


def test_directory_lists_a_few_findings_per_cell_and_counts_the_rest(client, core_member, fresh_findings):
    from django.utils import timezone

    from findings.models import Finding, scope_of
    from roles import selectors

    client.force_login(core_member.user)
    now = timezone.now()
    many = selectors.DIRECTORY_FINDINGS_PER_CELL + 3
    Finding.objects.bulk_create(
        [
            Finding(
                key=f"bench:{i}",
                rule="bench-rule",
                subject=f"bench:{i}",
                scope=scope_of(core_member.cell_id),
                cell_id=core_member.cell_id,
                severity=1,
                message=f"Bench finding {i}",
                first_seen=now,
                last_seen=now,
            )
            for i in range(many)
        ]
    )
    data = client.get("/org/directory/").context["directory"]
    [entry] = [e for e in data.cells if e.cell.pk == core_member.cell_id]
    open_here = Finding.objects.filter(cell_id=core_member.cell_id, resolved_at__isnull=True).count()
    assert entry.findings_count == open_here >= many
    assert len(entry.findings) == selectors.DIRECTORY_FINDINGS_PER_CELL
    # The most severe first.
    assert [f.severity for f in entry.findings] == sorted((f.severity for f in entry.findings), reverse=True)


def test_member_page_shows_history(client, core_member, sprint_manager):
    from roles import services

    services.commitment_change(
        member=sprint_manager,
        hours_per_week=Decimal("30"),
        since=TODAY - timedelta(days=30),
        note="Part-time",
    )
    TimeOffFactory.create(
        member=sprint_manager,
        start=TODAY + timedelta(days=10),
        end=TODAY + timedelta(days=12),
        note="Ski trip",
    )
    client.force_login(core_member.user)
    response = client.get(f"/org/members/{sprint_manager.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sprint manager" in html and "Part-time" in html and "Core member" in html
    assert "Record time off" not in html  # a colleague may not record it
    # A colleague sees that the member is away and when, never the kind or the note.
    assert "Ski trip" not in html and "Vacation" not in html and ">away" in html


def test_member_page_refusals(client, core_member, outsider):
    client.force_login(outsider.user)
    assert client.get(f"/org/members/{core_member.pk}/").status_code == 403
    assert client.get("/org/members/999999/").status_code == 404
    client.force_login(core_member.user)
    assert client.post(f"/org/members/{core_member.pk}/").status_code == 405


def test_member_page_query_count_is_flat(client, core_member, django_assert_num_queries):
    client.force_login(core_member.user)
    mentor = Role.objects.get(slug="mentor")
    made = iter(range(100))

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(made)  # every row its own dates: time off never overlaps
            other = MemberFactory.create(cell=core_member.cell)
            RoleAssignmentFactory.create(
                member=core_member,
                role=mentor,
                cell=core_member.cell,
                since=TODAY - timedelta(days=900 - i * 20),
                until=TODAY - timedelta(days=890 - i * 20),
                backup=other,
            )
            RoleAssignmentFactory.create(member=other, role=mentor, cell=core_member.cell, backup=core_member)
            # Rotation slots of the member ahead (the page lists the next four weeks).
            RotationAssignment.objects.create(
                kind="firefighter_backup",
                cell=core_member.cell,
                member=core_member,
                start=TODAY + timedelta(days=i % 20),
                end=TODAY + timedelta(days=i % 20),
            )
            TimeOffFactory.create(
                member=core_member,
                start=TODAY + timedelta(days=30 + i * 3),
                end=TODAY + timedelta(days=31 + i * 3),
            )

    grow(2)
    # session, user (2); member, assignments, rotation slots, backing up, commitments, types,
    # time off (7); the viewer's member comes with the user; company-role check for the links (1); no role
    # check for the form: the viewer is the member themselves; their requests to change their
    # weekly hours (1); their conference card: the next conference (1; none recorded here, so
    # no answer is read).
    with django_assert_num_queries(12):
        client.get(f"/org/members/{core_member.pk}/")
    grow(6)
    with django_assert_num_queries(12):
        response = client.get(f"/org/members/{core_member.pk}/")
    assert response.content.count(b"<tr") > 10


def test_member_records_own_time_off_through_the_form(client, core_member):
    client.force_login(core_member.user)
    response = client.post(
        f"/org/members/{core_member.pk}/time-off/",
        {
            "kind": "vacation",
            "start": str(TODAY + timedelta(3)),
            "end": str(TODAY + timedelta(5)),
            "note": "Beach",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/org/members/{core_member.pk}/"
    assert TimeOff.objects.get(member=core_member).note == "Beach"
    page = client.get(response["Location"]).content.decode()
    # The message names the days in the portal's one format, not as ISO dates.
    start, end = (date_format(TODAY + timedelta(n), "DATE_FORMAT") for n in (3, 5))
    assert f"Recorded vacation from {start} to {end}." in page


def test_time_off_form_bad_input(client, core_member):
    TimeOffFactory.create(member=core_member, start=TODAY, end=TODAY + timedelta(days=3))
    client.force_login(core_member.user)
    url = f"/org/members/{core_member.pk}/time-off/"
    backwards = client.post(
        url, {"kind": "vacation", "start": str(TODAY + timedelta(9)), "end": str(TODAY + timedelta(8))}
    )
    assert backwards.status_code == 400
    assert "Time off cannot end before it starts." in backwards.content.decode()
    overlap = client.post(
        url, {"kind": "sick", "start": str(TODAY + timedelta(1)), "end": str(TODAY + timedelta(6))}
    )
    assert overlap.status_code == 400 and "overlaps time off already recorded" in overlap.content.decode()
    garbage = client.post(url, {"kind": "party", "start": "soon", "end": ""})
    assert garbage.status_code == 400
    assert TimeOff.objects.filter(member=core_member).count() == 1


def test_time_off_form_permissions(client, core_member, newcomer, outsider, sprint_manager):
    url = f"/org/members/{newcomer.pk}/time-off/"
    payload = {"kind": "vacation", "start": str(TODAY + timedelta(3)), "end": str(TODAY + timedelta(3))}
    for intruder in (core_member, outsider):
        client.force_login(intruder.user)
        assert client.post(url, payload).status_code == 403
    assert not TimeOff.objects.exists()
    client.force_login(sprint_manager.user)  # the cell's sprint manager may
    page = client.get(f"/org/members/{newcomer.pk}/")
    assert "Record time off" in page.content.decode()
    assert client.post(url, payload).status_code == 302
    assert TimeOff.objects.filter(member=newcomer).count() == 1
    assert client.get(url).status_code == 405


def test_navigation_marks_the_current_section(client, core_member):
    client.force_login(core_member.user)
    html = client.get("/org/directory/").content.decode()
    assert '<a href="/org/directory/" aria-current="page">Directory</a>' in html
    assert '<a href="/" aria-current="page">' not in html


def test_directory_links_only_members_the_viewer_may_open(client, core_member, outsider):
    company_person = MemberFactory.create(cell=None)
    client.force_login(outsider.user)
    html = client.get("/org/directory/").content.decode()
    assert f'href="/org/members/{outsider.pk}/"' in html
    assert f'href="/org/members/{company_person.pk}/"' in html
    assert f'href="/org/members/{core_member.pk}/"' not in html and core_member.name in html
    assert client.get(f"/org/members/{company_person.pk}/").status_code == 200


def test_time_off_form_saved_meanwhile_is_a_form_error(client, core_member, saved_meanwhile):
    """Another request records overlapping time off between the form's checks
    and the save: the database refuses it and the page says so (PostgreSQL)."""
    client.force_login(core_member.user)
    saved_meanwhile(TimeOff)
    response = client.post(
        f"/org/members/{core_member.pk}/time-off/",
        {"kind": "vacation", "start": str(TODAY + timedelta(3)), "end": str(TODAY + timedelta(5))},
    )
    assert response.status_code == 400
    assert "This overlaps time off recorded meanwhile." in response.content.decode()
    assert not TimeOff.objects.exists()
