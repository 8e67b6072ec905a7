"""Schema post-processing: what every API operation may answer besides its own
documented success, so the OpenAPI schema describes every answer the API gives
(checked by schemathesis in ``opencraft_ops/tests/test_api_schema.py``)."""

from __future__ import annotations

from typing import Any

from opencraft_ops.api_router import ID_REGEX

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: ``detail`` with a message, or one list of messages per field.",
    "additionalProperties": True,
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
ERRORS = {
    "400": "Bad input: a message per field (or ``detail``).",
    "401": "Not authenticated (``WWW-Authenticate: Token``).",
    "403": "Not allowed for the caller.",
    "404": "No such object, or not visible to the caller.",
}
MAX_ID = 10**18 - 1  # what ``ID_REGEX`` lets through


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Documents 400/401/403/404 (JSON) on every operation and bounds integer path ids."""
    assert ID_REGEX == "[0-9]{1,18}"
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ERRORS.items():
                operation["responses"].setdefault(code, {"description": description, "content": _ERROR})
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 0)
                    schema.setdefault("maximum", MAX_ID)
    return result
