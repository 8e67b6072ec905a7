"""Demo organisation: the handbook's three cells, about twenty members, every role held."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth import get_user_model


def seed(stdout: TextIO) -> None:
    User = get_user_model()
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.com", "admin-password")
    if not User.objects.filter(username="demo").exists():
        User.objects.create_user(
            "demo", "demo@example.com", "demo-password", first_name="Demo", last_name="User"
        )
