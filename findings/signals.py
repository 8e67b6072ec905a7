"""Which writes make a cell's findings stale, and queuing their re-evaluation.

Any save or delete of a model of the apps whose data the process checks read marks a
*token*: the row's cell when it has one, its member when it has one (resolved to the
member's cell when the evaluation is queued), else "everything". The tokens of one
transaction are queued once, after it commits (``transaction.on_commit``), and the
queue is debounced per cell (``findings.tasks.request_evaluation``): a burst of writes
costs one evaluation. The handler itself runs no query, so write paths keep their counts.

Bulk writes send no signal; the sync evaluates everything after each run and the beat
every few minutes, which also catches the rules that depend on the clock.

With eager Celery (the demo, the tests) the evaluation runs inline at the commit. Tests
never commit (each runs inside a transaction), so the pages reading findings call
:func:`flush_pending` first when Celery is eager: a test sees its writes' findings at once.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

# Sent (after the commit) with ``finding_ids``: the findings an evaluation opened.
findings_opened = Signal()
# Sent at the end of each evaluation with ``cell_ids`` (the cells evaluated) and ``as_of``:
# what the apps keep per cell for their pages is refreshed with the findings (the home page's
# sustainability figure, ``sustainability.apps``).
cells_evaluated = Signal()

# The apps whose rows the registered process checks read.
WATCHED_APPS = frozenset({"roles", "sprints", "epics", "rotations", "sustainability", "duties"})
# Rows no rule reads: logs, snapshots, the digest ledger, webhook deliveries.
IGNORED_MODELS = frozenset(
    {
        "duties.findingsnapshot",
        "duties.digestsent",
        "rotations.webhookdelivery",
        "rotations.webhookendpoint",
        "rotations.calendarfeed",
        "sustainability.alertcrossing",
    }
)

Token = tuple[str, int | None]
ALL: Token = ("all", None)

_state = threading.local()


def _pending() -> set[Token]:
    pending: set[Token] | None = getattr(_state, "pending", None)
    if pending is None:
        pending = set()
        _state.pending = pending
    return pending


def token_for(instance: Any) -> Token:
    """The cell a written row may change findings of (as a token resolved later)."""
    if hasattr(instance, "cell_id"):
        cell_id = instance.cell_id
        return ("cell", cell_id) if cell_id is not None else ALL
    if hasattr(instance, "member_id") and instance.member_id is not None:
        return ("member", instance.member_id)
    return ALL


def _on_write(sender: Any, instance: Any, **kwargs: Any) -> None:
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or meta.label_lower in IGNORED_MODELS:
        return
    if meta.model_name.startswith("historical") or kwargs.get("raw") or sender.__module__ == "__fake__":
        # History rows, fixtures loading, and the migrations' frozen models (their data
        # migrations run before this app's tables exist).
        return
    _pending().add(token_for(instance))
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is flush_pending for entry in connection.run_on_commit):
        return
    transaction.on_commit(flush_pending)


def mark_stale(token: Token = ALL) -> None:
    """Marks a token stale by hand (for writes that send no signal) and queues it on commit."""
    _pending().add(token)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is flush_pending for entry in connection.run_on_commit):
        return
    transaction.on_commit(flush_pending)


def has_pending() -> bool:
    return bool(getattr(_state, "pending", None))


def flush_pending() -> None:
    """Queues the evaluation of everything written since the last flush."""
    pending = _pending()
    if not pending:
        return
    tokens = set(pending)
    pending.clear()
    from findings.tasks import request_evaluation

    request_evaluation(tokens)


def discard_pending() -> None:
    """Forgets the stale marks and the flush queued for the commit (tests, benchmarks: the
    rows were rolled back, or evaluated by hand)."""
    _pending().clear()
    connection = transaction.get_connection()
    connection.run_on_commit[:] = [
        entry for entry in connection.run_on_commit if entry[1] is not flush_pending
    ]


def connect() -> None:
    post_save.connect(_on_write, dispatch_uid="findings-stale-on-save")
    post_delete.connect(_on_write, dispatch_uid="findings-stale-on-delete")
