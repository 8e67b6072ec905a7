"""Every failure on record: a wrong token, an unreachable JIRA or a field setting naming no
field is a failed run on /sync/ with a short message, from the command, the task and the
"sync now" buttons, which answer with a message (never a 500), tasks in-process or on a worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from kombu.exceptions import OperationalError

from opencraft_ops.celery import app
from opencraft_ops.integrations.fakes import FakeJiraServer
from roles.tests.factories import CellFactory, UserFactory
from sync import tasks
from sync.models import SyncKind, SyncOutcome, SyncRun, SyncSource

BASE_DIR = Path(__file__).resolve().parents[2]
URL = "/sync/"


@pytest.fixture
def closed_port_url() -> str:
    """The address of a JIRA that was there and is gone (nothing listens on the port)."""
    server = FakeJiraServer.start()
    url = server.url
    server.stop()
    return url


def failed_run(source: str = SyncSource.JIRA) -> SyncRun:
    return SyncRun.objects.get(source=source, outcome=SyncOutcome.FAILED)


def assert_short(message: str) -> None:
    assert "?" not in message and len(message) < 600, message


def test_wrong_token_from_the_command_is_a_failed_run(org, fake_jira, settings, client, staff_user):
    settings.JIRA_API_TOKEN = "wrong"
    with pytest.raises(CommandError, match=r"JIRA refused the credentials \(401\)"):
        call_command("sync_jira", "--no-progress")
    run = failed_run()
    assert run.kind == SyncKind.ISSUES and run.triggered_by == "command" and run.errors == 1
    assert run.message.startswith("AuthError: JIRA refused the credentials (401)")
    assert "JIRA_API_TOKEN" in run.message
    assert_short(run.message)
    client.force_login(staff_user)
    page = client.get(URL).content.decode()
    assert "JIRA refused the credentials (401)" in page


def test_unreachable_jira_from_the_task_is_a_failed_run(org, fake_jira, settings, closed_port_url):
    settings.JIRA_BASE_URL = closed_port_url
    with pytest.raises(Exception, match="is unreachable"):
        tasks.sync_jira.apply(retries=tasks.MAX_RETRIES, throw=True)
    run = failed_run()
    assert run.triggered_by == "task" and run.message.startswith("TransportError: JIRA at ")
    assert_short(run.message)


def test_wrong_token_button_in_process_answers_with_a_message(org, fake_jira, settings, client, staff_user):
    assert app.conf.task_always_eager  # the demo's set-up: tasks run inside the request
    settings.JIRA_API_TOKEN = "wrong"
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "JIRA sync failed: JIRA refused the credentials (401)" in page
    assert failed_run().triggered_by == "task"
    assert SyncRun.objects.count() == 1  # one attempt in a request, no retry loop


def test_unreachable_jira_button_in_process_answers_with_a_message(
    org, fake_jira, settings, client, staff_user, closed_port_url
):
    settings.JIRA_BASE_URL = closed_port_url
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert response.status_code == 200
    assert "JIRA sync failed: JIRA at " in response.content.decode()
    assert "is unreachable" in failed_run().message


def test_field_setting_button_in_process_answers_with_a_message(org, upstream, settings, client, staff_user):
    settings.JIRA_FIELD_STORY_POINTS = "customfield_404"
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert response.status_code == 200
    assert (
        "JIRA_FIELD_STORY_POINTS=&#x27;customfield_404&#x27; names no JIRA field" in response.content.decode()
    )
    assert "FieldSettingError" in failed_run().message


def test_tempo_wrong_token_button_answers_with_a_message(org, fake_tempo, settings, client, staff_user):
    settings.TEMPO_API_TOKEN = "wrong"
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["tempo"]), follow=True)
    assert response.status_code == 200
    assert "Tempo sync failed: Tempo refused the credentials (401)" in response.content.decode()
    run = failed_run(SyncSource.TEMPO)
    assert run.kind == SyncKind.ACCOUNTS and "TEMPO_API_TOKEN" in run.message


def test_successful_button_in_process_says_what_it_did(org, upstream, client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert "JIRA sync finished (success): created " in response.content.decode()


@pytest.fixture
def workers_mode() -> Iterator[None]:
    """Tasks go to the broker (production), not in-process."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def test_broker_down_answers_with_a_message(org, fake_jira, client, staff_user, monkeypatch, workers_mode):
    def refused(*args: Any, **kwargs: Any) -> None:  # what kombu raises when Redis is gone
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(tasks.sync_jira, "delay", refused)
    client.force_login(staff_user)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert response.status_code == 200
    assert "JIRA sync could not be queued (Error 111 connecting" in response.content.decode()
    assert not SyncRun.objects.exists()


# --- with a real worker --------------------------------------------------------------
@pytest.fixture
def jira_worker(
    transactional_db: Any, fake_jira: FakeJiraServer, settings: Any
) -> Iterator[subprocess.Popen[str]]:
    """A real ``celery worker`` on the queues sync tasks are routed to, on the test Redis and database,
    with the fake JIRA configured and a wrong token."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "REDIS_URL": settings.REDIS_URL,
        "DATABASE_URL": database_url,
        "JIRA_BASE_URL": fake_jira.url,
        "JIRA_USER": fake_jira.app.user,
        "JIRA_API_TOKEN": "wrong",
        "HTTP_MAX_RETRY_DELAY_SECONDS": "1",
        "HTTP_TIMEOUT_SECONDS": "5",
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CELERY_RESULT_BACKEND", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "opencraft_ops",
            "worker",
            "--pool=solo",
            "-Q",
            "default,sync",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield process
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            process.kill()
            process.communicate()


@pytest.mark.worker
def test_wrong_token_on_a_real_worker_is_on_record(jira_worker, client, settings):
    CellFactory(name="Bebop", slug="bebop", jira_board_id=1, jira_project_key="BB")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post(reverse("sync:run", args=["jira"]), follow=True)
    assert response.status_code == 200
    assert "JIRA sync queued" in response.content.decode()
    deadline = time.monotonic() + 90
    while not SyncRun.objects.filter(outcome=SyncOutcome.FAILED).exists():
        if time.monotonic() > deadline or jira_worker.poll() is not None:
            jira_worker.terminate()
            output, _ = jira_worker.communicate(timeout=30)
            pytest.fail(f"the worker recorded no failed run; its output:\n{output}")
        time.sleep(0.5)
    run = failed_run()
    assert run.triggered_by == "task" and "JIRA refused the credentials (401)" in run.message
    assert "JIRA refused the credentials (401)" in client.get(URL).content.decode()
