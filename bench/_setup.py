"""Shared start-up of the benchmarks: production-like settings on a PostgreSQL database of their own.

Every benchmark calls ``setup("ops_<name>")`` before importing models. It

- runs Django the way production does (``DJANGO_DEBUG=0``: cached templates, no debug
  toolbar of queries kept in memory), without the HTTPS redirect the test client cannot follow;
- uses ``DATABASE_URL`` when it is set, else ``postgres://postgres@127.0.0.1:5432/<default_db>``;
- creates that database when it is missing (a fresh machine has none), migrates it and
  collects the static files (the manifest the production storage needs to render a page).

It also holds the helpers the page benchmarks share: ``measure()`` (median time and query
count of a page through the full Django stack) and ``bench_line()`` (one figure as a
``BENCH {...}`` JSON line).

A benchmark measures; it never asserts a timing.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def setup(default_db: str, *, migrate: bool = True) -> str:
    """Configure and start Django for a benchmark; returns the database URL in use."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{default_db}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencraft_ops.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("CACHE_USE_REDIS", "0")
    url = os.environ["DATABASE_URL"]
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"The benchmarks need PostgreSQL; DATABASE_URL is {url!r}.")
    _create_database(url)

    import django

    django.setup()
    import logging

    from django.core.management import call_command

    # Eager Celery tasks log a line each; the figures are what the reader came for.
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    if migrate:
        call_command("migrate", verbosity=0)
    # Production serves hashed static files from a manifest; pages cannot render without it.
    call_command("collectstatic", interactive=False, verbosity=0)
    return url


def _create_database(url: str) -> None:
    """CREATE DATABASE when the benchmark's database does not exist yet."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    cfg = dj_database_url.parse(url)
    params = {
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
    }
    name = str(cfg["NAME"])
    conn = psycopg2.connect(dbname="postgres", **{k: v for k, v in params.items() if v})
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"created database {name}")
    finally:
        conn.close()


def measure(client: Client, url: str, repeat: int) -> tuple[int, float]:
    """GETs ``url`` once to warm the template and settings caches, then ``repeat`` times;
    returns (the SQL query count of a request, the median time in ms).

    Any answer other than 200 stops the benchmark: a redirect or an error page would be
    measured instead of the page.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _check(url, client.get(url).status_code)
    timings: list[float] = []
    queries = 0
    for _ in range(repeat):
        # CaptureQueriesContext keeps the test client's request_started from resetting the log.
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        _check(url, response.status_code)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(timings)


def _check(url: str, status: int) -> None:
    if status != 200:
        raise SystemExit(f"GET {url} answered {status}, not 200: nothing to measure.")


def bench_line(bench: str, figure: str, size: int, value: float, unit: str) -> None:
    """Prints one figure as ``BENCH {"bench": ..., "figure": ..., "size": ..., "value": ..., "unit": ...}``."""
    print(
        "BENCH " + json.dumps({"bench": bench, "figure": figure, "size": size, "value": value, "unit": unit})
    )
