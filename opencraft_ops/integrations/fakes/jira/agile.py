"""The fake JIRA's Agile 1.0 endpoints: boards, sprints and moving issues into a sprint.

Sprint updates follow Atlassian's rules. ``PUT /sprint/{id}`` is a full update (fields left
out become empty, so ``name`` and ``state`` are required); ``POST /sprint/{id}`` is a partial
update (fields left out keep their value). A sprint starts (``state: active``) only from
``future`` and with both dates; it completes (``state: closed``) only from ``active``, which
sets ``completeDate``; no other state change is allowed, and a closed sprint cannot be updated
(on Cloud its name and goal still can, other fields are ignored). Refusals are 400s with
``errorMessages``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opencraft_ops.integrations.fakes.jira.render import board_json, sprint_json
from opencraft_ops.integrations.fakes.jira_schema import AGILE_MAX, MOVE_MAX, parse_time
from opencraft_ops.integrations.fakes.server import FakeRequest, FakeResponse, json_error

if TYPE_CHECKING:
    from opencraft_ops.integrations.fakes.jira.app import FakeJira

STATES = ("future", "active", "closed")


def agile_page(request: FakeRequest, values: list[dict[str, Any]]) -> FakeResponse:
    start = request.int_arg("startAt", 0)
    limit = min(request.int_arg("maxResults", AGILE_MAX), AGILE_MAX)
    page = values[start : start + limit]
    return FakeResponse(
        200,
        {
            "maxResults": limit,
            "startAt": start,
            "total": len(values),
            "isLast": start + limit >= len(values),
            "values": page,
        },
    )


def boards(app: FakeJira, request: FakeRequest) -> FakeResponse:
    rows = [board_json(b, request.base_url) for b in sorted(app.boards.values(), key=lambda b: b["id"])]
    return agile_page(request, rows)


def board_sprints(app: FakeJira, request: FakeRequest, board_id: int) -> FakeResponse:
    if board_id not in app.boards:
        return json_error(
            404, f"Board {board_id} does not exist or you do not have permission to see it.", jira=True
        )
    states = {s.strip() for s in (request.arg("state") or "").split(",") if s.strip()}
    unknown = states - set(STATES)
    if unknown:
        return json_error(400, f"Unknown sprint state {sorted(unknown)}", jira=True)
    rows = [
        sprint_json(s, request.base_url)
        for s in sorted(app.sprints.values(), key=lambda s: s["id"])
        if s["originBoardId"] == board_id and (not states or s["state"] in states)
    ]
    return agile_page(request, rows)


def create_sprint(app: FakeJira, request: FakeRequest) -> FakeResponse:
    body = request.body if isinstance(request.body, dict) else {}
    name = body.get("name")
    board_id = body.get("originBoardId")
    if not name or board_id not in app.boards:
        return FakeResponse(
            400,
            {"errorMessages": [], "errors": {"originBoardId": "A valid board and a name are required."}},
        )
    sprint = app.new_sprint(
        name=name,
        board_id=board_id,
        start=parse_time(body.get("startDate")),
        end=parse_time(body.get("endDate")),
        goal=body.get("goal") or "",
    )
    return FakeResponse(201, sprint_json(sprint, request.base_url))


def sprint_operation(request: FakeRequest) -> str:
    """What a PUT/POST on a sprint does, for the lost-answer faults: start, close or update."""
    body = request.body if isinstance(request.body, dict) else {}
    state = body.get("state")
    return {"active": "start_sprint", "closed": "close_sprint"}.get(str(state), "update_sprint")


def _refused(message: str) -> FakeResponse:
    return json_error(400, message, jira=True)


def sprint(app: FakeJira, request: FakeRequest, sprint_id: int) -> FakeResponse:
    record = app.sprints.get(sprint_id)
    if record is None:
        return json_error(404, f"Sprint {sprint_id} does not exist.", jira=True)
    if request.method == "GET":
        return FakeResponse(200, sprint_json(record, request.base_url))
    if request.method not in ("PUT", "POST"):
        return json_error(405, "Method not allowed", jira=True)
    body = request.body if isinstance(request.body, dict) else {}
    partial = request.method == "POST"
    current = record["state"]
    if current == "closed":
        if app.deployment != "Cloud":
            return _refused(f"Sprint {sprint_id} is closed: a closed sprint cannot be updated.")
        for field in ("name", "goal"):  # Cloud: only these change; the rest is ignored
            if field in body and (field == "goal" or body[field]):
                record[field] = body[field] or ""
        return FakeResponse(200, sprint_json(record, request.base_url))
    state: Any
    name: Any
    goal: Any
    if partial:
        state = body.get("state", current)
        name = body.get("name", record["name"])
        goal = body.get("goal", record.get("goal") or "")
        start = parse_time(body["startDate"]) if "startDate" in body else record.get("startDate")
        end = parse_time(body["endDate"]) if "endDate" in body else record.get("endDate")
    else:
        state, name, goal = body.get("state"), body.get("name"), body.get("goal") or ""
        start, end = parse_time(body.get("startDate")), parse_time(body.get("endDate"))
        if not state:
            return FakeResponse(400, {"errorMessages": [], "errors": {"state": "The state is required."}})
    if not name:
        return FakeResponse(400, {"errorMessages": [], "errors": {"name": "The sprint name is required."}})
    if state not in STATES:
        return _refused(f"Unknown sprint state '{state}'.")
    starting = state == "active" and (current != "active" or (partial and "state" in body))
    if starting and current != "future":
        return _refused(f"Sprint {sprint_id} is {current}: only a future sprint can be started.")
    if state == "closed" and current != "active":
        return _refused(f"Sprint {sprint_id} is {current}: only an active sprint can be completed.")
    if state == "future" and current != "future":
        return _refused(f"Sprint {sprint_id} has started: it cannot go back to the future state.")
    if state == "active" and (start is None or end is None):
        return FakeResponse(
            400, {"errorMessages": [], "errors": {"startDate": "A sprint needs a start and an end date."}}
        )
    if start is not None and end is not None and end < start:
        return FakeResponse(
            400, {"errorMessages": [], "errors": {"endDate": "The end date must be after the start date."}}
        )
    now = app.clock()
    if starting:
        record["activatedDate"] = now
    if state == "closed":
        record["completeDate"] = now  # set by JIRA; a completeDate in the request is ignored
    record.update({"state": state, "name": name, "goal": goal, "startDate": start, "endDate": end})
    return FakeResponse(200, sprint_json(record, request.base_url))


def move_issues(app: FakeJira, request: FakeRequest, sprint_id: int) -> FakeResponse:
    record = app.sprints.get(sprint_id)
    if record is None:
        return json_error(404, f"Sprint {sprint_id} does not exist.", jira=True)
    if record["state"] == "closed":
        return json_error(400, "Cannot move issues to a closed sprint.", jira=True)
    keys = (request.body or {}).get("issues") if isinstance(request.body, dict) else None
    if not isinstance(keys, list) or not keys:
        return json_error(400, "issues is required", jira=True)
    if len(keys) > MOVE_MAX:
        return json_error(400, f"At most {MOVE_MAX} issues can be moved at once.", jira=True)
    issues = [app.find(str(k)) for k in keys]
    missing = [k for k, r in zip(keys, issues, strict=True) if r is None]
    if missing:
        return json_error(400, f"Issues do not exist: {', '.join(map(str, missing))}", jira=True)
    for issue in issues:
        assert issue is not None
        kept = [s for s in issue.get("sprint_ids") or [] if app.sprints.get(s, {}).get("state") == "closed"]
        issue["sprint_ids"] = [*kept, sprint_id]
        issue["updated"] = app.clock()
    app.moves.append((sprint_id, [str(k) for k in keys]))
    return FakeResponse(204, None)
