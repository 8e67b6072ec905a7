"""Strict readers for settings that come from environment variables.

Every reader raises ``ImproperlyConfigured`` naming the variable and the value
it could not parse, so a typo in a deployment stops the process at start-up
with a message that says what to fix, instead of misbehaving later.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_decimal(name: str, default: Decimal) -> Decimal:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a decimal number.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str = "") -> str:
    """An http(s) URL without a trailing slash, or "" when unset."""
    value = _raw(name)
    if value is None or value == "":
        return default
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ImproperlyConfigured(f"{name}={value!r} is not an http(s) URL.")
    return value.rstrip("/")


def env_mapping(name: str, default: dict[str, str] | None = None) -> dict[str, str]:
    """``key=value`` pairs separated by commas, e.g. ``CLIENT=client,DEV=internal_cell``."""
    value = _raw(name)
    if value is None or value == "":
        return dict(default or {})
    result: dict[str, str] = {}
    for pair in value.split(","):
        if not pair.strip():
            continue
        key, sep, mapped = pair.partition("=")
        if not sep or not key.strip() or not mapped.strip():
            raise ImproperlyConfigured(
                f"{name}: {pair.strip()!r} is not a key=value pair (expected e.g. CLIENT=client)."
            )
        result[key.strip()] = mapped.strip()
    return result
