"""Sprint completion a manager can trust: when the board calls for it, which sprint the page
opens on, the plan and results in words, and the live progress (JSON status, script post)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from opencraft_ops import calendar
from sprints.calculations.completion import STEP_LABELS, sprint_to_complete, step_sentence
from sprints.models import CompletionState, CompletionStep, SprintCompletion
from sprints.services import COMPLETION_STEPS
from sprints.tests.factories import SprintFactory, TicketFactory

S = calendar.sprint_dates(207)  # Tue 24 Nov 2026 - Mon 7 Dec 2026 with the default epoch


def complete_url(cell: Any, number: int | None = None) -> str:
    url = reverse("sprints:complete", args=[cell.slug])
    return url if number is None else f"{url}?sprint={number}"


def status_url(cell: Any, number: Any) -> str:
    return f"{reverse('sprints:complete_status', args=[cell.slug])}?sprint={number}"


# --- when a completion is due (pure) --------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "previous_done", "current_done", "expected"),
    [
        (0, False, False, S.number - 1),  # first day of a sprint: the one that just ended
        (5, False, False, S.number - 1),  # still in week 1, the previous one is not completed
        (6, False, False, None),  # Monday of week 2: too late for the previous, too early for this
        (0, True, False, None),  # previous completed, this one just started
        (7, True, False, None),  # Tuesday of week 2
        (8, True, False, S.number),  # Wednesday of week 2: the call to action starts
        (13, True, False, S.number),  # the last day
        (13, True, True, None),  # completed
    ],
)
def test_sprint_to_complete(
    offset: int, previous_done: bool, current_done: bool, expected: int | None
) -> None:
    today = S.start + timedelta(days=offset)
    assert calendar.sprint_on(today).number == S.number
    got = sprint_to_complete(today=today, current=S, previous_done=previous_done, current_done=current_done)
    assert got == expected


def test_step_labels_follow_the_run_order() -> None:
    assert tuple(STEP_LABELS) == COMPLETION_STEPS


@pytest.mark.parametrize(
    ("name", "detail", "expected"),
    [
        # details older runs recorded: said in words, never as a dict, never claiming JIRA work
        ("record_spillovers", {"tickets": []}, "No spillover: every ticket of the sprint was finished."),
        ("record_spillovers", {"tickets": ["BB-1", "BB-2"]}, "Recorded 2 spillovers: BB-1, BB-2."),
        (
            "move_unfinished_tickets",
            {"tickets": ["BB-1"], "moved_in_jira": 0, "to_sprint": 208},
            "Moved 1 unfinished ticket to sprint 208 (in the portal only; JIRA was not changed): BB-1.",
        ),
        (
            "close_jira_sprint",
            {"jira_sprint": 1006},
            "Done in the portal; this older run did not record what JIRA answered.",
        ),
        (
            "create_next_jira_sprint",
            {"skipped": "JIRA is not configured for this cell"},
            "Nothing to do: JIRA is not configured for this cell.",
        ),
        ("open_duties", {"planned": 3, "created": 1}, "Opened 1 duty of the next sprint."),
        ("open_rotations", {"summary": "Filled 2 slots."}, "Filled 2 slots."),
    ],
)
def test_step_sentence(name: str, detail: dict[str, Any], expected: str) -> None:
    assert step_sentence(name, detail) == expected


# --- the board's call to action ---------------------------------------------------------------


@pytest.mark.django_db
def test_board_links_to_completion_for_the_sprint_manager_in_the_last_days(
    client: Client, clock: Any, sprint_manager: Any, core_member: Any, sprint: Any
) -> None:
    cell = sprint_manager.cell
    SprintCompletion.objects.create(
        cell=cell, sprint=SprintFactory.create(number=sprint.number - 1), state=CompletionState.DONE
    )
    board = reverse("sprints:board", args=[cell.slug])
    client.force_login(sprint_manager.user)

    clock(sprint.start + timedelta(days=7))  # Tuesday of week 2: not yet
    assert "completion-cta" not in client.get(board).content.decode()

    clock(sprint.start + timedelta(days=8))  # Wednesday of week 2
    page = client.get(board).content.decode()
    assert f"Sprint {sprint.number} ends on {sprint.end:%a} {sprint.end.day} {sprint.end:%b}." in page
    assert f'href="{complete_url(cell, sprint.number)}"' in page

    client.force_login(core_member.user)  # a member without the role sees no link
    assert "completion-cta" not in client.get(board).content.decode()


@pytest.mark.django_db
def test_board_links_to_the_previous_sprint_while_it_is_not_completed(
    client: Client, clock: Any, staff_user: Any, cell: Any, sprint: Any
) -> None:
    previous: Any = SprintFactory(number=sprint.number - 1)
    clock(sprint.start + timedelta(days=1))
    client.force_login(staff_user)
    page = client.get(reverse("sprints:board", args=[cell.slug])).content.decode()
    assert f"Sprint {previous.number} ended on" in page and "is not completed yet" in page
    assert f'href="{complete_url(cell, previous.number)}"' in page
    # and the completion page opens on it
    response = client.get(complete_url(cell))
    assert response.context["sprint_number"] == previous.number


@pytest.mark.django_db
def test_completion_page_opens_on_the_sprint_that_is_ending(
    client: Client, clock: Any, sprint_manager: Any, sprint: Any
) -> None:
    SprintCompletion.objects.create(
        cell=sprint_manager.cell,
        sprint=SprintFactory.create(number=sprint.number - 1),
        state=CompletionState.DONE,
    )
    clock(sprint.end)
    client.force_login(sprint_manager.user)
    response = client.get(complete_url(sprint_manager.cell))
    assert response.context["sprint_number"] == sprint.number
    assert f"complete Sprint {sprint.number}" in response.content.decode()


# --- the plan and the results in words --------------------------------------------------------


@pytest.mark.django_db
def test_plan_and_results_in_plain_sentences_without_jira(
    client: Client,
    settings: Any,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
    sprint_manager: Any,
    core_member: Any,
    sprint: Any,
) -> None:
    settings.JIRA_BASE_URL = ""
    cell = sprint_manager.cell
    cell.jira_board_id = 77
    cell.save(update_fields=["jira_board_id"])
    TicketFactory(key="BB-11", cell=cell, sprint=sprint, status="In Progress", assignee=core_member)
    TicketFactory(key="BB-12", cell=cell, sprint=sprint, status="Done", assignee=core_member)
    clock(sprint.end)
    client.force_login(sprint_manager.user)
    plan = client.get(complete_url(cell, sprint.number)).content.decode()
    nxt = sprint.number + 1
    assert "Record 1 spillover (the tickets not finished): BB-11; 1 ticket is finished." in plan
    assert f"Move that ticket into sprint {nxt}, where spillovers come first." in plan
    assert "JIRA is left alone: the portal has no JIRA connection (JIRA_BASE_URL is not set)." in plan
    next_start = calendar.sprint_dates(nxt).start
    assert (
        f"Open the duties of sprint {nxt} due from {next_start:%a} {next_start.day} {next_start:%b %Y} on"
        in plan
    )
    assert "{" not in plan.split('data-testid="plan"')[1].split("</section>")[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(complete_url(cell, sprint.number), HTTP_ACCEPT="application/json")
    assert response.status_code == 202  # Celery eager: the run is over
    status = client.get(status_url(cell, sprint.number)).json()
    assert status["state"] == "done" and status["finished"] and status["done"] == status["total"] == 7
    results = {s["name"]: s["result"] for s in status["steps"]}
    assert results["record_spillovers"] == f"Recorded 1 spillover(s) of Sprint {sprint.number}: BB-11."
    assert results["move_unfinished_tickets"].startswith(
        f"Moved 1 ticket(s) into Sprint {nxt} in the portal (BB-11)"
    )
    for name in ("create_next_jira_sprint", "close_jira_sprint", "start_next_jira_sprint"):
        assert "JIRA left alone: the portal has no JIRA connection" in results[name]
        assert "Closed JIRA sprint" not in results[name] and "Started JIRA sprint" not in results[name]
    assert results["open_duties"].startswith("Opened ") and "none is due earlier" in results["open_duties"]
    assert results["open_rotations"].startswith("Filled ")
    assert not any("{" in text for text in results.values())
    page = client.get(complete_url(cell, sprint.number)).content.decode()
    assert f"Sprint {sprint.number} is completed for {cell.name}." in page
    assert results["record_spillovers"] in page


# --- live progress ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_status_shows_the_running_step_and_a_failure(
    client: Client, sprint_manager: Any, sprint: Any
) -> None:
    cell = sprint_manager.cell
    completion = SprintCompletion.objects.create(cell=cell, sprint=sprint, state=CompletionState.RUNNING)
    CompletionStep.objects.create(
        completion=completion,
        name="record_spillovers",
        detail={"tickets": ["BB-1"], "summary": "Recorded 1."},
    )
    client.force_login(sprint_manager.user)
    status = client.get(status_url(cell, sprint.number)).json()
    assert [s["status"] for s in status["steps"]] == ["done", "running"] + ["waiting"] * 5
    assert status["steps"][0]["result"] == "Recorded 1." and not status["finished"]

    SprintCompletion.objects.filter(pk=completion.pk).update(
        state=CompletionState.FAILED, last_error="create_next_jira_sprint: JIRA answered 503"
    )
    status = client.get(status_url(cell, sprint.number)).json()
    assert [s["status"] for s in status["steps"]][:3] == ["done", "failed", "waiting"]
    assert status["finished"] and status["error"] == "create_next_jira_sprint: JIRA answered 503"
    assert status["state_label"] == "Failed (re-run to finish)"


@pytest.mark.django_db
def test_status_endpoint_refusals_and_bad_input(
    client: Client, sprint_manager: Any, core_member: Any, sprint: Any
) -> None:
    url = status_url(sprint_manager.cell, sprint.number)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(core_member.user)
    assert client.get(url).status_code == 403
    client.force_login(sprint_manager.user)
    for bad in ["", "abc", "0", "10000"]:
        response = client.get(status_url(sprint_manager.cell, bad))
        assert response.status_code == 400
        assert "Give the sprint as ?sprint=" in response.json()["error"]
    assert client.post(url).status_code == 405
    nothing = client.get(url).json()
    assert nothing["state"] == "none" and nothing["state_label"] == "Not started" and not nothing["finished"]


@pytest.mark.django_db
def test_script_post_refused_gets_a_json_error(client: Client, sprint_manager: Any, sprint: Any) -> None:
    client.force_login(sprint_manager.user)
    future = calendar.sprint_on(date.today()).number + 2
    response = client.post(complete_url(sprint_manager.cell, future), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "complete it on or after that day" in json.loads(response.content)["error"]
    assert not SprintCompletion.objects.exists()


@pytest.mark.django_db
def test_with_a_worker_the_post_returns_at_once_and_the_status_follows_the_run(
    client: Client,
    settings: Any,
    clock: Any,
    django_capture_on_commit_callbacks: Any,
    sprint_manager: Any,
    sprint: Any,
) -> None:
    """In production the post only queues the task: the page polls the status while a worker
    runs it (here the queued task is run by hand, as the worker would)."""
    settings.JIRA_BASE_URL = ""
    cell = sprint_manager.cell
    clock(sprint.end)
    client.force_login(sprint_manager.user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(complete_url(cell, sprint.number), HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    assert response.json() == {"queued": True, "status_url": status_url(cell, sprint.number)}
    waiting = client.get(status_url(cell, sprint.number)).json()
    assert waiting["state"] == "planned" and waiting["state_label"] == "Queued" and not waiting["finished"]
    assert waiting["done"] == 0
    page = client.get(complete_url(cell, sprint.number)).content.decode()
    assert 'data-state="planned"' in page  # the page's script starts polling on load
    (run_task,) = queued
    run_task()  # the worker picks it up
    done = client.get(status_url(cell, sprint.number)).json()
    assert done["state"] == "done" and done["finished"] and done["done"] == 7


@pytest.mark.django_db
def test_a_failed_run_is_shown_on_the_page_not_as_an_error_page(
    client: Client,
    settings: Any,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    sprint_manager: Any,
    sprint: Any,
) -> None:
    from sprints import services, tasks

    settings.JIRA_BASE_URL = ""
    cell = sprint_manager.cell

    def refuse(completion: Any) -> dict[str, Any]:
        raise RuntimeError("JIRA answered 503")

    monkeypatch.setitem(services.STEP_FUNCTIONS, "close_jira_sprint", refuse)
    clock(sprint.end)
    client.force_login(sprint_manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(complete_url(cell, sprint.number), HTTP_ACCEPT="application/json")
    assert response.status_code == 202  # Celery eager: the run failed, and the status says so
    status = client.get(status_url(cell, sprint.number)).json()
    assert status["state"] == "failed" and status["error"] == "close_jira_sprint: JIRA answered 503"
    assert [s["status"] for s in status["steps"]] == ["done"] * 3 + ["failed"] + ["waiting"] * 3
    page = client.get(complete_url(cell, sprint.number)).content.decode()
    assert "close_jira_sprint: JIRA answered 503" in page and "Re-run (resume) the completion" in page

    monkeypatch.undo()
    settings.JIRA_BASE_URL = ""
    clock(sprint.end)

    def broker_down(completion_id: int) -> None:
        raise ConnectionError("broker unreachable")

    other = sprint.number - 1
    SprintFactory(number=other)
    monkeypatch.setattr(tasks.complete_sprint, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(complete_url(cell, other))
    assert response.status_code == 302
    status = client.get(status_url(cell, other)).json()
    assert status["state"] == "failed" and status["finished"]
    assert status["error"] == "The run could not be queued: broker unreachable"
