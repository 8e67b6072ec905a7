"""The hot reads of the sprints app in plain SQL: the capacity inputs of members in one
sprint, and the ticket lines of the board (injections, tickets that are not green).

The sprint board, the member boards, the home page and several process checks read these
on every view. Composed and compiled through the ORM, the statements
cost about as much Python time as the database spends running them (measured by
``bench/sprint_board.py``), so they are fixed SQL strings here: one per input, portable
between PostgreSQL and SQLite (the demo), with only the length of the member-id list
varying. Rows come back as plain tuples; ``_decimal`` and ``_date`` even out what the two
drivers return (PostgreSQL: ``Decimal`` and ``date``; SQLite: numbers and ISO strings).

The rules are the capacity rules of SPEC "Sprints, tickets and capacity", the same as in
``sprints.calculations.capacity``: Stretch Goals are not committed; finished tickets add
no hours; a ticket's hours are its remaining estimate, else its original one; reviews of
tickets in external review, merged or finished need no more time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection

from roles.calculations import display_name
from sprints.calculations.capacity import (
    FINISHED_STATUSES,
    NEWCOMER_REVIEW_FACTOR,
    NO_REVIEW_STATUSES,
    NOT_COMMITTED_STATUSES,
    ReviewTable,
)

Row = tuple[Any, ...]


def as_decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # SQLite sums decimals as floats
        return Decimal(str(round(value, 4)))
    return Decimal(value)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _datetime(value: Any) -> datetime | None:
    """Aware datetimes: PostgreSQL gives them; SQLite keeps naive UTC (text, or a naive
    datetime through Django's converter)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json_list(value: Any) -> list[Any]:
    """A JSON list column (both drivers hand Django's JSON columns back as text)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else list(value)


def _strings(values: Iterable[str]) -> str:
    """A SQL list of string literals for the fixed status sets (quotes doubled)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


def _folded(values: Iterable[str]) -> str:
    """The SQL list of ``values`` lower-cased, to compare with ``LOWER(t.status)``:
    a status in another case counts as the status it names (as ``canonical_status``)."""
    return _strings(v.lower() for v in values)


_OPEN = f"LOWER(t.status) NOT IN ({_folded(FINISHED_STATUSES)})"
_COMMITTED = f"LOWER(t.status) NOT IN ({_folded(NOT_COMMITTED_STATUSES)})"
_REVIEWED = f"LOWER(t.status) NOT IN ({_folded(NO_REVIEW_STATUSES | NOT_COMMITTED_STATUSES)})"


@lru_cache(maxsize=64)
def _commitments_sql(n: int) -> str:
    return (
        "SELECT member_id, since, hours_per_week FROM roles_weeklycommitment "
        f"WHERE member_id IN ({placeholders(n)})"
    )


@lru_cache(maxsize=64)
def _roles_sql(n: int) -> str:
    return (
        "SELECT ra.member_id, r.name, ra.since, ra.until, r.reserved_hours_per_week, "
        "r.reserved_hours_per_month FROM roles_roleassignment ra "
        "JOIN roles_role r ON r.id = ra.role_id "
        f"WHERE ra.member_id IN ({placeholders(n)}) AND ra.since <= %s "
        "AND (ra.until IS NULL OR ra.until >= %s) "
        "AND (r.reserved_hours_per_week > 0 OR r.reserved_hours_per_month > 0) "
        # Rotation roles reserve through the rotation schedule (the rotations reader), never
        # through assignments of their own: one answer, hours counted once.
        "AND r.scope <> 'rotation'"
    )


# The ticket's assignee is a newcomer on their first day in the sprint (its start, twice as a
# parameter, or the day they joined), as ``_members_sql`` types the board's members.
_ASSIGNEE_IS_NEWCOMER = (
    "(SELECT p.member_type FROM roles_membertypeperiod p JOIN roles_member am ON am.id = p.member_id "
    "WHERE p.member_id = t.assignee_id "
    "AND p.since <= CASE WHEN am.joined_on > %s THEN am.joined_on ELSE %s END "
    "ORDER BY p.since DESC LIMIT 1) = 'newcomer'"
)


@lru_cache(maxsize=64)
def _workload_sql(n: int, table: ReviewTable) -> str:
    """Per member of sprint ``number``: what they are assigned (kind 'a') and the review
    hours of what they review (kind 'r'), in one statement: two grouped reads joined by
    ``UNION ALL``, each row naming its kind; a column the kind does not use is NULL."""
    unestimated = (
        "(t.story_points IS NULL OR (NOT t.is_recurring "
        "AND t.remaining_estimate_seconds IS NULL AND t.original_estimate_seconds IS NULL))"
    )
    # The review table comes from parsed settings (finite Decimals, checked by
    # parse_review_table), so its numbers are written as plain decimal literals.
    bands = " ".join(f"WHEN t.story_points <= {bound:f} THEN {hours:f}" for bound, hours in table.bands)
    review_hours = (
        f"SUM((CASE WHEN t.story_points IS NULL THEN {table.unestimated:f} {bands} ELSE {table.above:f} END) "
        f"* (CASE WHEN {_ASSIGNEE_IS_NEWCOMER} THEN {NEWCOMER_REVIEW_FACTOR:f} ELSE 1 END))"
    )
    sprint_tickets = "FROM sprints_ticket t JOIN sprints_sprint s ON s.id = t.sprint_id WHERE s.number = %s"
    return (
        "SELECT 'a', t.assignee_id, "
        f"COALESCE(SUM(CASE WHEN {_OPEN} AND NOT t.is_recurring THEN "
        "COALESCE(t.remaining_estimate_seconds, t.original_estimate_seconds, 0) END), 0), "
        f"COALESCE(SUM(CASE WHEN {_OPEN} AND t.is_recurring THEN t.recurring_hours_per_sprint END), 0), "
        "COUNT(*), COALESCE(SUM(t.story_points), 0), "
        f"SUM(CASE WHEN {_OPEN} AND {unestimated} THEN 1 ELSE 0 END), NULL "
        f"{sprint_tickets} AND t.assignee_id IN ({placeholders(n)}) AND {_COMMITTED} "
        "GROUP BY t.assignee_id "
        "UNION ALL "
        f"SELECT 'r', t.reviewer_id, NULL, NULL, NULL, NULL, NULL, {review_hours} "
        f"{sprint_tickets} AND t.reviewer_id IN ({placeholders(n)}) AND {_REVIEWED} "
        "GROUP BY t.reviewer_id"
    )


def fetch(sql: str, params: Sequence[Any]) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@lru_cache(maxsize=64)
def _members_sql(cells: int | None) -> str:
    scope = "m.cell_id IS NOT NULL"
    if cells is not None:
        scope += f" AND m.cell_id IN ({placeholders(cells)})"
    # The type on the member's first day in the sprint: its start, or the day they joined
    # (a newcomer who starts mid-sprint is a newcomer on that sprint's board).
    first_day = "CASE WHEN m.joined_on > %s THEN m.joined_on ELSE %s END"
    return (
        "SELECT m.id, u.first_name, u.last_name, u.username, m.cell_id, m.joined_on, m.left_on, "
        "(SELECT p.member_type FROM roles_membertypeperiod p WHERE p.member_id = m.id "
        f"AND p.since <= {first_day} ORDER BY p.since DESC LIMIT 1), "
        "(SELECT p.since FROM roles_membertypeperiod p WHERE p.member_id = m.id "
        f"AND p.since <= {first_day} ORDER BY p.since DESC LIMIT 1) "
        "FROM roles_member m JOIN auth_user u ON u.id = m.user_id "
        f"WHERE {scope} AND m.joined_on <= %s AND (m.left_on IS NULL OR m.left_on >= %s) "
        "ORDER BY u.first_name, u.last_name, u.username"
    )


def members(cell_ids: Sequence[int] | None, start: date, end: date) -> list[Row]:
    """(id, name, cell id, joined on, left on, type on their first day in [start, end], start of
    that type) of the members of ``cell_ids`` (every cell when None) active at some point of
    [start, end], by name."""
    cells = None if cell_ids is None else len(cell_ids)
    if cells == 0:
        return []
    params = [start, start, start, start, *(cell_ids or ()), end, start]
    return [
        (
            member_id,
            display_name(first, last, username),
            cell_id,
            as_date(joined),
            as_date(left),
            kind or "",
            as_date(since),
        )
        for member_id, first, last, username, cell_id, joined, left, kind, since in fetch(
            _members_sql(cells), params
        )
    ]


@lru_cache(maxsize=64)
def _time_off_sql(n: int) -> str:
    # The overlap rule of roles.selectors.time_off_by_member.
    return (
        'SELECT member_id, start, "end", hours_per_day FROM roles_timeoff '
        f'WHERE member_id IN ({placeholders(n)}) AND start <= %s AND "end" >= %s'
    )


def time_off(ids: Sequence[int], start: date, end: date) -> list[tuple[int, date, date, Decimal | None]]:
    """(member id, start, end, hours per day or None for whole days) overlapping [start, end]."""
    return [
        (
            member_id,
            as_date(first) or start,
            as_date(last) or end,
            None if hours is None else as_decimal(hours),
        )
        for member_id, first, last, hours in fetch(_time_off_sql(len(ids)), [*ids, end, start])
    ]


def commitments(ids: Sequence[int]) -> list[tuple[int, date, Decimal]]:
    """(member id, since, hours per week) of every commitment change of ``ids``."""
    return [
        (member_id, as_date(since) or date.min, as_decimal(hours))
        for member_id, since, hours in fetch(_commitments_sql(len(ids)), ids)
    ]


def roles(
    ids: Sequence[int], start: date, end: date
) -> list[tuple[int, str, date, date | None, Decimal, Decimal]]:
    """(member id, role name, since, until, hours/week, hours/month) of roles that reserve time."""
    return [
        (
            member_id,
            name,
            as_date(since) or start,
            as_date(until),
            as_decimal(per_week),
            as_decimal(per_month),
        )
        for member_id, name, since, until, per_week, per_month in fetch(
            _roles_sql(len(ids)), [*ids, end, start]
        )
    ]


def workload(
    ids: Sequence[int], number: int, table: ReviewTable, start: date
) -> tuple[dict[int, dict[str, Any]], dict[int, Decimal]]:
    """For ``ids`` in sprint ``number`` starting on ``start`` (one query): per assignee, the
    estimate seconds of their open tickets, recurring hours, tickets, points and unestimated
    open tickets; per reviewer, the hours of review of what they review, from the review
    table, newcomers' tickets with their extra time."""
    assigned: dict[int, dict[str, Any]] = {}
    reviewed: dict[int, Decimal] = {}
    for kind, member_id, seconds, recurring, tickets, points, unestimated, review in fetch(
        _workload_sql(len(ids), table), [number, *ids, start, start, number, *ids]
    ):
        if kind == "a":
            assigned[member_id] = {
                "ticket_seconds": int(seconds or 0),
                "recurring": as_decimal(recurring),
                "tickets": int(tickets),
                "points": as_decimal(points),
                "unestimated": int(unestimated or 0),
            }
        else:
            reviewed[member_id] = as_decimal(review)
    return assigned, reviewed


# --- Ticket lines ----------------------------------------------------------------------------

_LINE_SELECT = (
    "SELECT t.key, t.summary, t.status, t.cell_id, c.slug, t.story_points, "
    "t.assignee_id, au.first_name, au.last_name, au.username, t.reviewer_id, "
    "e.key, e.owner_id, ou.first_name, ou.last_name, ou.username, "
    "t.added_to_sprint_at, t.injection_accepted, t.labels "
    "FROM sprints_ticket t JOIN sprints_sprint s ON s.id = t.sprint_id "
    "LEFT JOIN roles_cell c ON c.id = t.cell_id "
    "LEFT JOIN roles_member am ON am.id = t.assignee_id "
    "LEFT JOIN auth_user au ON au.id = am.user_id "
    "LEFT JOIN epics_epic e ON e.id = t.epic_id "
    "LEFT JOIN roles_member om ON om.id = e.owner_id "
    "LEFT JOIN auth_user ou ON ou.id = om.user_id "
)


@lru_cache(maxsize=64)
def _injections_sql(cells: int | None) -> str:
    where = "WHERE s.number = %s AND t.added_to_sprint_at >= %s"
    if cells is not None:
        where += f" AND t.cell_id IN ({placeholders(cells)})"
    return _LINE_SELECT + where + " ORDER BY t.key"


@lru_cache(maxsize=64)
def _not_green_sql(cells: int | None) -> str:
    where = (
        f"WHERE s.number = %s AND LOWER(t.status) NOT IN ({_folded(NOT_COMMITTED_STATUSES | FINISHED_STATUSES)}) "
        "AND (t.story_points IS NULL OR t.assignee_id IS NULL OR t.reviewer_id IS NULL)"
    )
    if cells is not None:
        where += f" AND t.cell_id IN ({placeholders(cells)})"
    return _LINE_SELECT + where + " ORDER BY t.priority_category, t.key"


def ticket_lines(
    which: str, *, number: int, cell_ids: Sequence[int] | None, since: datetime | None = None
) -> list[Row]:
    """Rows for ``TicketLine`` (in its field order): ``which`` is "injections" (tickets of
    sprint ``number`` added at or after ``since``) or "not_green"."""
    cells = None if cell_ids is None else len(cell_ids)
    if cells == 0:
        return []
    if which == "injections":
        # As the ORM would store it: SQLite compares naive UTC text, so the aware bound must be too.
        bound = connection.ops.adapt_datetimefield_value(since)
        sql, params = _injections_sql(cells), [number, bound, *(cell_ids or ())]
    else:
        sql, params = _not_green_sql(cells), [number, *(cell_ids or ())]
    return [
        (
            key,
            summary,
            status,
            cell_id,
            cell_slug,
            None if points is None else as_decimal(points),
            assignee_id,
            display_name(a_first, a_last, a_user),
            reviewer_id,
            epic_key,
            owner_id,
            display_name(o_first, o_last, o_user),
            _datetime(added),
            bool(accepted),
            tuple(_json_list(labels)),
        )
        for (
            key,
            summary,
            status,
            cell_id,
            cell_slug,
            points,
            assignee_id,
            a_first,
            a_last,
            a_user,
            reviewer_id,
            epic_key,
            owner_id,
            o_first,
            o_last,
            o_user,
            added,
            accepted,
            labels,
        ) in fetch(sql, params)
    ]
