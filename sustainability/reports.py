"""The handbook's sustainability posts, with the figures filled in, in Markdown
(forum) and JIRA wiki markup (epic comments). Pure: takes computed figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sustainability.calculations import (
    AccountHours,
    Figures,
    Period,
    QuarterlyTable,
    ReviewTicket,
    SprintPreview,
    TargetChange,
    plain,
    previous_quarter,
)

FORMATS = ("markdown", "jira")
CATEGORY_TITLES = [
    ("client", "Client accounts"),
    ("internal_non_cell", "Internal accounts (non-cell)"),
    ("internal_cell", "Internal accounts (cell)"),
]


@dataclass(frozen=True)
class Markup:
    """The few constructs the reports need, per format."""

    name: str

    @property
    def jira(self) -> bool:
        return self.name == "jira"

    def heading(self, level: int, text: str) -> str:
        return f"h{level}. {text}" if self.jira else f"{'#' * level} {text}"

    def bold(self, text: str) -> str:
        return f"*{text}*" if self.jira else f"**{text}**"

    def italic(self, text: str) -> str:
        return f"_{text}_" if self.jira else f"*{text}*"

    def mono(self, text: str) -> str:
        return "{{" + text + "}}" if self.jira else f"`{text}`"

    def bullet(self, text: str, depth: int = 1) -> str:
        return f"{'*' * depth} {text}" if self.jira else f"{'  ' * (depth - 1)}* {text}"

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
        if self.jira:
            lines = ["||" + "||".join(headers) + "||"]
            lines += ["|" + "|".join(row) + "|" for row in rows]
            return lines
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return lines

    def rule(self) -> str:
        return "----" if self.jira else "---"

    def link(self, text: str, url: str) -> str:
        return f"[{text}|{url}]" if self.jira else f"[{text}]({url})"


def markup(fmt: str) -> Markup:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown report format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return Markup(fmt)


def _h(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def _pct(value: Decimal | None) -> str:
    return "undefined (no hours)" if value is None else f"{value}%"


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def sprint_preview(preview: SprintPreview, *, cell_name: str, fmt: str) -> str:
    m = markup(fmt)
    p = preview
    direction = f", {p.direction} than last sprint" if p.direction else ""
    last = (
        "undefined"
        if p.last_sprint_ratio is None
        else f"{(p.last_sprint_ratio * 100).quantize(Decimal('0.1'))}%"
    )
    lines = [
        m.heading(4, f"Sustainability preview for Sprint {p.next_number} ({cell_name}):"),
        "",
        m.bullet(
            f"Period selected: {_day(p.period.start)} (beginning of Sprint {p.current_number}) -- "
            f"{_day(p.period.end)} (end of Sprint {p.next_number})"
        ),
        m.bullet(
            f"Total number of billable hours estimated: {_h(p.billable_current)}h (left this sprint) + "
            f"{_h(p.billable_next)}h (next sprint) = {_h(p.billable_total)}h"
        ),
        m.bullet(
            f"Total number of non-billable cell hours estimated: {_h(p.non_billable_current)}h (left this sprint) + "
            f"{_h(p.non_billable_next)}h (next sprint) = {_h(p.non_billable_total)}h"
        ),
        m.bullet(
            f"Resulting sustainability ratio ({m.mono('non-billable / (billable + non-billable)')}): "
            f"{m.bold(_pct(p.ratio_percent))}{direction}."
        ),
        m.bullet("Notes:"),
        m.bullet(f"Last sprint's ratio from the worklogs logged in it: {last}.", 2),
    ]
    if p.unaccounted_hours:
        lines.append(
            m.bullet(f"{_h(p.unaccounted_hours)}h of estimates are on tickets without an account.", 2)
        )
    lines += [m.bullet("Questions:"), m.bullet("...", 2), ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class ReviewEntry:
    category: str
    kind: str  # change | question
    ticket_key: str
    previous_account_key: str = ""
    new_account_key: str = ""
    text: str = ""


def accounts_review(
    *,
    cell_name: str,
    month: date,
    tickets: Sequence[tuple[ReviewTicket, list[str]]],
    entries: Sequence[ReviewEntry],
    fmt: str,
    cc: str = "Administrative Specialist",
) -> str:
    """The monthly accounts review: per account category the updates applied and
    the open questions recorded, then the tickets worked on with the suspect ones flagged."""
    m = markup(fmt)
    lines = [m.heading(3, f"Accounts review for {month:%B %Y} ({cell_name}):"), ""]
    for category, title in CATEGORY_TITLES:
        lines += [m.heading(4, title), "", m.heading(5, "Updates applied"), ""]
        changes = [e for e in entries if e.category == category and e.kind == "change"]
        questions = [e for e in entries if e.category == category and e.kind == "question"]
        lines += [
            m.bullet(
                f"{e.ticket_key}: Changed account from {e.previous_account_key} to {e.new_account_key}."
                + (f" {e.text}" if e.text else "")
            )
            for e in changes
        ] or [m.bullet("None.")]
        lines += ["", m.heading(5, "Open questions"), ""]
        lines += [m.bullet(f"{e.ticket_key}: {e.text}") for e in questions] or [m.bullet("None.")]
        worked = [
            (t, r) for t, r in tickets if (t.account.category if t.account else "internal_cell") == category
        ]
        if worked:
            lines += ["", m.heading(5, "Tickets worked on"), ""]
            for ticket, reasons in worked:
                hours = (Decimal(ticket.seconds) / 3600).quantize(Decimal("0.01"))
                account = ticket.account.key if ticket.account else "no account"
                flag = f" {m.bold('Suspect')}: {'; '.join(reasons)}." if reasons else ""
                lines.append(m.bullet(f"{ticket.key} ({account}, {_h(hours)}h): {ticket.summary}.{flag}"))
        lines.append("")
    lines += [m.rule(), "", f"CC {cc}", ""]
    return "\n".join(lines)


UPDATE_EPICS = [("BB-284", "Bebop"), ("FAL-49", "Falcon"), ("SE-248", "Serenity")]
QUARTER_MONTH = {1: "April", 2: "July", 3: "October", 4: "January"}


def _top(m: Markup, accounts: Sequence[AccountHours], *, billable: bool) -> list[str]:
    if not accounts:
        return [m.bullet("No hours in the quarter.")]
    return [
        m.bullet(
            f"{m.bold(a.account.name if a.account else 'No account')}: "
            f"{_h(a.billable if billable else a.non_billable)}h"
        )
        for a in accounts
    ]


def _figures_table(m: Markup, fig: Figures) -> list[str]:
    t = fig.totals
    target = f" (max {fig.target_percent}%)" if fig.target_percent is not None else ""
    return m.table(
        [
            "Total hours",
            "Non-cell hours",
            "Billable cell hours",
            "Non-billable cell hours",
            "% non-billable cell hours",
            "Remaining non-billable hours",
        ],
        [
            [
                _h(t.total),
                _h(t.non_cell),
                _h(t.billable_cell),
                _h(t.non_billable_cell),
                m.bold(_pct(fig.ratio_percent)) + target,
                m.bold(_h(fig.remaining)),
            ]
        ],
    )


def _years(period: Period) -> str:
    first, last = period.start.year, period.end.year
    return str(first) if first == last else f"{first}-{last}"


def _change(points: Decimal) -> str:
    """A change of a ratio in percentage points, in words."""
    if points == 0:
        return "no change"
    return f"an {'increase' if points > 0 else 'decrease'} of {abs(points)} percentage points"


def _long_day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def quarterly_update(
    table: QuarterlyTable,
    *,
    cell_name: str,
    fmt: str,
    variant: str | None = None,
    previous_update_url: str = "",
) -> str:
    """The quarterly forum update. ``variant`` "within" or "above" picks the
    handbook template; by default it follows the entire reference period's ratio."""
    m = markup(fmt)
    variant = variant or ("within" if table.within_target else "above")
    if variant not in ("within", "above"):
        raise ValueError("The variant is 'within' or 'above'.")
    q, year = f"Q{table.quarter}", table.year
    post_year = year + 1 if table.quarter == 4 else year
    entire, quarter_only = table.entire, table.quarter_only
    lines = [
        m.heading(1, f"{cell_name} - {QUARTER_MONTH[table.quarter]} {post_year} ({q} {year} update)"),
        "",
        "Time spent reading and answering sustainability updates can be logged on the sustainability "
        "epic of the cell concerned:",
        "",
    ]
    lines += [m.bullet(f"{key} for {name} updates") for key, name in UPDATE_EPICS]
    lines.append("")
    current: TargetChange | None = table.target_change
    target_text = f"{plain(current.percent)}%" if current else "no target recorded"
    previous = table.previous_quarter.period.label  # e.g. "Q4 2025"
    if variant == "above":
        before = table.previous_entire
        _, prev_q = previous_quarter(table.year, table.quarter)
        posted = f"{QUARTER_MONTH[prev_q]} {table.year}"  # the previous update went out the month after its quarter
        where = m.link(posted, previous_update_url) if previous_update_url else f"{posted} (<link>)"
        lines += [
            m.heading(2, "Previous updates"),
            "",
            f"Where {cell_name}'s budgets stood at the end of {previous} is in the sustainability update of {where}.",
            "",
            f"At that time {cell_name} had a sustainability ratio of {m.bold(_pct(before.ratio_percent))} for the "
            f"{_years(before.period)} reference period ({before.period.start} to {before.period.end}).",
            "",
        ]
        lines += [m.heading(2, "Goal"), ""]
        if table.next_target:
            lines.append(
                f"{cell_name} has yet to unlock the {plain(table.next_target.percent)}% limit to non-billable "
                f"work, so it must keep targeting a sustainability ratio of {m.bold(target_text)} in the coming months."
            )
        else:
            lines.append(f"{cell_name} must keep its sustainability ratio under {m.bold(target_text)}.")
        change = table.reference_change
        change_text = "" if change is None else f" ({_change(change)} since the last update)"
        lines += [
            "",
            m.heading(2, f"{q} {year} Sustainability Ratio"),
            "",
            f"At the end of {m.bold(f'{q} {year}')}, {cell_name}'s sustainability ratio for the entire reference "
            f"period ({entire.period.start} to {entire.period.end}) is {m.bold(_pct(entire.ratio_percent))}"
            f"{change_text}.",
            "",
            "Detailed breakdown:",
            "",
        ]
        for title, fig in (
            (
                f"Sustainability numbers from {m.italic(_long_day(entire.period.start) + ' to ' + _long_day(entire.period.end))} (entire reference period)",
                entire,
            ),
            (
                f"Sustainability numbers from {m.italic(_long_day(table.year_to_date.period.start) + ' to ' + _long_day(entire.period.end))} ({table.year_to_date.period.label})",
                table.year_to_date,
            ),
            (
                f"Sustainability numbers from {m.italic(_long_day(quarter_only.period.start) + ' to ' + _long_day(quarter_only.period.end))} ({q} only)",
                quarter_only,
            ),
        ):
            lines += [m.heading(3, title), "", *_figures_table(m, fig), ""]
    else:
        lines += [m.heading(2, "Goal"), ""]
        if current:
            lines.append(
                f"{cell_name} unlocked the {target_text} limit to non-billable work in {current.since:%B} of "
                f"{current.since.year}, so the goal from then on is keeping the sustainability ratio below {target_text}."
            )
        else:
            lines.append(f"{cell_name} has no sustainability target recorded yet.")
        lines += [
            "",
            m.heading(2, "Sustainability Ratio"),
            "",
            m.heading(
                3, f"Entire reference period ({entire.period.start:%B %Y} -- {entire.period.end:%B %Y})"
            ),
            "",
            f"The sustainability ratio for the period {entire.period.start} -- {entire.period.end} is "
            f"{m.bold(_pct(entire.ratio_percent))}.",
            "",
            m.heading(3, f"{q} only ({quarter_only.period.start:%B %Y} -- {quarter_only.period.end:%B %Y})"),
            "",
            f"The sustainability ratio for the period {quarter_only.period.start} -- {quarter_only.period.end} is "
            f"{m.bold(_pct(quarter_only.ratio_percent))}.",
            "",
        ]
    largest = (
        table.top_billable[0].account.name if table.top_billable and table.top_billable[0].account else None
    )
    lines += [
        m.heading(2, f"Billable Hours ({q})"),
        "",
        f"The largest source of our billable hours is {largest}."
        if largest
        else "There were no billable hours.",
        "",
        "Top contributors of billable hours by account:",
        "",
        *_top(m, table.top_billable, billable=True),
        "",
        m.heading(2, f"Non-Billable Hours ({q})"),
        "",
        "Top contributors of non-billable hours by account:",
        "",
        *_top(m, table.top_non_billable, billable=False),
        "",
    ]
    if variant == "above":
        prev = table.previous_quarter
        if table.change is None:
            brought = f"so there is no change to compare {q} with"
        elif table.change == 0:
            brought = f"so {q} brought no change in the share of non-billable cell hours"
        else:
            brought = (
                f"so {q} brought a noticeable {'increase' if table.change > 0 else 'decrease'} of "
                f"{abs(table.change)} percentage points in the share of non-billable cell hours"
            )
        lines += [
            m.heading(3, "Changes since previous update"),
            "",
            f"The sustainability ratio for the previous quarter ({previous}) was "
            f"{m.bold(_pct(prev.ratio_percent))}, {brought}.",
            "",
            "<List reasons for changes.>",
            "",
            m.heading(2, "Changes affecting sustainability over the entire reference period"),
            "",
            "<List changes (if any) or delete this section.>",
            "",
            m.heading(2, "Other notes"),
            "",
            "<List notes (if any) or delete this section.>",
            "",
        ]
    lines += [m.heading(2, f"Projections for (the rest of) {post_year}"), "", "...", ""]
    if variant == "above":
        lines += [m.heading(2, "Plans for improving sustainability"), "", "...", ""]
    return "\n".join(lines)
