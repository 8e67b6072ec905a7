"""Serializers of the rotations API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.models import Cell, Member
from rotations.models import RotationAssignment, RotationKind, Swap
from rotations.services.schedule import MAX_SPRINTS, last_sprint_problem


class RotationSerializer(serializers.ModelSerializer):
    cell = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cell.objects.all(), allow_null=True, required=False
    )
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    member_name = serializers.CharField(source="member.name", read_only=True)
    sprint = serializers.IntegerField(source="sprint.number", read_only=True, allow_null=True)
    reserved_hours = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)

    class Meta:
        model = RotationAssignment
        fields = [
            "id",
            "kind",
            "cell",
            "member",
            "member_name",
            "sprint",
            "start",
            "end",
            "reserved_hours",
            "note",
            "reason",
            "set_by_hand",
        ]
        read_only_fields = ["id", "sprint", "reason", "set_by_hand"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            # Moving a slot in time or to another cell is a new slot: delete and create instead.
            for name in ("kind", "cell", "start", "end"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {name: "Cannot be changed; delete the slot and create a new one."}
                    )
        elif attrs.get("end") and attrs.get("start") and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "A rotation cannot end before it starts."})
        return attrs


class ScheduleRequestSerializer(serializers.Serializer):
    cell = serializers.SlugRelatedField(slug_field="slug", queryset=Cell.objects.all())
    first_sprint = serializers.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER)
    sprints = serializers.IntegerField(min_value=1, max_value=MAX_SPRINTS, default=3)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problem = last_sprint_problem(attrs.get("first_sprint"), attrs.get("sprints"))
        if problem:
            raise serializers.ValidationError({"sprints": problem})
        return attrs


class PlannedSlotSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RotationKind.choices)
    sprint = serializers.IntegerField(source="sprint_number")
    start = serializers.DateField()
    end = serializers.DateField()
    member = serializers.IntegerField(source="member_id", allow_null=True)
    member_name = serializers.CharField()
    reserved_hours = serializers.DecimalField(max_digits=6, decimal_places=2)
    kept = serializers.BooleanField(help_text="Already filled before generation; left as it is.")
    reason = serializers.CharField()


class SchedulePlanSerializer(serializers.Serializer):
    cell = serializers.CharField(source="cell.slug")
    first_sprint = serializers.IntegerField()
    sprints = serializers.IntegerField()
    slots = PlannedSlotSerializer(many=True)
    created = serializers.IntegerField(required=False, help_text="Slots created (apply only).")


class CoverageQuerySerializer(serializers.Serializer):
    cell = serializers.SlugRelatedField(slug_field="slug", queryset=Cell.objects.all())
    sprint = serializers.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, required=False)


class CoverageDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    covered = serializers.BooleanField()
    present = serializers.ListField(child=serializers.CharField())
    away = serializers.ListField(child=serializers.CharField())
    others = serializers.ListField(child=serializers.CharField())
    suggested_backup_id = serializers.IntegerField(allow_null=True)
    suggested_backup = serializers.CharField(allow_null=True)
    suggestion_reason = serializers.CharField(allow_blank=True)


class CoverageSerializer(serializers.Serializer):
    cell = serializers.CharField()
    sprint = serializers.IntegerField()
    uncovered_days = serializers.IntegerField()
    days = CoverageDaySerializer(many=True)


class BudgetSerializer(serializers.Serializer):
    cell = serializers.CharField()
    total_weekly_hours = serializers.DecimalField(max_digits=8, decimal_places=2)
    firefighting_weekly = serializers.DecimalField(max_digits=8, decimal_places=2)
    firefighter_weekly_each = serializers.DecimalField(max_digits=8, decimal_places=2)
    firefighter_sprint_each = serializers.DecimalField(max_digits=8, decimal_places=2)
    firefighter_minimum_applied = serializers.BooleanField()
    discovery_weekly = serializers.DecimalField(max_digits=8, decimal_places=2)
    discovery_duty_weekly = serializers.DecimalField(max_digits=8, decimal_places=2)
    planned_discovery_weekly = serializers.DecimalField(max_digits=8, decimal_places=2)
    discovery_duty_over_budget = serializers.BooleanField()


class SwapSerializer(serializers.ModelSerializer):
    first = serializers.PrimaryKeyRelatedField(queryset=RotationAssignment.objects.all())
    second = serializers.PrimaryKeyRelatedField(queryset=RotationAssignment.objects.all())
    first_member = serializers.IntegerField(source="first_member_id", read_only=True)
    second_member = serializers.IntegerField(source="second_member_id", read_only=True)
    agreed_by = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), help_text="Which of the two members agreed (a member id)."
    )
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, allow_null=True)

    class Meta:
        model = Swap
        fields = [
            "id",
            "first",
            "second",
            "first_member",
            "second_member",
            "agreed_on",
            "agreed_by",
            "note",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "first_member", "second_member", "recorded_by", "recorded_at"]
