"""Sprint completion against the fake JIRA: a clean run, and a failure injected at
each remote step followed by a re-run, which must end in the same state without
doing any step twice."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opencraft_ops.integrations.config import jira_client
from opencraft_ops.integrations.http import IntegrationError
from roles.tests.factories import CellFactory, MemberFactory
from sprints import calendar, services
from sprints.models import BoardSprint, CompletionState, CompletionStep, Spillover, SprintCompletion, Ticket
from sprints.tests.factories import SprintFactory, TicketFactory

pytestmark = pytest.mark.django_db

STATUSES = ["In Progress", "Done", "To Do", "External Review", "Code Review", "Deployed & Delivered"]


def past_sprint() -> Any:
    return SprintFactory(number=calendar.sprint_on(date.today()).number - 1)


def build(fake_jira: Any, *, slug: str, board_id: int, sprint: Any) -> Any:
    """A cell with a JIRA board, an active JIRA sprint and six tickets (three unfinished)."""
    cell: Any = CellFactory(
        name=slug.title(), slug=slug, jira_board_id=board_id, jira_project_key=slug.upper()
    )
    member: Any = MemberFactory(cell=cell)
    fake_jira.app.add_board(board_id=board_id, project_key=slug.upper())
    client = jira_client()
    dates = calendar.sprint_dates(sprint.number)
    jira_sprint = client.create_sprint(name=f"{cell.name} {sprint.name}", board_id=board_id)
    client.start_sprint(jira_sprint.id, start=dates.start, end=dates.end)
    BoardSprint.objects.create(
        sprint=sprint, cell=cell, jira_id=jira_sprint.id, name=jira_sprint.name, state="active"
    )
    for status in STATUSES:
        issue = fake_jira.app.add_issue(
            project=slug.upper(), summary=status, status=status, sprint_ids=[jira_sprint.id]
        )
        TicketFactory(key=issue["key"], cell=cell, sprint=sprint, status=status, assignee=member)
    return cell


def state(fake_jira: Any, cell: Any) -> dict[str, Any]:
    """The end state, with the cell's project key taken out so two cells compare."""
    prefix = f"{cell.jira_project_key}-"
    app = fake_jira.app
    board_sprints = sorted(
        (s["name"].replace(cell.name, "CELL"), s["state"])
        for s in app.sprints.values()
        if s["originBoardId"] == cell.jira_board_id
    )
    issues = {
        record["key"].removeprefix(prefix): sorted(
            app.sprints[i]["name"].replace(cell.name, "CELL") for i in record["sprint_ids"]
        )
        for record in app.issues.values()
        if record["key"].startswith(prefix)
    }
    completion = SprintCompletion.objects.get(cell=cell)
    return {
        "jira_sprints": board_sprints,
        "jira_issues": issues,
        "moves": sorted(
            len(keys)
            for sprint_id, keys in app.moves
            if app.sprints[sprint_id]["originBoardId"] == cell.jira_board_id
        ),
        "spillovers": sorted(s.ticket.key.removeprefix(prefix) for s in Spillover.objects.filter(cell=cell)),
        "tickets": {
            t.key.removeprefix(prefix): t.sprint.number if t.sprint else None
            for t in Ticket.objects.filter(cell=cell)
        },
        "board_sprints": sorted(
            (b.sprint.number, b.state, b.jira_id is not None) for b in BoardSprint.objects.filter(cell=cell)
        ),
        "completion": (
            completion.state,
            sorted(CompletionStep.objects.filter(completion=completion).values_list("name", flat=True)),
        ),
    }


def run(cell: Any, sprint: Any) -> SprintCompletion:
    completion = services.sprint_completion_request(
        cell=cell, sprint=sprint, user_id=None, as_of=date.today()
    )
    return services.sprint_completion_run(completion_id=completion.pk)


def test_clean_run(fake_jira: Any) -> None:
    sprint = past_sprint()
    cell = build(fake_jira, slug="bebop", board_id=77, sprint=sprint)
    completion = run(cell, sprint)
    assert completion.state == CompletionState.DONE
    result = state(fake_jira, cell)
    assert result["spillovers"] == ["1", "3", "5"]  # In Progress, To Do, Code Review
    assert result["tickets"] == {
        "1": sprint.number + 1,
        "2": sprint.number,
        "3": sprint.number + 1,
        "4": sprint.number,
        "5": sprint.number + 1,
        "6": sprint.number,
    }
    assert result["jira_sprints"] == [
        (f"CELL Sprint {sprint.number}", "closed"),
        (f"CELL Sprint {sprint.number + 1}", "active"),
    ]
    assert result["moves"] == [3]
    # running again is a no-op
    assert run_again(completion) == completion.steps.count()
    # the next sprint's rotations and duties were opened through the other apps' services
    details = dict(CompletionStep.objects.filter(completion=completion).values_list("name", "detail"))
    assert "skipped" not in details["open_rotations"] and "created" in details["open_rotations"]
    assert "skipped" not in details["open_duties"] and "planned" in details["open_duties"]


def run_again(completion: SprintCompletion) -> int:
    services.sprint_completion_run(completion_id=completion.pk)
    return CompletionStep.objects.filter(completion=completion).count()


FAULTS = {
    # step that fails -> fault on the fake JIRA
    "connect": {"path": "/rest/api/2/serverInfo", "method": "GET", "status": 400},
    "create_next_jira_sprint": {"path": "/rest/agile/1.0/sprint", "method": "POST", "status": 400},
    "move_unfinished_tickets": {"path": "/rest/agile/1.0/sprint/", "method": "POST", "status": 400},
    "close_jira_sprint": {"path": "/rest/agile/1.0/sprint/", "method": "PUT", "status": 400},
    "start_next_jira_sprint": {"path": "/rest/agile/1.0/sprint/", "method": "PUT", "status": 400, "after": 1},
}


@pytest.mark.parametrize("step", list(FAULTS))
def test_failure_then_rerun_matches_clean_run(fake_jira: Any, step: str) -> None:
    sprint = past_sprint()
    clean = build(fake_jira, slug="clean", board_id=81, sprint=sprint)
    run(clean, sprint)
    expected = state(fake_jira, clean)

    broken = build(fake_jira, slug="broken", board_id=82, sprint=sprint)
    fault = fake_jira.faults.add(**FAULTS[step])
    with pytest.raises(IntegrationError):
        run(broken, sprint)
    assert fault.hits == 1
    completion = SprintCompletion.objects.get(cell=broken)
    assert completion.state == CompletionState.FAILED and completion.last_error
    done_before = dict(CompletionStep.objects.filter(completion=completion).values_list("name", "done_at"))
    assert "record_spillovers" in done_before and len(done_before) < len(services.COMPLETION_STEPS)

    completion = run(broken, sprint)
    assert completion.state == CompletionState.DONE and completion.attempts == 2
    # the steps done before the failure were not done again
    after = dict(CompletionStep.objects.filter(completion=completion).values_list("name", "done_at"))
    assert all(after[name] == when for name, when in done_before.items())
    assert state(fake_jira, broken) == expected


def test_completion_without_jira_runs_local_steps(settings: Any, cell: Any) -> None:
    settings.JIRA_BASE_URL = ""
    sprint = past_sprint()
    TicketFactory(cell=cell, sprint=sprint, status="In Progress")
    completion = run(cell, sprint)
    assert completion.state == CompletionState.DONE
    detail = CompletionStep.objects.get(completion=completion, name="create_next_jira_sprint").detail
    assert detail == {"skipped": "JIRA is not configured for this cell"}
    assert Spillover.objects.filter(sprint=sprint).count() == 1


def test_completion_refused_before_last_day(cell: Any) -> None:
    sprint: Any = SprintFactory(number=calendar.sprint_on(date.today()).number + 1)
    with pytest.raises(services.CompletionRefused, match="on or after"):
        services.sprint_completion_request(cell=cell, sprint=sprint, user_id=None, as_of=date.today())


def test_plan_page_and_run(
    client: Client,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    sprint_manager: Any,
    core_member: Any,
) -> None:
    settings.JIRA_BASE_URL = ""
    sprint = past_sprint()
    ticket: Any = TicketFactory(
        cell=sprint_manager.cell, sprint=sprint, status="In Progress", assignee=core_member
    )
    url = reverse("sprints:complete", args=[sprint_manager.cell.slug]) + f"?sprint={sprint.number}"
    client.force_login(core_member.user)
    assert client.get(url).status_code == 403  # plain members cannot complete a sprint
    client.force_login(sprint_manager.user)
    response = client.get(url)
    assert response.status_code == 200
    assert [t.key for t in response.context["plan"].spill] == [ticket.key]
    assert not Spillover.objects.exists()  # the plan changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.sprint.number == sprint.number + 1
    assert SprintCompletion.objects.get(cell=sprint_manager.cell).state == CompletionState.DONE
    response = client.post(url)  # already done
    assert response.status_code == 400
    future = reverse("sprints:complete", args=[sprint_manager.cell.slug]) + f"?sprint={sprint.number + 2}"
    assert client.post(future).status_code == 400
