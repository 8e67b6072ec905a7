"""pytest fixtures: the fake JIRA and Tempo on loopback, with the settings pointed at them.

Registered in the root conftest.py with
``pytest_plugins = ["opencraft_ops.integrations.fakes.fixtures"]``.

* ``fake_jira``: a running :class:`FakeJiraServer` (empty; add boards and issues
  through ``fake_jira.app``), with JIRA_BASE_URL/JIRA_USER/JIRA_API_TOKEN set for the
  test. ``jira_client()`` from ``opencraft_ops.integrations.config`` then talks to it.
* ``fake_tempo``: the same for Tempo (TEMPO_BASE_URL/TEMPO_API_TOKEN).
Both set HTTP_MAX_RETRY_DELAY_SECONDS=1 and HTTP_TIMEOUT_SECONDS=5 so injected
faults cost seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from opencraft_ops.integrations.fakes import FakeJiraServer, FakeTempoServer


@pytest.fixture
def fake_jira(settings: Any) -> Iterator[FakeJiraServer]:
    server = FakeJiraServer.start()
    settings.JIRA_BASE_URL = server.url
    settings.JIRA_USER = server.app.user
    settings.JIRA_API_TOKEN = server.app.token
    settings.HTTP_MAX_RETRY_DELAY_SECONDS = 1
    settings.HTTP_TIMEOUT_SECONDS = 5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_tempo(settings: Any) -> Iterator[FakeTempoServer]:
    server = FakeTempoServer.start()
    settings.TEMPO_BASE_URL = server.url
    settings.TEMPO_API_TOKEN = server.app.token
    settings.HTTP_MAX_RETRY_DELAY_SECONDS = 1
    settings.HTTP_TIMEOUT_SECONDS = 5
    try:
        yield server
    finally:
        server.stop()
