"""Serializers of the sustainability API: models, and the computed figures."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.models import Cell
from sustainability.forms import PeriodForm
from sustainability.models import Account, AccountBudget, SustainabilityTarget, Worklog


class AccountSerializer(serializers.ModelSerializer):
    cell = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cell.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "tempo_id",
            "key",
            "name",
            "category",
            "billable",
            "cell",
            "cell_set_by_hand",
            "status",
            "customer",
            "owner",
        ]


class AccountBudgetSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="key", queryset=Account.objects.all())

    class Meta:
        model = AccountBudget
        fields = ["id", "account", "kind", "hours", "since", "note"]


class SustainabilityTargetSerializer(serializers.ModelSerializer):
    cell = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Cell.objects.all(),
        allow_null=True,
        required=False,
        help_text="Cell slug; empty for the company-wide limit.",
    )

    class Meta:
        model = SustainabilityTarget
        fields = ["id", "cell", "max_non_billable_percent", "since", "reference_start", "note"]
        # DRF would turn the conditional unique constraints into a validator that
        # makes "cell" required; the service's model validation checks them instead.
        validators: list[Any] = []


class WorklogSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.user.username", default=None, read_only=True)
    ticket = serializers.CharField(source="ticket.key", default=None, read_only=True)
    account = serializers.CharField(source="account.key", default=None, read_only=True)

    class Meta:
        model = Worklog
        fields = [
            "id",
            "tempo_id",
            "member",
            "ticket",
            "jira_issue_id",
            "account",
            "work_date",
            "start_time",
            "seconds",
            "billable_seconds",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- Computed figures ----------------------------------------------------------


class ScopeQuerySerializer(serializers.Serializer):
    cell = serializers.CharField(help_text="A cell slug, or 'company' for the company-wide figures.")


class FiguresQuerySerializer(ScopeQuerySerializer):
    period = serializers.ChoiceField(choices=PeriodForm.base_fields["period"].choices, required=False)  # type: ignore[attr-defined]
    sprint = serializers.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, required=False)
    month = serializers.CharField(required=False, help_text="YYYY-MM")
    quarter = serializers.CharField(required=False, help_text="YYYY-Qn")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    non_cell = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Company-wide: count non-cell hours as non-billable in the ratio (the handbook's "
        "ratio, the default, is over cell hours only, non-cell hours shown apart).",
    )


class QuarterlyQuerySerializer(ScopeQuerySerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    non_cell = serializers.BooleanField(
        required=False, default=False, help_text="Company-wide: count non-cell hours as non-billable."
    )


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    title = serializers.CharField(source="label")


class FiguresSerializer(serializers.Serializer):
    period = PeriodSerializer()
    total_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="totals.total")
    non_cell_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="totals.non_cell")
    billable_cell_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="totals.billable_cell"
    )
    non_billable_cell_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="totals.non_billable_cell"
    )
    ratio_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="null when there are no hours (undefined)."
    )
    target_percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    remaining_non_billable_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, source="remaining"
    )
    state = serializers.ChoiceField(choices=["undefined", "no-target", "within", "above"])


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    billable_cell_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="totals.billable_cell"
    )
    non_billable_cell_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="totals.non_billable_cell"
    )
    non_cell_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="totals.non_cell")
    ratio = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)


class AccountFiguresSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.key", default=None)
    billable_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="hours.billable")
    non_billable_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="hours.non_billable"
    )
    non_cell_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="hours.non_cell")
    spent_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="account_spent")
    budget_hours = serializers.DecimalField(
        max_digits=12, decimal_places=2, source="budget.budget", allow_null=True
    )
    projected_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="budget.projected")
    budget_state = serializers.CharField(source="budget.state")


class DashboardSerializer(serializers.Serializer):
    cell = serializers.CharField(source="cell.slug", default="company")
    figures = FiguresSerializer()
    months = MonthSerializer(many=True, source="series")
    accounts = AccountFiguresSerializer(many=True)


class TopAccountSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.key", default=None)
    name = serializers.CharField(source="account.name", default=None)
    billable_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="billable")
    non_billable_hours = serializers.DecimalField(max_digits=12, decimal_places=2, source="non_billable")


class QuarterlySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    entire_reference_period = FiguresSerializer(source="entire")
    year_to_date = FiguresSerializer()
    quarter_only = FiguresSerializer()
    previous_quarter = FiguresSerializer()
    previous_reference_period = FiguresSerializer(
        source="previous_entire", help_text="The entire reference period as of the previous quarter's end."
    )
    change_percent_points = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        source="change",
        help_text="The quarter's ratio minus the previous quarter's.",
    )
    reference_change_percent_points = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        allow_null=True,
        source="reference_change",
        help_text="The reference period's ratio minus its ratio at the previous quarter's end.",
    )
    top_billable = TopAccountSerializer(many=True)
    top_non_billable = TopAccountSerializer(many=True)
    within_target = serializers.BooleanField()


class PreviewSerializer(serializers.Serializer):
    current_sprint = serializers.IntegerField(source="current_number")
    next_sprint = serializers.IntegerField(source="next_number")
    period = PeriodSerializer()
    billable_current = serializers.DecimalField(max_digits=12, decimal_places=2)
    billable_next = serializers.DecimalField(max_digits=12, decimal_places=2)
    non_billable_current = serializers.DecimalField(max_digits=12, decimal_places=2)
    non_billable_next = serializers.DecimalField(max_digits=12, decimal_places=2)
    ratio_percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    last_sprint_ratio = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    direction = serializers.CharField(allow_null=True)
    unaccounted_hours = serializers.DecimalField(max_digits=12, decimal_places=2)
