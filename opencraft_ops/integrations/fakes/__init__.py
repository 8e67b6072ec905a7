"""Fake JIRA and Tempo servers on loopback, for tests, the demo and the benchmark.

    with FakeServers.start(spec) as fakes:
        fakes.jira.url, fakes.tempo.url      # point JIRA_BASE_URL / TEMPO_BASE_URL here
        fakes.jira.app.update_issue("BB-3", story_points=5)
        fakes.tempo.server.faults.add(path="/4/worklogs", status=429)

``python -m opencraft_ops.integrations.fakes --port 8090`` serves both from one
process (JIRA on the port, Tempo on the port + 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from opencraft_ops.integrations.fakes.data import BoardSpec, Dataset, DatasetSpec, MemberSpec, generate
from opencraft_ops.integrations.fakes.jira import FakeJira
from opencraft_ops.integrations.fakes.server import FakeServer, Fault
from opencraft_ops.integrations.fakes.tempo import FakeTempo

__all__ = [
    "BoardSpec",
    "Dataset",
    "DatasetSpec",
    "FakeJira",
    "FakeJiraServer",
    "FakeServers",
    "FakeTempo",
    "FakeTempoServer",
    "Fault",
    "MemberSpec",
    "generate",
]


@dataclass
class FakeJiraServer:
    app: FakeJira
    server: FakeServer

    @property
    def url(self) -> str:
        """The value for JIRA_BASE_URL."""
        return self.server.url

    @property
    def faults(self):  # type: ignore[no-untyped-def]
        return self.server.faults

    @classmethod
    def start(cls, app: FakeJira | None = None, *, port: int = 0) -> FakeJiraServer:
        app = app or FakeJira()
        return cls(app=app, server=FakeServer(app, port=port).start())

    def stop(self) -> None:
        self.server.stop()


@dataclass
class FakeTempoServer:
    app: FakeTempo
    server: FakeServer

    @property
    def url(self) -> str:
        """The value for TEMPO_BASE_URL (Tempo's API lives under /4)."""
        return f"{self.server.url}/4"

    @property
    def faults(self):  # type: ignore[no-untyped-def]
        return self.server.faults

    @classmethod
    def start(cls, app: FakeTempo | None = None, *, port: int = 0) -> FakeTempoServer:
        app = app or FakeTempo()
        return cls(app=app, server=FakeServer(app, port=port).start())

    def stop(self) -> None:
        self.server.stop()


@dataclass
class FakeServers:
    jira: FakeJiraServer
    tempo: FakeTempoServer
    dataset: Dataset

    @classmethod
    def start(
        cls, spec: DatasetSpec | None = None, *, jira_port: int = 0, tempo_port: int = 0
    ) -> FakeServers:
        dataset = generate(spec) if spec is not None else Dataset()
        jira, tempo = FakeJira(), FakeTempo()
        jira.load(dataset)
        tempo.load(dataset)
        return cls(
            jira=FakeJiraServer.start(jira, port=jira_port),
            tempo=FakeTempoServer.start(tempo, port=tempo_port),
            dataset=dataset,
        )

    def stop(self) -> None:
        self.jira.stop()
        self.tempo.stop()

    def __enter__(self) -> FakeServers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
