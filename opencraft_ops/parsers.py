"""The API's JSON parser: bounded nesting, size and numbers, so a hostile body
gets a 400 naming the problem instead of a 500 (``RecursionError`` on deep
nesting, ``OverflowError`` on ``1e999`` reaching an integer field)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (strings ignored),
    counted without recursion."""
    depth = deepest = 0
    for char in _BRACKET.findall(_STRING.sub("", text)):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ParseError(f"JSON parse error - the number {text[:40]} is out of range.")
    return value


def _no_constant(text: str) -> Any:
    raise ParseError(f"JSON parse error - {text} is not a number JSON allows.")


def _max_body() -> int:
    limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
    return int(limit) if limit else 2_621_440


class SafeJSONParser(JSONParser):
    """JSON bodies up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes and ``MAX_DEPTH``
    levels, with finite numbers only (no ``NaN``, ``Infinity`` or ``1e999``)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = _max_body()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(f"The request body is larger than {limit} bytes.")
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding}.") from exc
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - the body is nested deeper than {MAX_DEPTH} levels.")
        try:
            return json.loads(text, parse_float=_finite_float, parse_constant=_no_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc


__all__ = ["MAX_DEPTH", "SafeJSONParser", "nesting_depth"]
