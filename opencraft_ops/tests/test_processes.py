"""The deployment's processes, for real: the Procfile's gunicorn, Celery worker and beat,
started by honcho on PostgreSQL (this test's database) and Redis with DEBUG off.

Run alone with ``make pytest PYTEST_ARGS="-m processes"``. Every wait is bounded; the
whole test takes about 15 seconds on two cores.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from opencraft_ops.beat import BEAT_SCHEDULE, HEARTBEAT
from opencraft_ops.celery import app, ping

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "processes-test-password"
WAIT_SECONDS = 40


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(what: str, probe: Callable[[], Any], output: Callable[[], str]) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"Timed out waiting for {what}. Process output:\n{output()}")


class Browser:
    """requests, carrying cookies by hand: the portal's cookies are Secure (DEBUG is
    off) and a client keeps Secure cookies from plain-HTTP loopback otherwise."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = requests.request(
            method, self.base + path, cookies=self.cookies, timeout=15, allow_redirects=False, **kwargs
        )
        self.cookies.update({c.name: c.value or "" for c in response.cookies})
        return response


@pytest.fixture
def processes(transactional_db: Any, tmp_path: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    """honcho running the Procfile against this test's database and Redis db."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "JIRA_", "TEMPO_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; a proxy terminates TLS in production
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        BIND_HOST="127.0.0.1",
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert collected.returncode == 0, collected.stderr
    empty_env_file = tmp_path / "empty.env"  # honcho reads ./.env unless told otherwise
    empty_env_file.write_text("")
    log = tmp_path / "honcho.log"
    with log.open("w") as sink:
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", "Procfile", "-e", str(empty_env_file), "-p", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield f"http://127.0.0.1:{port}", log.read_text
    finally:
        honcho.send_signal(signal.SIGTERM)  # honcho stops the three and waits for them
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck process
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait(timeout=10)
        output = log.read_text()
        assert "Traceback" not in output, output


@pytest.mark.processes
def test_procfile_serves_pages_runs_tasks_and_ticks_with_debug_off(
    django_user_model: Any, processes: tuple[str, Callable[[], str]]
) -> None:
    # The schedule as a role holder left it: the heartbeat every second, the rest paused.
    call_command("sync_beat_schedule")
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name=HEARTBEAT).update(interval=every_second, crontab=None)
    PeriodicTask.objects.exclude(name=HEARTBEAT).update(enabled=False)
    user = django_user_model.objects.create(username="ops", is_staff=True)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "processes-salt", iterations=1000)
    user.save()
    base, output = processes
    browser = Browser(base)

    # gunicorn answers; /healthz is JSON.
    def healthz_answers() -> requests.Response | None:
        try:
            return browser.request("GET", "/healthz")
        except requests.ConnectionError:
            return None

    _wait_for("gunicorn", healthz_answers, output)

    # Log in through the real form (CSRF and all), then load a page.
    login_page = browser.request("GET", "/login/")
    assert login_page.status_code == 200
    assert "script-src 'self'" in login_page.headers["Content-Security-Policy"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
    assert token is not None
    logged_in = browser.request(
        "POST",
        "/login/",
        data={"username": "ops", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": base + "/login/"},
    )
    assert logged_in.status_code == 302, logged_in.text[:500]
    page = browser.request("GET", "/org/directory/")
    assert page.status_code == 200 and "Log out" in page.text

    # A hashed, compressed static file from whitenoise.
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet is not None, "the page links no hashed stylesheet"
    static = browser.request("GET", stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert static.status_code == 200 and ".topbar" in static.text
    assert static.headers["Content-Encoding"] == "gzip"
    assert "immutable" in static.headers["Cache-Control"]

    # DEBUG is off: a missing page is the plain 404, not Django's debug page.
    missing = browser.request("GET", "/no-such-page/")
    assert missing.status_code == 404 and "URLconf" not in missing.text

    # A task only a worker runs (this process sends it through Redis and waits for it).
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        result = ping.apply_async(args=(41,))
        assert result.get(timeout=WAIT_SECONDS) == 42
    finally:
        app.conf.task_always_eager = eager

    # Beat's tick reaches the database, and starting beat kept the role holder's edits.
    def ticked() -> bool:
        return PeriodicTask.objects.filter(name=HEARTBEAT, last_run_at__isnull=False).exists()

    _wait_for("beat's heartbeat", ticked, output)
    heartbeat = PeriodicTask.objects.get(name=HEARTBEAT)
    assert heartbeat.interval_id == every_second.pk and heartbeat.crontab_id is None
    paused = PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).exclude(name=HEARTBEAT)
    assert paused.count() == len(BEAT_SCHEDULE) - 1 and not paused.filter(enabled=True).exists()

    health = browser.request("GET", "/healthz")
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "beat": True,
        "sync": True,
    }
    assert body["checks"]["beat"]["age_seconds"] < 30
    assert body["checks"]["sync"]["sources"]["tempo"]["configured"] is False
    assert '"level": "INFO"' in output()  # LOG_FORMAT=json: one JSON object a line
