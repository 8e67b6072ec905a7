"""The three epic-update questionnaires, as data, and the one validator they share.

Each budget kind (fixed, monthly, none) has its own list of questions taken
from the handbook's templates, worded our own way. Follow-up questions hang
under a parent and only apply when the parent has one of the listed answers
(usually "no"). The browser form, the REST API and the renderers all read
these lists, so a question is defined once.

Validation of answers against these lists lives in ``epic_answers``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

YES, NO, NA = "yes", "no", "na"
MAX_HOURS = Decimal("100000")


class QType(enum.Enum):
    YESNO = "yesno"
    YESNO_NA = "yesno_na"
    CHOICE = "choice"
    MULTI = "multi"
    HOURS = "hours"
    DATE = "date"
    TEXT = "text"


YESNO_OPTIONS: tuple[tuple[str, str], ...] = ((YES, "Yes"), (NO, "No"))
YESNO_NA_OPTIONS: tuple[tuple[str, str], ...] = ((YES, "Yes"), (NO, "No"), (NA, "Does not apply"))


@dataclass(frozen=True)
class Question:
    key: str
    qtype: QType
    label: str
    section: str
    help: str = ""
    required: bool = True
    options: tuple[tuple[str, str], ...] = ()
    parent: str | None = None  # a follow-up applies only when the parent applies ...
    when: tuple[str, ...] = ()  # ... and the parent's answer is one of these
    positive: bool = False  # hours must be more than zero (else zero is fine)
    figure: str | None = None  # name of the portal figure used to prefill it
    rendered: bool = True  # False: shown in the summary line instead of on its own

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        if self.qtype is QType.YESNO:
            return YESNO_OPTIONS
        if self.qtype is QType.YESNO_NA:
            return YESNO_NA_OPTIONS
        return self.options

    @property
    def is_follow_up(self) -> bool:
        return self.parent is not None


@dataclass(frozen=True)
class Questionnaire:
    kind: str
    title: str  # heading of the rendered update
    summary_heading: str
    summary: str  # format string over the answers, rendered under summary_heading
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def question(self, key: str) -> Question:
        for question in self.questions:
            if question.key == key:
                return question
        raise KeyError(key)

    @property
    def sections(self) -> list[str]:
        seen: list[str] = []
        for question in self.questions:
            if question.section not in seen:
                seen.append(question.section)
        return seen


BUDGET, SCHEDULE, MANAGEMENT, PLANNING, NOTES = (
    "Budget",
    "Capacity planning",
    "Epic management",
    "Sprint planning",
    "Other notes",
)

_CLIENT_IS_CEO = "For internal epics on non-cell accounts the CEO acts as the client."
_CELL_ACCOUNTS = (
    "For internal epics on cell accounts, settle it with the cell's epic planning and sustainability manager."
)

_TIMELINE = Question(
    "timeline_correct",
    QType.YESNO,
    "Are the deadlines listed in the epic description's timeline right?",
    MANAGEMENT,
)
_DESCRIPTION = Question(
    "description_current", QType.YESNO, "Is the rest of the epic description up to date?", MANAGEMENT
)
_STORY_STATUSES = Question(
    "story_statuses_correct", QType.YESNO, "Does every story of the epic show the right status?", MANAGEMENT
)
_NEXT_STORIES = Question(
    "next_stories_ready",
    QType.YESNO,
    "Do the stories for the next week or two exist, each in the right upcoming sprint?",
    PLANNING,
)
_THIS_SPRINT = Question("this_sprint", QType.TEXT, "What is being worked on this sprint?", PLANNING)
_NEXT_UP = Question("next_up", QType.TEXT, "What comes after that?", PLANNING)
_NOTES = Question(
    "notes",
    QType.TEXT,
    "Anything else that could affect the next sprint or two?",
    NOTES,
    help="Worries, open questions, time off coming up...",
    required=False,
)


def _allocation(label: str) -> tuple[Question, Question]:
    return (
        Question("allocation_change", QType.YESNO, label, SCHEDULE),
        Question(
            "new_monthly_hours",
            QType.HOURS,
            "How many hours a month should the epic get from next month on?",
            SCHEDULE,
            parent="allocation_change",
            when=(YES,),
        ),
    )


FIXED = Questionnaire(
    kind="fixed",
    title="Epic update -- fixed scope / fixed budget",
    summary_heading="Where does the hour budget stand?",
    summary="{hours_used} h used so far of the {budget_hours} h budget.",
    questions=(
        Question(
            "hours_used",
            QType.HOURS,
            "Hours logged on the epic so far",
            BUDGET,
            help="Filled in from the worklogs on the epic and its tickets; correct it if something is missing.",
            figure="hours_used",
            rendered=False,
        ),
        Question(
            "budget_hours",
            QType.HOURS,
            "Hours in the epic's budget",
            BUDGET,
            figure="budget_hours",
            rendered=False,
        ),
        Question(
            "fits_budget",
            QType.YESNO,
            "Can the rest of the work be done inside the budget?",
            BUDGET,
            help="Keep each ticket's original estimate equal to the discovery's figure: a remaining "
            "estimate that grows past it is the earliest warning of an overrun.",
        ),
        Question(
            "extra_hours",
            QType.HOURS,
            "How many hours beyond the budget will the rest of the work take?",
            BUDGET,
            parent="fits_budget",
            when=(NO,),
            positive=True,
        ),
        Question(
            "client_pays_extra",
            QType.CHOICE,
            "Has the client accepted to pay for the hours beyond the budget?",
            BUDGET,
            help=f"{_CLIENT_IS_CEO} {_CELL_ACCOUNTS}",
            options=(
                ("yes", "Yes, for all of them"),
                ("partly", "For part of them"),
                ("no", "No, or not yet"),
            ),
            parent="fits_budget",
            when=(NO,),
        ),
        Question(
            "client_approved_hours",
            QType.HOURS,
            "How many extra hours has the client approved?",
            BUDGET,
            parent="client_pays_extra",
            when=("partly",),
            positive=True,
        ),
        Question(
            "fits_deadline",
            QType.YESNO,
            "Can the rest of the work be finished before the deadline?",
            SCHEDULE,
            help="Spread the discovery's stories over the coming sprints (in JIRA, or in the epic "
            "description for sprints that do not exist yet) to see whether the epic is on track.",
        ),
        Question(
            "new_deadline_agreed",
            QType.CHOICE,
            "Has the client accepted a later deadline for the rest of the work?",
            SCHEDULE,
            help=_CLIENT_IS_CEO,
            options=(("yes", "Yes"), ("no", "No, or not yet")),
            parent="fits_deadline",
            when=(NO,),
        ),
        Question(
            "new_deadline",
            QType.DATE,
            "The new deadline",
            SCHEDULE,
            parent="new_deadline_agreed",
            when=("yes",),
        ),
        Question(
            "monthly_hours_needed",
            QType.HOURS,
            "How many hours a month must the epic get in the coming months to finish the rest?",
            SCHEDULE,
            parent="fits_deadline",
            when=(NO,),
            positive=True,
        ),
        _TIMELINE,
        _DESCRIPTION,
        _STORY_STATUSES,
        _NEXT_STORIES,
        _NOTES,
    ),
)

MONTHLY = Questionnaire(
    kind="monthly",
    title="Epic update -- dynamic scope / monthly budget",
    summary_heading="Where does this month's hour budget stand?",
    summary="{month_hours_used} h used this month of the {monthly_budget_hours} h monthly budget.",
    questions=(
        Question(
            "month_hours_used",
            QType.HOURS,
            "Hours logged on the epic this month",
            BUDGET,
            help="Filled in from this month's worklogs on the epic and its tickets.",
            figure="month_hours",
            rendered=False,
        ),
        Question(
            "monthly_budget_hours",
            QType.HOURS,
            "The epic's monthly budget (hours)",
            BUDGET,
            figure="monthly_budget",
            rendered=False,
        ),
        Question(
            "fits_month",
            QType.YESNO,
            "Can this month's remaining work be done inside the monthly budget?",
            BUDGET,
        ),
        Question(
            "extra_hours",
            QType.HOURS,
            "How many hours beyond this month's budget will it take?",
            BUDGET,
            parent="fits_month",
            when=(NO,),
            positive=True,
        ),
        Question(
            "measures",
            QType.MULTI,
            "How will we handle the overrun? (one or more)",
            BUDGET,
            options=(
                ("scope_reduction", "Smaller scope: plan less work in the coming month(s) to even it out"),
                (
                    "one_time_extension",
                    "One-off extension: ask the client to pay this month's hours over the cap",
                ),
                (
                    "permanent_extension",
                    "Lasting extension: the client's demand keeps growing, so ask for a higher monthly budget",
                ),
            ),
            parent="fits_month",
            when=(NO,),
        ),
        Question(
            "client_agreed",
            QType.YESNO,
            "Has the client accepted what we chose above?",
            BUDGET,
            help=_CELL_ACCOUNTS,
            parent="fits_month",
            when=(NO,),
        ),
        *_allocation(
            "Does the epic's monthly allocation need to go up or down noticeably in the coming months "
            "to cope with the amount of work?"
        ),
        Question(
            "timeline_correct",
            QType.YESNO_NA,
            "Are the deadlines listed in the epic description's timeline right (if it has any)?",
            MANAGEMENT,
        ),
        _DESCRIPTION,
        _STORY_STATUSES,
        _THIS_SPRINT,
        _NEXT_UP,
        _NEXT_STORIES,
        _NOTES,
    ),
)

AD_HOC = Questionnaire(
    kind="none",
    title="Epic update -- dynamic scope / no set budget",
    summary_heading="Non-billable hours last month",
    summary="{non_billable_hours_known} h of last month's hours on the epic were not billable.",
    questions=(
        Question(
            "non_billable_hours_known",
            QType.HOURS,
            "Non-billable hours last month according to the worklogs",
            BUDGET,
            help="Filled in from last month's worklogs on the epic and its tickets: on a billable account, "
            "the time Tempo does not count as billable; on any other account, all of it.",
            figure="last_month_non_billable",
            rendered=False,
        ),
        Question(
            "last_month_billable",
            QType.YESNO,
            "Was every hour logged on the epic last month billable?",
            BUDGET,
            help="Hours turn non-billable when they go past a budget the client approved for given "
            "tasks: ask for more before going over, as a request after the fact may be refused.",
        ),
        Question(
            "non_billable_hours",
            QType.HOURS,
            "How many hours logged last month were not billable?",
            BUDGET,
            parent="last_month_billable",
            when=(NO,),
            positive=True,
            figure="last_month_non_billable",
        ),
        *_allocation(
            "Does the epic's allocation need to go up or down noticeably in the coming months to keep "
            "up with the support requests?"
        ),
        _DESCRIPTION,
        _STORY_STATUSES,
        _THIS_SPRINT,
        _NEXT_UP,
        _NEXT_STORIES,
        _NOTES,
    ),
)

QUESTIONNAIRES: dict[str, Questionnaire] = {q.kind: q for q in (FIXED, MONTHLY, AD_HOC)}


def questionnaire(kind: str) -> Questionnaire:
    try:
        return QUESTIONNAIRES[kind]
    except KeyError:
        raise ValueError(f"No epic-update questionnaire for budget kind {kind!r}.") from None
