"""The connection check ("doctor"): what the sync will do with the configured credentials.

Connects to JIRA and Tempo as the sync would and reports, without writing anything: the JIRA
user and the time zone JQL dates are written in, each cell's board and its project, the fields
read (with their ids, and whether the sampled issues have values in them), the workflow
statuses and how they map, the Tempo accounts and the cells they go to. Every problem is
named with how to fix it. Used by ``manage.py integrations_check`` and the sync page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from opencraft_ops.integrations import config
from opencraft_ops.integrations.http import AuthError, IntegrationError, TransportError
from opencraft_ops.integrations.jira import JiraClient, JiraFieldIds, JiraIssue, issues_jql
from opencraft_ops.integrations.jira_types import story_points_fields
from roles.models import Cell, Member
from sustainability.models import AccountCategory
from sync.calculations import epic_status_for, ticket_status_for
from sync.models import JiraStatus
from sync.services.tempo import account_category, account_cell

SAMPLE_ISSUES = 100  # the most recently updated issues of the cells' projects, read to check the fields

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    level: str  # error: the sync fails or stores wrong figures; warning: worth a look
    text: str
    fix: str


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def error(self, text: str, fix: str) -> None:
        self.problems.append(Problem(ERROR, text, fix))

    def warn(self, text: str, fix: str) -> None:
        self.problems.append(Problem(WARNING, text, fix))


@dataclass
class Report:
    sections: list[Section] = field(default_factory=list)

    def add(self, title: str) -> Section:
        section = Section(title)
        self.sections.append(section)
        return section

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.sections for p in s.problems]

    @property
    def errors(self) -> int:
        return sum(p.level == ERROR for p in self.problems)


def _connection_problem(section: Section, service: str, exc: IntegrationError, hint: str) -> None:
    if isinstance(exc, AuthError):
        fix = hint
    elif isinstance(exc, TransportError):
        fix = f"check {service.upper()}_BASE_URL and that this machine can reach it"
    else:
        fix = f"check {service.upper()}_BASE_URL points at the {service} site"
    section.error(str(exc), fix)


def integrations_check(*, sample: int = SAMPLE_ISSUES) -> Report:
    report = Report()
    _jira(report, sample)
    _tempo(report)
    return report


# --- JIRA ------------------------------------------------------------------------
def _jira(report: Report, sample: int) -> None:
    section = report.add("JIRA connection")
    if not config.jira_configured():
        section.error(
            "JIRA_BASE_URL is not set: the JIRA sync is off.",
            "set JIRA_BASE_URL, JIRA_USER and JIRA_API_TOKEN",
        )
        return
    section.lines.append(f"site: {settings.JIRA_BASE_URL}")
    try:
        client = config.jira_client()
    except IntegrationError as exc:
        _connection_problem(section, "Jira", exc, "check JIRA_USER (the bot's e-mail) and JIRA_API_TOKEN")
        return
    try:
        section.lines.append(f"deployment: {'Cloud' if client.is_cloud else 'Server / Data Center'}")
        if not _jira_user(report, client):
            return
        projects = _boards(report, client)
        ids = _fields(report, client)
        issues = _sample(report, client, projects, ids, sample) if ids is not None and projects else []
        _statuses(report, client, issues)
    except IntegrationError as exc:
        report.sections[-1].error(str(exc), "see the message; then run this check again")
    finally:
        client.close()


def _jira_user(report: Report, client: JiraClient) -> bool:
    section = report.add("JIRA user")
    try:
        me = client.myself()
    except IntegrationError as exc:
        _connection_problem(section, "Jira", exc, "check JIRA_USER (the bot's e-mail) and JIRA_API_TOKEN")
        return False
    section.lines.append(f"user: {me.display_name or '?'} (account id {me.account_id or '?'})")
    if not me.time_zone:
        section.lines.append("time zone: none in the profile; JQL dates are written in UTC")
        section.warn(
            "The JIRA user's profile names no time zone.",
            "set the bot user's time zone in its JIRA profile (JIRA reads JQL dates in it)",
        )
        return True
    try:
        ZoneInfo(me.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        section.lines.append(f"time zone: {me.time_zone} (unknown here; JQL dates are written in UTC)")
        section.error(
            f"The JIRA user's time zone {me.time_zone!r} is unknown on this machine: incremental syncs "
            "would miss or repeat changes.",
            "install the time zone data (tzdata) or change the bot user's profile time zone",
        )
        return True
    section.lines.append(f"time zone: {me.time_zone} (JQL dates are written in it)")
    return True


def _boards(report: Report, client: JiraClient) -> list[str]:
    section = report.add("Boards")
    cells = list(Cell.objects.order_by("name"))
    boards = {b.id: b for b in client.boards()}
    projects: list[str] = []
    with_board = [c for c in cells if c.jira_board_id is not None]
    if not with_board:
        section.error(
            "No cell has a JIRA board: the JIRA sync has nothing to read.",
            "set Cell.jira_board_id and jira_project_key in the admin (boards below)",
        )
    for cell in with_board:
        board = boards.get(int(cell.jira_board_id or 0))
        if board is None:
            section.error(
                f"Cell {cell.name}: board {cell.jira_board_id} is not in JIRA (or the user cannot see it).",
                "fix Cell.jira_board_id, or give the JIRA user access to the board",
            )
            continue
        key = board.project_key or cell.jira_project_key
        section.lines.append(
            f"cell {cell.name}: board {board.id} {board.name!r} ({board.type}) -> project {key or '?'}"
        )
        if not key:
            section.error(
                f"Cell {cell.name}: board {board.id} has no project, and the cell no project key.",
                "set Cell.jira_project_key",
            )
            continue
        if (
            cell.jira_project_key
            and board.project_key
            and cell.jira_project_key.upper() != board.project_key.upper()
        ):
            section.warn(
                f"Cell {cell.name}: its project key {cell.jira_project_key} is not its board's project "
                f"{board.project_key}: issues of {board.project_key} are read, but tickets and accounts "
                f"go to cells by {cell.jira_project_key}.",
                f"set Cell.jira_project_key to {board.project_key}",
            )
        projects.append(key.upper())
    others = sorted(set(boards) - {int(c.jira_board_id or 0) for c in with_board})
    if others:
        section.lines.append(
            "boards of no cell: "
            + ", ".join(f"{b} {boards[b].name!r} ({boards[b].project_key})" for b in others)
        )
    return sorted(set(projects))


def _field_line(ids: JiraFieldIds, label: str, field_id: str | None, missing: str) -> str:
    if not field_id:
        return f"{label}: none ({missing})"
    return f"{label}: {ids.name_of(field_id)} ({field_id})"


def _fields(report: Report, client: JiraClient) -> JiraFieldIds | None:
    section = report.add("Fields")
    try:
        ids = client.field_ids()
    except IntegrationError as exc:
        section.error(str(exc), "fix the JIRA_FIELD_* setting (the fields of the site are listed below)")
        for f in story_points_fields(client.fields()):
            section.lines.append(f"story points field on the site: {f.name} ({f.id}, {f.flavour})")
        return None
    flavours = {f.id: f.flavour for f in client.fields()}
    if ids.story_points:
        listed = ", then ".join(f"{ids.name_of(f)} ({f}, {flavours.get(f, '?')})" for f in ids.story_points)
        how = "pinned by JIRA_FIELD_STORY_POINTS" if ids.story_points_pinned else "the first with a value"
        section.lines.append(f"story points: {listed} [{how}]")
    else:
        section.lines.append("story points: none")
        section.error(
            "No story points field: every ticket would be unestimated.",
            "set JIRA_FIELD_STORY_POINTS to the id or name of the field holding the points",
        )
    section.lines.append(_field_line(ids, "sprint", ids.sprint, "tickets get no sprint"))
    section.lines.append(_field_line(ids, "reviewer", ids.reviewer, "tickets have no reviewer"))
    section.lines.append(_field_line(ids, "account", ids.account, "tickets take no Tempo account"))
    section.lines.append(_field_line(ids, "epic link", ids.epic_link, "epics come from the parent issue"))
    if not ids.sprint:
        section.error(
            "No sprint field: tickets would belong to no sprint.",
            "set JIRA_FIELD_SPRINT to the id of the Sprint field",
        )
    if not ids.reviewer:
        section.warn(
            "No reviewer field (a user picker named Reviewer): no ticket is ever green.",
            "set JIRA_FIELD_REVIEWER to the id or name of the field naming the reviewer",
        )
    if not ids.account:
        section.warn(
            "No Tempo account field: tickets take no account.",
            "set JIRA_FIELD_ACCOUNT to the id of Tempo's Account field",
        )
    return ids


def _sample(
    report: Report, client: JiraClient, projects: list[str], ids: JiraFieldIds, sample: int
) -> list[JiraIssue]:
    section = report.sections[-1]  # the fields: the sample says whether they hold values
    jql = issues_jql(project_keys=projects).replace(" ORDER BY key ASC", " ORDER BY updated DESC")
    page = next(iter(client.issue_pages(jql, page_size=sample)), None)
    issues = page.issues if page else []
    if page and page.skipped:
        section.warn(
            f"{len(page.skipped)} of the sampled issues cannot be read (e.g. {page.skipped[0].remote_id}: "
            f"{page.skipped[0].reason}).",
            "the sync leaves them out and lists them on its runs; fix them in JIRA",
        )
    work = [i for i in issues if not i.is_epic]
    section.lines.append(f"sampled {len(issues)} recent issue(s) of {', '.join(projects)}")
    if not work:
        return issues
    by_field = Counter(i.story_points_field for i in work if i.story_points_field)
    for field_id in ids.story_points:
        section.lines.append(
            f"  {by_field.get(field_id, 0)} of {len(work)} have points in {ids.name_of(field_id)} ({field_id})"
        )
    elsewhere = Counter(i.points_elsewhere for i in work if i.points_elsewhere)
    for other, n in elsewhere.items():
        section.error(
            f"The pinned story points field {ids.name_of(ids.story_points[0])} ({ids.story_points[0]}) is "
            f"empty on {n} sampled issue(s) that have points in {ids.name_of(other)} ({other}).",
            "set JIRA_FIELD_STORY_POINTS to that field, or leave it empty to read both",
        )
    if ids.story_points and not by_field and not elsewhere:
        section.warn(
            "None of the sampled tickets has story points.",
            "check that the teams estimate in JIRA, or pin the field holding the points (JIRA_FIELD_STORY_POINTS)",
        )
    if ids.sprint and not any(i.sprints for i in work):
        section.warn(
            "None of the sampled tickets is in a sprint.",
            "check JIRA_FIELD_SPRINT, or that the boards use sprints",
        )
    return issues


def _statuses(report: Report, client: JiraClient, issues: list[JiraIssue]) -> None:
    section = report.add("Statuses")
    overrides = {s.name: (s.ticket_status, s.epic_status) for s in JiraStatus.objects.all()}
    used = Counter(i.status for i in issues)
    for status in client.statuses():
        ticket_override, epic_override = overrides.get(status.name, ("", ""))
        ticket = ticket_status_for(status.name, status.category, override=ticket_override)
        epic = epic_status_for(status.name, status.category, override=epic_override)
        seen = f", {used[status.name]} sampled issue(s)" if used.get(status.name) else ""
        section.lines.append(
            f"{status.name} ({status.category or 'no category'}{seen}): tickets -> {ticket.status} "
            f"(by {ticket.how}), epics -> {epic.status} (by {epic.how})"
        )
        if not ticket.known and not epic.known and used.get(status.name):
            section.warn(
                f"JIRA status {status.name!r} is not a portal status: its issues map by their category "
                f"({status.category or 'none'}) to {ticket.status!r} / {epic.status!r}.",
                "map it in the admin (JIRA statuses) once the sync has met it, if that is not right",
            )


# --- Tempo -----------------------------------------------------------------------
def _tempo(report: Report) -> None:
    section = report.add("Tempo")
    if not config.tempo_configured():
        section.error(
            "TEMPO_BASE_URL or TEMPO_API_TOKEN is not set: the Tempo sync is off.",
            "set TEMPO_BASE_URL (https://api.tempo.io/4) and TEMPO_API_TOKEN",
        )
        return
    section.lines.append(f"site: {settings.TEMPO_BASE_URL}")
    client = config.tempo_client()
    try:
        result = client.accounts()
    except IntegrationError as exc:
        _connection_problem(
            section, "Tempo", exc, "check TEMPO_API_TOKEN (it must read accounts and worklogs)"
        )
        return
    finally:
        client.close()
    cells_by_key = {c.jira_project_key.upper(): c.pk for c in Cell.objects.exclude(jira_project_key="")}
    cells_by_lead = dict(
        Member.objects.exclude(jira_account_id=None)
        .exclude(cell=None)
        .values_list("jira_account_id", "cell_id")
    )
    names = dict(Cell.objects.values_list("pk", "name"))
    section.lines.append(f"{len(result.accounts)} account(s)")
    unmapped: Counter[str] = Counter()
    for account in result.accounts:
        category = account_category(account)
        if category is None:
            unmapped[account.category_key or account.category_name or "(none)"] += 1
            section.lines.append(
                f"{account.key} {account.name!r}: category {account.category_key!r} not mapped, left out"
            )
            continue
        cell_id = account_cell(account, category, cells_by_key=cells_by_key, cells_by_lead=cells_by_lead)
        where = f"cell {names[cell_id]}" if cell_id else "no cell"
        section.lines.append(f"{account.key} {account.name!r}: {AccountCategory(category).label} -> {where}")
        if cell_id is None and category == AccountCategory.INTERNAL_CELL:
            section.warn(
                f"Cell-internal account {account.key} goes to no cell.",
                "prefix its key with a cell's JIRA project key, or make its lead a member of the cell",
            )
    for category, n in unmapped.items():
        section.error(
            f"{n} account(s) of Tempo category {category!r} are not mapped: they are left out.",
            f"add {category}=client|internal_non_cell|internal_cell to TEMPO_ACCOUNT_CATEGORIES",
        )
    for record in result.skipped:
        section.warn(f"Account {record.remote_id} cannot be read: {record.reason}", "fix it in Tempo")
