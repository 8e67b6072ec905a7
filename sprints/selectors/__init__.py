"""Read queries of the sprints app. Capacity inputs are aggregated in SQL here and
turned into figures by the pure functions of ``sprints.calculations.capacity``.

- ``common``: settings-derived helpers (review table, cutoff day, finished statuses), lookups;
- ``capacity``: the members of a cell in a sprint and their capacity inputs and rows;
- ``tickets``: injections, non-green, unestimated, unfinished tickets;
- ``spillovers``: the wrap-up;
- ``board``: the cell sprint board;
- ``completion``: the sprint completion plan.

Every name is re-exported here, so ``sprints.selectors.board`` and friends keep working.
"""

from sprints.selectors.board import Board, BoardRow, board
from sprints.selectors.capacity import (
    SprintMember,
    capacity_inputs,
    capacity_rows,
    cell_members,
    member_capacity,
)
from sprints.selectors.common import (
    DECIMAL,
    INJECTION_ACCEPTED_LABEL,
    cell_by_slug,
    cutoff_day,
    finished_statuses,
    portal_tz,
    review_table,
    sprint_numbers_around,
    sprint_row,
    unestimated_filter,
)
from sprints.selectors.completion import (
    CompletionPlan,
    completion_plan,
    completion_progress,
    completion_status,
    sprint_to_complete,
)
from sprints.selectors.spillovers import WrapUp, spillover_for_explanation, spillovers_for, wrap_up
from sprints.selectors.tickets import (
    MemberTicket,
    TicketLine,
    injection_threshold,
    injections,
    is_accepted,
    member_ticket_rows,
    member_tickets,
    not_green_tickets,
    ticket_counts_by_status,
    ticket_is_injection,
    tickets_base,
    unestimated_tickets,
    unfinished_tickets,
)
from sprints.selectors.updates import PostedUpdate, UpdateLine, update_lines, updates_by_member

__all__ = [
    "DECIMAL",
    "INJECTION_ACCEPTED_LABEL",
    "Board",
    "BoardRow",
    "CompletionPlan",
    "MemberTicket",
    "PostedUpdate",
    "SprintMember",
    "TicketLine",
    "UpdateLine",
    "WrapUp",
    "board",
    "capacity_inputs",
    "capacity_rows",
    "cell_by_slug",
    "cell_members",
    "completion_plan",
    "completion_progress",
    "completion_status",
    "cutoff_day",
    "finished_statuses",
    "injection_threshold",
    "injections",
    "is_accepted",
    "member_capacity",
    "member_ticket_rows",
    "member_tickets",
    "not_green_tickets",
    "portal_tz",
    "review_table",
    "spillover_for_explanation",
    "spillovers_for",
    "sprint_numbers_around",
    "sprint_row",
    "sprint_to_complete",
    "ticket_counts_by_status",
    "ticket_is_injection",
    "tickets_base",
    "unestimated_filter",
    "unestimated_tickets",
    "unfinished_tickets",
    "update_lines",
    "updates_by_member",
    "wrap_up",
]
