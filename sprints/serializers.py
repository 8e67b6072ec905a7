from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.fields import Field

from opencraft_ops import calendar
from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from opencraft_ops.validators import validate_sensible_date
from roles.models import Cell, Member
from sprints import selectors, services
from sprints.calculations.capacity import CapacityRow
from sprints.models import MemberSprintUpdate, Spillover, Sprint, Ticket, TicketStatus


class SprintSerializer(serializers.ModelSerializer[Sprint]):
    class Meta:
        model = Sprint
        fields = ["id", "number", "name", "start", "end", "completed_at"]
        read_only_fields = fields


class SprintLookupSerializer(serializers.Serializer[Any]):
    """A sprint named by its ``number`` or by a ``date`` inside it (exactly one)."""

    number = serializers.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, required=False)
    date = serializers.DateField(required=False, help_text="Any day of the sprint.")

    def validate_date(self, value: datetime.date) -> datetime.date:
        try:
            validate_sensible_date(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("number" in attrs) == ("date" in attrs):
            raise serializers.ValidationError({"number": "Give a sprint number or a date (one of them)."})
        if "date" in attrs:
            number = calendar.sprint_on(attrs["date"]).number
            if not 1 <= number <= MAX_SPRINT_NUMBER:
                raise serializers.ValidationError({"date": "No sprint of the calendar covers this day."})
            attrs["number"] = number
        return attrs


class CalendarSprintField(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A sprint given by its number; a number the calendar knows but the database
    does not yet is created on first use (its dates from the calendar)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="number", queryset=Sprint.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> Sprint:
        try:
            number = int(data)
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError("Give a sprint number.") from exc
        if isinstance(data, bool) or not 1 <= number <= MAX_SPRINT_NUMBER:
            raise serializers.ValidationError(f"Give a sprint number from 1 to {MAX_SPRINT_NUMBER}.")
        return services.sprint_ensure(number=number)


KNOWN_STATUSES = {s.casefold(): s for s in TicketStatus.values}


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    """A ticket; ``sprint`` is the sprint number, ``cell`` the cell slug, ``epic`` the epic key."""

    sprint = CalendarSprintField(required=False, allow_null=True)
    cell = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cell.objects.all(), required=False, allow_null=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), required=False, allow_null=True
    )
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), required=False, allow_null=True
    )
    labels = serializers.ListField(child=serializers.CharField(max_length=255), required=False)
    story_points = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(0), required=False, allow_null=True
    )
    is_green = serializers.BooleanField(read_only=True)
    is_unestimated = serializers.SerializerMethodField()
    is_injection = serializers.SerializerMethodField()
    injection_is_accepted = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "key",
            "summary",
            "issue_type",
            "status",
            "jira_status",
            "cell",
            "sprint",
            "epic",
            "assignee",
            "reviewer",
            "story_points",
            "original_estimate_seconds",
            "remaining_estimate_seconds",
            "time_spent_seconds",
            "labels",
            "priority_category",
            "is_recurring",
            "recurring_hours_per_sprint",
            "needs_production_access",
            "added_to_sprint_at",
            "injection_accepted",
            "is_green",
            "is_unestimated",
            "is_injection",
            "injection_is_accepted",
            "updated_at",
        ]
        read_only_fields = ["id", "jira_status", "updated_at"]

    def build_relational_field(
        self, field_name: str, relation_info: Any
    ) -> tuple[type[Field], dict[str, Any]]:
        # The epic is named by its key. Its model belongs to the epics app, above this one, so
        # it is taken from the relation rather than imported.
        if field_name == "epic":
            return serializers.SlugRelatedField, {
                "slug_field": "key",
                "queryset": relation_info.related_model._default_manager.all(),
                "required": False,
                "allow_null": True,
            }
        return super().build_relational_field(field_name, relation_info)

    def get_is_unestimated(self, obj: Ticket) -> bool:
        return obj.is_unestimated

    def get_is_injection(self, obj: Ticket) -> bool:
        return selectors.ticket_is_injection(obj)

    def get_injection_is_accepted(self, obj: Ticket) -> bool:
        """Accepted in the portal or labelled ``injection-accepted`` in JIRA."""
        return selectors.is_accepted(obj)

    def validate_status(self, value: str) -> str:
        """One of the known statuses, whatever its case and spacing, stored as spelt there."""
        known = KNOWN_STATUSES.get(" ".join(value.split()).casefold())
        if known is None:
            raise serializers.ValidationError(f"Use one of: {', '.join(TicketStatus.values)}.")
        return known

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        is_recurring = attrs.get("is_recurring", getattr(self.instance, "is_recurring", False))
        hours = attrs.get(
            "recurring_hours_per_sprint", getattr(self.instance, "recurring_hours_per_sprint", 0)
        )
        if hours and hours < 0:
            raise serializers.ValidationError({"recurring_hours_per_sprint": "Hours cannot be negative."})
        if hours and not is_recurring:
            raise serializers.ValidationError(
                {"recurring_hours_per_sprint": "Only recurring tickets have per-sprint hours."}
            )
        return attrs


class SpilloverSerializer(serializers.ModelSerializer[Spillover]):
    sprint = serializers.IntegerField(source="sprint.number", read_only=True)
    ticket = serializers.CharField(source="ticket.key", read_only=True)
    cell = serializers.CharField(source="cell.slug", read_only=True, default=None)
    is_explained = serializers.BooleanField(read_only=True)
    explanation = serializers.CharField(max_length=5000, allow_blank=False)

    class Meta:
        model = Spillover
        fields = [
            "id",
            "sprint",
            "ticket",
            "cell",
            "assignee",
            "status",
            "story_points",
            "explanation",
            "is_explained",
            "explained_by",
            "explained_at",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "assignee",
            "status",
            "story_points",
            "explained_by",
            "explained_at",
            "created_at",
        ]

    def validate_explanation(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Say why the ticket spilled over.")
        return value.strip()


class CapacityRowSerializer(serializers.Serializer[CapacityRow]):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    member_type = serializers.CharField()
    weekly_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    contract_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    time_off_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    rotation_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    role_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    capacity = serializers.DecimalField(max_digits=8, decimal_places=2)
    ticket_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    recurring_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    review_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    meeting_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    epic_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    committed = serializers.DecimalField(max_digits=8, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=8, decimal_places=2)
    over_committed = serializers.BooleanField()
    assigned_tickets = serializers.IntegerField()
    assigned_points = serializers.DecimalField(max_digits=8, decimal_places=2)
    unestimated_tickets = serializers.IntegerField()
    rotation_kinds = serializers.ListField(child=serializers.CharField())
    days_off = serializers.ListField(child=serializers.DateField())


class CapacityTotalsSerializer(serializers.Serializer[Any]):
    capacity = serializers.DecimalField(max_digits=10, decimal_places=2)
    committed = serializers.DecimalField(max_digits=10, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=10, decimal_places=2)
    time_off_hours = serializers.DecimalField(max_digits=10, decimal_places=2)
    over_committed_members = serializers.IntegerField()
    unestimated_tickets = serializers.IntegerField()
    over_committed = serializers.BooleanField()


class CapacityQuerySerializer(serializers.Serializer[Any]):
    cell = serializers.SlugField(help_text="The cell's slug.")
    sprint = serializers.IntegerField(
        min_value=1, max_value=MAX_SPRINT_NUMBER, required=False, help_text="Sprint number; default: current."
    )


class MemberCapacityQuerySerializer(serializers.Serializer[Any]):
    sprint = serializers.IntegerField(
        min_value=1, max_value=MAX_SPRINT_NUMBER, required=False, help_text="Sprint number; default: current."
    )


class MemberSprintUpdateSerializer(serializers.ModelSerializer[MemberSprintUpdate]):
    sprint = serializers.IntegerField(source="sprint.number", read_only=True)
    cell = serializers.CharField(source="member.cell.slug", read_only=True, default=None)
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = MemberSprintUpdate
        fields = ["id", "member", "member_name", "cell", "sprint", "kind", "posted_at", "link", "note"]
        read_only_fields = fields
