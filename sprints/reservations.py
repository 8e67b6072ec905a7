"""Hours that apps above ``sprints`` reserve in a member's sprint: the rotations they are on
(``rotations``) and the epics they own (``epics``).

Those apps import ``sprints``, so ``sprints`` cannot import them back. Each registers its
reader here when Django starts (its ``AppConfig.ready``), the way process checks are
registered; the capacity selectors call the readers and know nothing else of those apps.
Without a registered reader a member reserves nothing for it (an app left out of
``INSTALLED_APPS``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

# (member id, rotation kind, first day, last day, reserved hours) of the rotations of
# ``ids`` that overlap ``start..end``.
RotationsReader = Callable[[Sequence[int], date, date], list[tuple[int, str, date, date, Decimal]]]
# Per member id: how many epics they own that are not done.
OwnedEpicsReader = Callable[[Sequence[int]], dict[int, int]]


def _no_rotations(ids: Sequence[int], start: date, end: date) -> list[tuple[int, str, date, date, Decimal]]:
    return []


def _no_epics(ids: Sequence[int]) -> dict[int, int]:
    return {}


@dataclass
class _Readers:
    rotations: RotationsReader = _no_rotations
    rotation_labels: Mapping[str, str] = field(default_factory=dict)
    owned_epics: OwnedEpicsReader = _no_epics


readers = _Readers()


def register_rotations(reader: RotationsReader, *, labels: Mapping[str, str]) -> None:
    """Called by the rotations app: how to read rotations, and their readable names."""
    readers.rotations = reader
    readers.rotation_labels = dict(labels)


def register_owned_epics(reader: OwnedEpicsReader) -> None:
    """Called by the epics app: how to count the open epics a member owns."""
    readers.owned_epics = reader
