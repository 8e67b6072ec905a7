"""Serializers of the epics API: epics with their computed figures, status
changes, milestones, monthly budgets and epic updates (validated answers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from epics import questions
from epics.models import (
    BudgetKind,
    Epic,
    EpicBudgetPeriod,
    EpicMilestone,
    EpicStatus,
    EpicStatusChange,
    EpicUpdate,
)
from epics.selectors import EpicRow
from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.models import Cell
from sustainability.models import Account


class EpicFiguresSerializer(serializers.Serializer[Any]):
    hours_used = serializers.DecimalField(max_digits=10, decimal_places=2)
    month_hours = serializers.DecimalField(max_digits=10, decimal_places=2)
    last_month_non_billable = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="Last calendar month, as the sustainability dashboard counts it: on billable accounts "
        "the part Tempo does not bill, on other accounts (or none) all of it.",
    )
    remaining_estimate = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="Work left on unfinished tickets: remaining estimate, else original estimate.",
    )
    monthly_budget = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    budget_health = serializers.CharField()
    budget_note = serializers.CharField()
    projected_hours = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    missed_deadline = serializers.DateField(allow_null=True)
    last_update_at = serializers.DateTimeField(allow_null=True)
    update_this_sprint = serializers.CharField(help_text="done, missing or not needed")


def figures_of(row: EpicRow) -> dict[str, Any]:
    return {
        "hours_used": row.figures.hours_used,
        "month_hours": row.figures.month_hours,
        "last_month_non_billable": row.figures.last_month_non_billable,
        "remaining_estimate": row.figures.remaining_estimate,
        "monthly_budget": getattr(row.epic, "monthly_budget", None),
        "budget_health": row.budget.level.value,
        "budget_note": row.budget.note,
        "projected_hours": row.budget.projected,
        "due_date": row.due,
        "missed_deadline": row.oldest_overdue,
        "last_update_at": row.last_update_at,
        "update_this_sprint": row.update_state,
    }


class EpicSerializer(serializers.ModelSerializer[Epic]):
    """An epic. ``cell`` is the cell slug, ``account`` the account key; ``figures``
    are computed from the worklogs on the epic issue and its tickets (hours used;
    not the account's other work), its unfinished tickets' estimates (remaining,
    else original: the projection) and its milestones (due date)."""

    cell: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    account: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True
    )
    figures = serializers.SerializerMethodField()

    class Meta:
        model = Epic
        fields = [
            "id",
            "key",
            "title",
            "cell",
            "client",
            "account",
            "owner",
            "reviewer",
            "status",
            "budget_kind",
            "budget_hours",
            "description",
            "figures",
        ]
        read_only_fields = fields

    @extend_schema_field(EpicFiguresSerializer(allow_null=True))
    def get_figures(self, epic: Epic) -> dict[str, Any] | None:
        rows: dict[int, EpicRow] = self.context.get("rows", {})
        row = rows.get(epic.pk)
        return EpicFiguresSerializer(figures_of(row)).data if row else None


class EpicWriteSerializer(serializers.ModelSerializer[Epic]):
    """Creating (``POST``) or changing (``PATCH``) an epic: ``cell`` by slug,
    ``account`` by key. The status and the budget kind are set at creation and
    then move through ``transition/`` and ``budget/``."""

    cell: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cell.objects.all(), required=False, allow_null=True
    )
    account: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="key", queryset=Account.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Epic
        fields = [
            "key",
            "title",
            "cell",
            "client",
            "account",
            "owner",
            "reviewer",
            "status",
            "budget_kind",
            "budget_hours",
            "description",
        ]
        extra_kwargs = {"budget_hours": {"min_value": Decimal(0)}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            fixed = sorted(set(attrs) & {"key", "status", "budget_kind", "budget_hours"})
            if fixed:
                raise serializers.ValidationError(
                    {name: "Change this through transition/ or budget/ (the key never)." for name in fixed}
                )
        return attrs


class BudgetKindSerializer(serializers.Serializer[Any]):
    budget_kind = serializers.ChoiceField(choices=BudgetKind.choices)
    budget_hours = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True, default=None
    )


class TransitionSerializer(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=EpicStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StatusChangeSerializer(serializers.ModelSerializer[EpicStatusChange]):
    epic: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = EpicStatusChange
        fields = ["id", "epic", "from_status", "to_status", "changed_by", "changed_at", "note"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer[EpicMilestone]):
    epic = serializers.SlugRelatedField(slug_field="key", queryset=Epic.objects.all())

    class Meta:
        model = EpicMilestone
        fields = ["id", "epic", "title", "deadline", "done"]


class BudgetPeriodSerializer(serializers.ModelSerializer[EpicBudgetPeriod]):
    epic = serializers.SlugRelatedField(slug_field="key", queryset=Epic.objects.all())
    hours_per_month = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal(0))

    class Meta:
        model = EpicBudgetPeriod
        fields = ["id", "epic", "hours_per_month", "since", "note"]


class EpicUpdateSerializer(serializers.ModelSerializer[EpicUpdate]):
    """An epic update. Create with ``epic`` (key), optionally ``sprint`` (number;
    the current sprint by default) and ``answers``: an object whose keys are the
    questions of the epic's budget kind (see ``GET /api/epic-updates/questions/``).
    Invalid answers get a 400 with a message per question under ``answers``."""

    epic = serializers.SlugRelatedField(slug_field="key", queryset=Epic.objects.all())
    sprint = serializers.IntegerField(
        source="sprint.number", required=False, min_value=1, max_value=MAX_SPRINT_NUMBER
    )
    answers = serializers.DictField(child=serializers.JSONField())
    wiki_markup = serializers.SerializerMethodField()

    class Meta:
        model = EpicUpdate
        fields = [
            "id",
            "epic",
            "sprint",
            "author",
            "budget_kind",
            "answers",
            "post_state",
            "jira_comment_id",
            "post_error",
            "posted_at",
            "created_at",
            "updated_at",
            "wiki_markup",
        ]
        read_only_fields = [
            "author",
            "budget_kind",
            "post_state",
            "jira_comment_id",
            "post_error",
            "posted_at",
            "created_at",
            "updated_at",
            "wiki_markup",
        ]

    def get_wiki_markup(self, update: EpicUpdate) -> str:
        from epics.services import update_text

        return update_text(update, wiki=True)


class QuestionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    type = serializers.CharField()
    question = serializers.CharField()
    section = serializers.CharField()
    guidance = serializers.CharField()
    is_required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    follows_up = serializers.CharField(allow_null=True, help_text="Asked only when this question ...")
    when = serializers.ListField(child=serializers.CharField(), help_text="... has one of these answers.")


def questions_payload(kind: str) -> list[dict[str, Any]]:
    return [
        {
            "key": q.key,
            "type": q.qtype.value,
            "question": q.label,
            "section": q.section,
            "guidance": q.help,
            "is_required": q.required,
            "choices": [list(c) for c in q.choices],
            "follows_up": q.parent,
            "when": list(q.when),
        }
        for q in questions.questionnaire(kind).questions
    ]
