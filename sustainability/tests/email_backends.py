"""An email backend for tests: the locmem outbox, failing on chosen messages."""

from __future__ import annotations

from collections.abc import Sequence
from smtplib import SMTPServerDisconnected
from typing import Any, ClassVar

from django.core.mail.backends import locmem


class FailingOnNth(locmem.EmailBackend):
    """Counts every message it is asked to send (across connections) and refuses
    those whose number is in ``fail_on``, as an SMTP server hanging up would;
    the others reach ``django.core.mail.outbox``. Reset with ``reset(...)``."""

    attempts: ClassVar[int] = 0
    fail_on: ClassVar[frozenset[int]] = frozenset()

    @classmethod
    def reset(cls, *, fail_on: Sequence[int]) -> None:
        cls.attempts = 0
        cls.fail_on = frozenset(fail_on)

    def send_messages(self, messages: Sequence[Any]) -> int:
        for _ in messages:
            type(self).attempts += 1
            if type(self).attempts in self.fail_on:
                raise SMTPServerDisconnected(f"message {type(self).attempts}: the mail server hung up")
        return super().send_messages(messages)
