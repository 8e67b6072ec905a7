"""compose.yaml and the Procfile name only what exists: every command's program, module,
Celery app, beat scheduler, queue and management command, and only variables the
settings read."""

from __future__ import annotations

import importlib
import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from celery import Celery
from celery.beat import Scheduler
from celery.utils.imports import symbol_by_name
from django.conf import settings
from django.core.management import get_commands

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SETTINGS_SOURCE = (BASE_DIR / "opencraft_ops" / "settings.py").read_text()
# Every variable settings.py reads goes through one of the strict readers of opencraft_ops.env.
SETTINGS_VARIABLES = set(re.findall(r'env_[a-z]+\(\s*"([A-Z][A-Z0-9_]*)"', SETTINGS_SOURCE))


def _option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _queues() -> set[str]:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return routed | {settings.CELERY_TASK_DEFAULT_QUEUE}


def check_command(argv: list[str]) -> list[str]:
    """What the command runs, checked; returns a line per thing found, for the assertions."""
    if argv[:2] == ["sh", "-c"]:
        found: list[str] = []
        for part in argv[2].split("&&"):
            found += check_command(shlex.split(part))
        return found
    program = argv[0]
    if program == "python":
        assert argv[1] == "manage.py", argv
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
        return [f"manage.py {argv[2]}"]
    assert shutil.which(program, path=str(BIN)), f"{program} is not installed (requirements.txt)"
    if program == "gunicorn":
        module_name, _, attribute = argv[1].partition(":")
        application = getattr(importlib.import_module(module_name), attribute or "application")
        assert callable(application)
        return [f"gunicorn {module_name}"]
    if program == "celery":
        app_name = _option(argv, "-A", "--app")
        assert app_name is not None, argv
        module = importlib.import_module(app_name)
        assert any(isinstance(v, Celery) for v in vars(module).values()), f"no Celery app in {app_name}"
        if "beat" in argv:
            scheduler = symbol_by_name(_option(argv, "-S", "--scheduler") or "")
            assert issubclass(scheduler, Scheduler)
            return [f"celery beat {scheduler.__module__}.{scheduler.__name__}"]
        assert "worker" in argv, argv
        queues = set((_option(argv, "-Q", "--queues") or "").split(","))
        assert queues == _queues(), f"worker queues {queues} != routed queues {_queues()}"
        return ["celery worker"]
    raise AssertionError(f"unknown program {program!r}")


def _compose() -> dict[str, Any]:
    return yaml.safe_load((BASE_DIR / "compose.yaml").read_text())


def _defaults(text: str) -> str:
    """${NAME:-default} -> default; ${NAME} -> NAME (as a shell with nothing set would, nearly)."""
    return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: m.group(2) or m.group(1), text)


def test_compose_services_commands_exist_in_the_project() -> None:
    services = _compose()["services"]
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    found = {}
    for name, service in services.items():
        if "build" not in service:
            continue
        command = service["command"]
        argv = (
            [_defaults(a) for a in command] if isinstance(command, list) else shlex.split(_defaults(command))
        )
        found[name] = check_command(argv)
    assert found == {
        "migrate": ["manage.py migrate", "manage.py sync_beat_schedule"],
        "web": ["gunicorn opencraft_ops.wsgi"],
        "worker": ["celery worker"],
        "beat": ["celery beat opencraft_ops.beat_scheduler.Scheduler"],
    }
    # Migrations run once, before the processes; data lives in volumes.
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["db"]["volumes"] and services["redis"]["volumes"]


def test_compose_sets_only_variables_the_settings_read() -> None:
    assert {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL", "LOG_FORMAT"} <= SETTINGS_VARIABLES
    for name, service in _compose()["services"].items():
        if "build" in service:
            unknown = set(service["environment"]) - SETTINGS_VARIABLES
            assert not unknown, f"{name} sets variables no setting reads: {sorted(unknown)}"
            assert "DJANGO_DEBUG" not in service["environment"]  # production: off by default


def test_procfile_commands_exist_in_the_project() -> None:
    lines = [
        line
        for line in (BASE_DIR / "Procfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    found = {}
    for line in lines:
        name, _, command = line.partition(":")
        found[name] = check_command(shlex.split(_defaults(command)))
    assert found == {
        "web": ["gunicorn opencraft_ops.wsgi"],
        "worker": ["celery worker"],
        "beat": ["celery beat opencraft_ops.beat_scheduler.Scheduler"],
    }


def test_env_example_lists_every_variable_the_settings_read() -> None:
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (BASE_DIR / ".env.example").read_text(), re.M))
    assert SETTINGS_VARIABLES - listed == set()


@pytest.mark.parametrize("command", [["celery", "--app=nowhere", "worker"], ["python", "manage.py", "nope"]])
def test_the_checker_notices_a_wrong_command(command: list[str]) -> None:
    with pytest.raises((AssertionError, ModuleNotFoundError)):
        check_command(command)


def test_operations_docs_describe_every_variable_the_settings_read() -> None:
    docs = (BASE_DIR / "docs" / "operations.md").read_text()
    assert {v for v in SETTINGS_VARIABLES if f"`{v}`" not in docs} == set()
