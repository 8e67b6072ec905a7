"""Sprint completion against the fake JIRA: a clean run; a failure injected at each step
(JIRA refusing, JIRA doing it but its answer lost, a local step's transaction failing)
followed by a re-run, which must end in the same state (database and JIRA) without doing
any step twice; and two runs that must not overlap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from opencraft_ops import calendar
from opencraft_ops.integrations.config import jira_client
from opencraft_ops.integrations.http import IntegrationError
from roles.tests.factories import CellFactory, MemberFactory
from sprints import services, tasks
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
        (s["name"].replace(cell.name, "CELL"), s["state"], s["completeDate"] is not None)
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
        "moved": sorted(
            {
                (app.sprints[sprint_id]["name"].replace(cell.name, "CELL"), key.removeprefix(prefix))
                for sprint_id, keys in app.moves
                for key in keys
                if app.sprints[sprint_id]["originBoardId"] == cell.jira_board_id
            }
        ),
        "spillovers": sorted(s.ticket.key.removeprefix(prefix) for s in Spillover.objects.filter(cell=cell)),
        "tickets": {
            t.key.removeprefix(prefix): t.sprint.number if t.sprint else None
            for t in Ticket.objects.filter(cell=cell)
        },
        "entered": sorted(
            (t.key.removeprefix(prefix), t.added_to_sprint_at)
            for t in Ticket.objects.filter(cell=cell).exclude(added_to_sprint_at=None)
        ),
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
        (f"CELL Sprint {sprint.number}", "closed", True),
        (f"CELL Sprint {sprint.number + 1}", "active", False),
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
    # step that fails -> fault on the fake JIRA (JIRA refuses: nothing was done)
    "connect": {"path": "/rest/api/2/serverInfo", "method": "GET", "status": 400},
    "create_next_jira_sprint": {"path": "/rest/agile/1.0/sprint", "method": "POST", "status": 400},
    # the POSTs under /sprint/ come in this order: move the issues, close, start (partial updates)
    "move_unfinished_tickets": {"path": "/rest/agile/1.0/sprint/", "method": "POST", "status": 400},
    "close_jira_sprint": {"path": "/rest/agile/1.0/sprint/", "method": "POST", "status": 400, "after": 1},
    "start_next_jira_sprint": {
        "path": "/rest/agile/1.0/sprint/",
        "method": "POST",
        "status": 400,
        "after": 2,
    },
    # reading a sprint's state before closing it: a 500 that outlasts the client's retries
    "read_sprint_state": {"path": "/rest/agile/1.0/sprint/", "method": "GET", "status": 500, "times": 4},
}
# JIRA does it, the answer is lost (a 504 from the gateway); a move is retried by the client
# (moving again is harmless), so for it every attempt of the first run loses its answer.
LOST_ANSWERS = {
    "create_next_jira_sprint": ("create_sprint", 1),
    "move_unfinished_tickets": ("move_issues", 4),
    "close_jira_sprint": ("close_sprint", 1),
    "start_next_jira_sprint": ("start_sprint", 1),
}
LOCAL_STEPS = ("record_spillovers", "open_rotations", "open_duties")


@contextmanager
def step_transaction_fails(name: str) -> Iterator[None]:
    """The database refuses to record step ``name``: its transaction (the step's own writes
    and its CompletionStep) rolls back, as when the step itself fails."""
    assert name in services.COMPLETION_STEPS
    table = CompletionStep._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_step() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected failure recording %', NEW.name; END $$"
        )
        cursor.execute(
            f'CREATE TRIGGER test_refuse_step BEFORE INSERT ON "{table}" FOR EACH ROW '
            f"WHEN (NEW.name = '{name}') EXECUTE FUNCTION test_refuse_step()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP TRIGGER test_refuse_step ON "{table}"')
            cursor.execute("DROP FUNCTION test_refuse_step()")


def clean_state(fake_jira: Any, sprint: Any) -> dict[str, Any]:
    clean = build(fake_jira, slug="clean", board_id=81, sprint=sprint)
    run(clean, sprint)
    return state(fake_jira, clean)


def rerun_matches(
    fake_jira: Any, broken: Any, sprint: Any, expected: dict[str, Any], *, ignore: tuple[str, ...] = ()
) -> None:
    """The first run failed part way; a re-run finishes without redoing the recorded steps."""
    completion = SprintCompletion.objects.get(cell=broken)
    assert completion.state == CompletionState.FAILED and completion.last_error
    done_before = dict(CompletionStep.objects.filter(completion=completion).values_list("name", "done_at"))
    assert len(done_before) < len(services.COMPLETION_STEPS)
    completion = run(broken, sprint)
    assert completion.state == CompletionState.DONE and completion.attempts == 2
    after = dict(CompletionStep.objects.filter(completion=completion).values_list("name", "done_at"))
    assert all(after[name] == when for name, when in done_before.items())
    result = state(fake_jira, broken)
    for key in ignore:
        result.pop(key)
        expected = {k: v for k, v in expected.items() if k != key}
    assert result == expected


@pytest.mark.parametrize("step", list(FAULTS))
def test_failure_then_rerun_matches_clean_run(fake_jira: Any, step: str) -> None:
    sprint = past_sprint()
    expected = clean_state(fake_jira, sprint)
    broken = build(fake_jira, slug="broken", board_id=82, sprint=sprint)
    fault = fake_jira.faults.add(**FAULTS[step])
    with pytest.raises(IntegrationError):
        run(broken, sprint)
    assert fault.hits == fault.times
    assert "record_spillovers" in set(
        CompletionStep.objects.filter(completion__cell=broken).values_list("name", flat=True)
    )
    rerun_matches(fake_jira, broken, sprint, expected)


@pytest.mark.parametrize("step", list(LOST_ANSWERS))
def test_lost_answer_then_rerun_matches_clean_run(fake_jira: Any, step: str) -> None:
    sprint = past_sprint()
    expected = clean_state(fake_jira, sprint)
    broken = build(fake_jira, slug="broken", board_id=82, sprint=sprint)
    operation, times = LOST_ANSWERS[step]
    lost = fake_jira.app.lose_answer(operation, times=times)
    with pytest.raises(IntegrationError, match="504"):
        run(broken, sprint)
    assert lost.hits == times
    failed = SprintCompletion.objects.get(cell=broken)
    assert failed.last_error.startswith(f"{step}: ")
    # JIRA did it: the re-run finds that out instead of doing it again (or being refused)
    requests_before = dict(fake_jira.server.requests)
    rerun_matches(
        fake_jira, broken, sprint, expected, ignore=("moves",) if step == "move_unfinished_tickets" else ()
    )
    if step == "create_next_jira_sprint":
        assert (
            fake_jira.server.requests["POST /rest/agile/1.0/sprint"]
            == requests_before["POST /rest/agile/1.0/sprint"]
        )
    if step in ("close_jira_sprint", "start_next_jira_sprint"):
        detail = CompletionStep.objects.get(completion__cell=broken, name=step).detail
        assert detail["already"] in ("closed in JIRA", "active in JIRA")


@pytest.mark.parametrize("step", LOCAL_STEPS)
def test_local_step_failure_then_rerun_matches_clean_run(fake_jira: Any, step: str) -> None:
    sprint = past_sprint()
    expected = clean_state(fake_jira, sprint)
    broken = build(fake_jira, slug="broken", board_id=82, sprint=sprint)
    with step_transaction_fails(step), pytest.raises(DatabaseError, match="injected failure"):
        run(broken, sprint)
    assert SprintCompletion.objects.get(cell=broken).last_error.startswith(f"{step}: ")
    if step == "record_spillovers":  # rolled back with its step: nothing half-saved
        assert not Spillover.objects.filter(cell=broken).exists()
    rerun_matches(fake_jira, broken, sprint, expected)


def test_second_run_is_refused_while_one_holds_the_lease(fake_jira: Any) -> None:
    sprint = past_sprint()
    cell = build(fake_jira, slug="busy", board_id=83, sprint=sprint)
    completion = services.sprint_completion_request(
        cell=cell, sprint=sprint, user_id=None, as_of=date.today()
    )
    with services.completion_lease(completion):  # a run is going on (another worker)
        with pytest.raises(services.CompletionBusy, match="already running; this one was not started"):
            services.sprint_completion_run(completion_id=completion.pk)
        assert tasks.complete_sprint.delay(completion.pk).get() == "busy"  # a redelivered task
        completion.refresh_from_db()
        assert (completion.state, completion.attempts) == (CompletionState.PLANNED, 0)
        assert not completion.steps.exists() and fake_jira.app.moves == []
    assert tasks.complete_sprint.delay(completion.pk).get() == CompletionState.DONE
    completion.refresh_from_db()
    assert completion.attempts == 1 and completion.steps.count() == len(services.COMPLETION_STEPS)


@pytest.mark.parametrize("taken", [True, False], ids=["taken by another run", "lapsed"])
def test_a_run_that_lost_its_lease_stops_before_its_next_step_and_a_rerun_completes(
    fake_jira: Any, taken: bool
) -> None:
    sprint = past_sprint()
    cell = build(fake_jira, slug="slow", board_id=84, sprint=sprint)
    completion = services.sprint_completion_request(
        cell=cell, sprint=sprint, user_id=None, as_of=date.today()
    )
    other_run = ExitStack()

    def step_outlasts_the_lease(sender: Any, instance: CompletionStep, **kwargs: Any) -> None:
        # record_spillovers ran past the lease's 15 minutes: the lease lapsed (and another run,
        # started meanwhile, may have taken it).
        if instance.name == "record_spillovers":
            cache.delete(services._lease_key(cell.pk))
            if taken:
                other_run.enter_context(services.completion_lease(completion))

    creates = fake_jira.server.requests["POST /rest/agile/1.0/sprint"]
    post_save.connect(step_outlasts_the_lease, sender=CompletionStep, weak=False)
    try:
        with pytest.raises(services.CompletionBusy, match=r"lost its lease .* stopped before its next step"):
            services.sprint_completion_run(completion_id=completion.pk)
    finally:
        post_save.disconnect(step_outlasts_the_lease, sender=CompletionStep)
    # Nothing after the step that outlasted the lease, in the database or in JIRA.
    assert list(completion.steps.values_list("name", flat=True)) == ["record_spillovers"]
    assert fake_jira.server.requests["POST /rest/agile/1.0/sprint"] == creates
    assert fake_jira.app.moves == []
    # Stopping left the other run's lease alone.
    assert services.completion_running(cell=cell) is taken
    if taken:
        with pytest.raises(services.CompletionBusy, match="is running now"):
            run(cell, sprint)
    other_run.close()
    recorded = completion.steps.get().done_at
    completion = run(cell, sprint)
    assert (completion.state, completion.attempts) == (CompletionState.DONE, 2)
    assert completion.steps.count() == len(services.COMPLETION_STEPS)
    assert completion.steps.get(name="record_spillovers").done_at == recorded
    assert state(fake_jira, cell)["moves"] == [3]  # the unfinished tickets, moved once


class LapsingCache(LocMemCache):
    """A local-memory cache in which a lease lapses, and another run takes it, right after a
    read found it still held: the race a check-then-delete (or check-then-extend) must survive."""

    lapse_after_read: str | None = None

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        value = super().get(key, default, version)
        if key == self.lapse_after_read and value is not None:
            self.lapse_after_read = None
            super().delete(key, version)
            super().add(key, "another run", services.COMPLETION_LEASE_SECONDS, version)
        return value


@pytest.fixture
def lapsing_cache(settings: Any) -> LapsingCache:
    settings.CACHES = {
        "default": {"BACKEND": f"{__name__}.LapsingCache", "LOCATION": "lapsing-cache"},
    }
    backend = caches["default"]
    assert isinstance(backend, LapsingCache)
    return backend


def test_releasing_the_lease_never_removes_one_another_run_took(
    lapsing_cache: LapsingCache, cell: Any
) -> None:
    completion = SprintCompletion.objects.create(sprint=past_sprint(), cell=cell)
    key = services._lease_key(cell.pk)
    with services.completion_lease(completion):
        lapsing_cache.lapse_after_read = key  # as the run leaves, its lease lapses and is taken
    assert cache.get(key) == "another run"
    assert services.completion_running(cell=cell)


def test_renewing_a_lease_another_run_took_stops_the_run(lapsing_cache: LapsingCache, cell: Any) -> None:
    completion = SprintCompletion.objects.create(sprint=past_sprint(), cell=cell)
    key = services._lease_key(cell.pk)
    with services.completion_lease(completion) as renew:
        renew()  # still ours: renewed
        lapsing_cache.lapse_after_read = key  # lapses and is taken right after renew reads it
        with pytest.raises(services.CompletionBusy, match="lost its lease"):
            renew()
        with pytest.raises(services.CompletionBusy):
            renew()  # and stays lost
    assert cache.get(key) == "another run"


def test_completion_without_jira_runs_local_steps(settings: Any, cell: Any) -> None:
    settings.JIRA_BASE_URL = ""
    sprint = past_sprint()
    TicketFactory(cell=cell, sprint=sprint, status="In Progress")
    completion = run(cell, sprint)
    assert completion.state == CompletionState.DONE
    detail = CompletionStep.objects.get(completion=completion, name="create_next_jira_sprint").detail
    assert detail["jira"] == "skipped"
    assert "JIRA left alone: the portal has no JIRA connection" in detail["summary"]
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


def test_double_post_while_running_is_refused_with_a_message(
    client: Client, django_capture_on_commit_callbacks: Any, settings: Any, sprint_manager: Any
) -> None:
    settings.JIRA_BASE_URL = ""
    sprint = past_sprint()
    TicketFactory(cell=sprint_manager.cell, sprint=sprint, status="In Progress")
    url = reverse("sprints:complete", args=[sprint_manager.cell.slug]) + f"?sprint={sprint.number}"
    client.force_login(sprint_manager.user)
    completion = services.sprint_completion_request(
        cell=sprint_manager.cell, sprint=sprint, user_id=None, as_of=date.today()
    )
    SprintCompletion.objects.filter(pk=completion.pk).update(state=CompletionState.RUNNING, attempts=1)
    with services.completion_lease(completion):
        response = client.post(url)
        assert response.status_code == 400
        assert "is running now (attempt 1); wait for it to finish" in response.content.decode()
    assert not Spillover.objects.exists()
    # The run's worker died: its lease lapsed, the completion still says running. A new
    # request is accepted and the run resumes.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    completion.refresh_from_db()
    assert completion.state == CompletionState.DONE and completion.attempts == 2
