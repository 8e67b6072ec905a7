"""Serializers of the duties API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from duties.models import ChecklistItem, DutyDefinition, DutyInstance
from opencraft_ops.api_router import MAX_ID
from roles.clock import WINDOW_CHOICES, YEAR_RANGE_MESSAGE, year_in_range
from roles.serializers import FindingSerializer

__all__ = ["FindingSerializer"]


class DutyDefinitionSerializer(serializers.ModelSerializer):
    role_slug: Any = serializers.SlugRelatedField(source="role", slug_field="slug", read_only=True)
    checklist_items = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DutyDefinition
        fields = [
            "id",
            "role",
            "role_slug",
            "slug",
            "title",
            "description",
            "checklist",
            "checklist_items",
            "cadence",
            "sprint_week",
            "weekday",
            "day_of_month",
            "offset_days",
            "lead_days",
            "assignee_rule",
            "active",
            "in_force_from",
            "sort_order",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = DutyDefinition(**{**self._current(), **attrs})
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"cadence": exc.messages}
            ) from exc
        return attrs

    def create(self, validated_data: dict[str, Any]) -> DutyDefinition:
        # A new duty comes into force today unless told otherwise (null: no limit), so the
        # opener does not open its past occurrences, overdue as they arrive.
        validated_data.setdefault("in_force_from", timezone.localdate())
        definition: DutyDefinition = super().create(validated_data)
        return definition

    def _current(self) -> dict[str, Any]:
        if self.instance is None:
            return {}
        return {
            f: getattr(self.instance, f)
            for f in self.Meta.fields
            if f not in ("id", "role_slug", "checklist_items")
        }


class ChecklistItemSerializer(serializers.ModelSerializer):
    ticked_by = serializers.IntegerField(source="ticked_by_id", read_only=True, allow_null=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "position", "text", "ticked_at", "ticked_by"]
        read_only_fields = fields


class DutyInstanceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="definition.title", read_only=True)
    role = serializers.CharField(source="definition.role.slug", read_only=True)
    items = ChecklistItemSerializer(many=True, read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = DutyInstance
        fields = [
            "id",
            "definition",
            "title",
            "role",
            "period",
            "cell",
            "subject_member",
            "opens_on",
            "due_on",
            "assignee",
            "assigned_as",
            "done_at",
            "done_by",
            "notes",
            "status",
            "items",
        ]
        read_only_fields = fields

    def get_status(self, obj: DutyInstance) -> str:
        today = self.context.get("today")
        if obj.done_at is not None:
            return "done"
        if today is not None and obj.due_on < today:
            return "overdue"
        return "open"


class TickSerializer(serializers.Serializer):
    position = serializers.IntegerField(
        min_value=1, max_value=10_000, help_text="The item's position in the checklist (1-based)."
    )
    ticked = serializers.BooleanField(default=True)


class CompleteSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class ClockQuerySerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    at = serializers.DateTimeField(help_text="When the ping was sent (ISO 8601; an offset is recommended).")
    window = serializers.ChoiceField(choices=WINDOW_CHOICES, default="24h")

    def validate_at(self, value: datetime) -> datetime:
        if not year_in_range(value.date()):
            raise serializers.ValidationError(YEAR_RANGE_MESSAGE)
        return value


class MyFindingsQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="The day to evaluate the checks on (default today)."
    )

    def validate_as_of(self, value: date) -> date:
        if not year_in_range(value):
            raise serializers.ValidationError(YEAR_RANGE_MESSAGE)
        return value


class ClockAnswerSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    timezone = serializers.CharField()
    window = serializers.CharField()
    window_label = serializers.CharField()
    pinged_at = serializers.DateTimeField()
    due_at = serializers.CharField(help_text="ISO 8601 in the member's own time zone.")
