"""django-filter filter sets of the roles API."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from roles.models import (
    Cell,
    Member,
    MemberType,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    TimeOff,
    WeeklyCommitment,
)


class MemberFilter(django_filters.FilterSet):
    cell = django_filters.ModelChoiceFilter(queryset=Cell.objects.all())
    active = django_filters.BooleanFilter(method="filter_active", label="Active today")
    member_type = django_filters.ChoiceFilter(
        field_name="current_type", choices=MemberType.choices, label="Member type today"
    )

    class Meta:
        model = Member
        fields = ["cell", "jira_account_id"]

    def filter_active(self, queryset: QuerySet[Member], name: str, value: bool | None) -> QuerySet[Member]:
        if value is None:
            return queryset
        active = queryset.model.objects.active().values("pk")  # type: ignore[attr-defined]
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)


class CellFilter(django_filters.FilterSet):
    class Meta:
        model = Cell
        fields = ["kind", "slug"]


class RoleFilter(django_filters.FilterSet):
    class Meta:
        model = Role
        fields = ["scope", "is_cell_management", "core_only", "generalist_only", "slug"]


def _current_on(queryset: QuerySet, day: date) -> QuerySet:
    return queryset.filter(Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day)))


class RoleAssignmentFilter(django_filters.FilterSet):
    role = django_filters.CharFilter(field_name="role__slug", label="Role slug")
    current = django_filters.BooleanFilter(method="filter_current", label="Held today")
    on = django_filters.DateFilter(method="filter_on", label="Held on this date")

    class Meta:
        model = RoleAssignment
        fields = ["member", "cell", "backup", "role"]

    def filter_current(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        current = _current_on(RoleAssignment.objects.all(), timezone.localdate()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)

    def filter_on(self, queryset: QuerySet, name: str, value: date | None) -> QuerySet:
        return queryset if value is None else _current_on(queryset, value)


class TimeOffFilter(django_filters.FilterSet):
    cell = django_filters.ModelChoiceFilter(field_name="member__cell", queryset=Cell.objects.all())
    overlaps_from = django_filters.DateFilter(field_name="end", lookup_expr="gte", label="Ends on or after")
    overlaps_to = django_filters.DateFilter(
        field_name="start", lookup_expr="lte", label="Starts on or before"
    )

    class Meta:
        model = TimeOff
        fields = ["member", "kind"]


class WeeklyCommitmentFilter(django_filters.FilterSet):
    cell = django_filters.ModelChoiceFilter(field_name="member__cell", queryset=Cell.objects.all())

    class Meta:
        model = WeeklyCommitment
        fields = ["member"]


class MemberTypePeriodFilter(django_filters.FilterSet):
    cell = django_filters.ModelChoiceFilter(field_name="member__cell", queryset=Cell.objects.all())

    class Meta:
        model = MemberTypePeriod
        fields = ["member", "member_type"]
