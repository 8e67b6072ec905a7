from __future__ import annotations

from datetime import date

import pytest

from opencraft_ops.integrations.fakes import BoardSpec, DatasetSpec, MemberSpec, generate

TODAY = date(2026, 11, 25)


@pytest.fixture
def spec() -> DatasetSpec:
    return DatasetSpec(
        members=tuple(MemberSpec(f"acc-{i}", board_id=1 + i % 2) for i in range(6)),
        boards=(BoardSpec(1, "BB", "Bebop"), BoardSpec(2, "FAL", "Falcon")),
        today=TODAY,
        history_days=15,
        seed=7,
    )


class Sleeps(list[float]):
    """Records the waits the clients ask for instead of spending them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def loaded_tempo(fake_tempo, spec):
    fake_tempo.app.load(generate(spec))
    return fake_tempo


@pytest.fixture
def loaded_jira(fake_jira, spec):
    fake_jira.app.load(generate(spec))
    return fake_jira
