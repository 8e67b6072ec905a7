"""Listeners to the apps below: a finding opened is told to its addressees."""

from __future__ import annotations

from typing import Any


def on_findings_opened(sender: Any, finding_ids: list[int], **kwargs: Any) -> None:
    from notifications import tasks

    tasks.notify_findings.delay(finding_ids)
