"""Logging filters: secrets that travel in URLs (calendar feed tokens) never
reach the logs (Django's request and runserver access logs included)."""

from __future__ import annotations

import logging
import re

# /rotations/ical/<token>.ics: calendar clients cannot log in, so the token is the key.
_FEED_TOKEN = re.compile(r"(/ical/)[^/?#\s\"]+(\.ics)")


def redact(text: str) -> str:
    return _FEED_TOKEN.sub(r"\1[redacted]\2", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record whose message holds a feed URL with the token masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
