"""Tokens handed out before digests were stored keep working: the migration turns every
stored token into its digest in place (no row lost), and the raw token still signs in."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from roles.auth import token_digest

BEFORE = [
    ("roles", "0005_alter_historicalmembertypeperiod_since_and_more"),
    ("authtoken", "0004_alter_tokenproxy_options"),
]
AFTER = [("roles", "0006_api_tokens_stored_as_digests")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_tokens_become_digests_and_still_sign_in() -> None:
    try:
        apps = _migrate(BEFORE)
        User = apps.get_model("auth", "User")
        Token = apps.get_model("authtoken", "Token")
        raws = {}
        for name in ("ana", "ben", "cy"):
            user = User.objects.create(username=name, is_active=True)
            raws[name] = Token.objects.create(user=user, key=f"{name:x<8}".replace("x", "0") + "f" * 32).key
        _migrate(AFTER)
        rows = dict(Token.objects.values_list("user__username", "key"))
        assert rows == {name: token_digest(raw) for name, raw in raws.items()}
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(list(executor.loader.graph.leaf_nodes()))
    # With today's code: the token handed out before the migration is still accepted.
    answer = Client().get("/api/cells/", HTTP_AUTHORIZATION=f"Token {raws['ana']}")
    assert answer.status_code == 200, answer.content
