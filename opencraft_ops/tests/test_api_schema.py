"""The OpenAPI schema tells the truth: schemathesis generates requests for every
operation from ``/api/schema/`` and sends them, as a member and as staff, to a
live server on the test database. Any 500, or an answer the schema does not
describe (status code, content type, body), fails the build. Bounded examples
keep it to about a minute or two; run it alone with ``-m schemathesis``."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from roles.auth import token_issue

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_operation_answers_as_the_schema_says(
    live_server: Any, core_member: Any, staff_user: Any, capsys: Any
) -> None:
    tokens = {
        "member": token_issue(core_member.user)[0],
        "staff": token_issue(staff_user)[0],
    }
    raw = requests.get(
        f"{live_server.url}/api/schema/?format=json",
        headers={"Authorization": f"Token {tokens['staff']}"},
        timeout=30,
    ).json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is valid
        operations.append(result.ok())
    cases: Counter[str] = Counter()
    failures: list[str] = []
    session = requests.Session()

    def run_operation(operation: Any, label: str, headers: dict[str, str]) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            cases[label] += 1
            response = case.call(base_url=live_server.url, session=session, headers=headers, timeout=30)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # every failure is collected, reported below
                failures.append(f"{label}: {response.status_code} {str(exc)[:600]}")

        run()

    for persona, token in tokens.items():
        for operation in operations:
            run_operation(operation, f"{persona} {operation.label}", {"Authorization": f"Token {token}"})

    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations, {sum(cases.values())} cases "
            f"({EXAMPLES} examples max per operation, as a member and as staff), {len(failures)} failures"
        )
    assert failures == [], "\n\n".join(failures[:60])
