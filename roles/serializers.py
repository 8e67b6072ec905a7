"""API representations of the organisation.

Every writable serializer runs the model's own validation (``full_clean``:
field validators, ``clean()`` and the database constraints checked in Python)
so the API answers 400 with the same field messages as the forms and the
admin, before anything is written.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from opencraft_ops.api_router import MAX_ID
from opencraft_ops.process_checks import Severity
from roles.access import AWAY, sees_absence_detail
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


class ModelCleanSerializer(serializers.ModelSerializer):
    """Validates the would-be instance with the model's ``full_clean``."""

    #: model fields not set through this serializer (skipped by field checks)
    clean_exclude: tuple[str, ...] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model: type[models.Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(exclude=list(self.clean_exclude))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs


class CellSerializer(ModelCleanSerializer):
    class Meta:
        model = Cell
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "description",
            "firefighting_rules",
            "client_sla_hours",
            "firefighting_percent",
            "discovery_percent",
            "discovery_duty_hours_per_week",
            "firefighter_min_hours_per_sprint",
            "jira_project_key",
            "jira_board_id",
            "created_on",
        ]


class RoleSerializer(ModelCleanSerializer):
    class Meta:
        model = Role
        fields = [
            "id",
            "slug",
            "name",
            "purpose",
            "responsibilities",
            "scope",
            "max_holders",
            "backups_required",
            "is_cell_management",
            "generalist_only",
            "core_only",
            "temporary",
            "reserved_hours_per_week",
            "reserved_hours_per_month",
            "sort_order",
        ]


class MemberSerializer(ModelCleanSerializer):
    """A member as read (with the type and commitment in force today) and as
    updated; members are created with ``MemberCreateSerializer``."""

    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.CharField(source="user.email", read_only=True, help_text="Empty when unknown.")
    current_type = serializers.CharField(read_only=True, allow_null=True)
    current_weekly_hours = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True
    )
    clean_exclude = ("user",)

    class Meta:
        model = Member
        fields = [
            "id",
            "username",
            "name",
            "email",
            "cell",
            "timezone",
            "jira_account_id",
            "joined_on",
            "left_on",
            "email_digest",
            "current_type",
            "current_weekly_hours",
        ]


class MemberCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    cell = serializers.PrimaryKeyRelatedField(queryset=Cell.objects.all(), allow_null=True)
    member_type = serializers.ChoiceField(choices=MemberType.choices, default=MemberType.NEWCOMER)
    weekly_hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("80"),
        default=Decimal("40"),
        error_messages={
            "min_value": "Weekly hours cannot be negative.",
            "max_value": "Weekly hours cannot exceed 80.",
        },
    )
    timezone = serializers.CharField(max_length=64, default="UTC")
    jira_account_id = serializers.CharField(max_length=128, required=False, allow_null=True, default=None)
    joined_on = serializers.DateField()


class MemberTypePeriodSerializer(ModelCleanSerializer):
    class Meta:
        model = MemberTypePeriod
        fields = ["id", "member", "member_type", "since", "note"]
        # One change a day is the model's check, reported on ``since`` (DRF's
        # own unique-together validator would answer for the whole payload).
        validators: list[object] = []


class WeeklyCommitmentSerializer(ModelCleanSerializer):
    class Meta:
        model = WeeklyCommitment
        fields = ["id", "member", "hours_per_week", "since", "note"]
        validators: list[object] = []  # as above
        # The model's messages, not DRF's generic "Ensure this value is ...".
        extra_kwargs = {
            "hours_per_week": {
                "error_messages": {
                    "min_value": "Weekly hours cannot be negative.",
                    "max_value": "Weekly hours cannot exceed 80.",
                }
            }
        }


class TimeOffSerializer(ModelCleanSerializer):
    """Time off. The kind and note are private (roles.access.sees_absence_detail):
    other readers get ``kind: "away"`` and an empty note."""

    class Meta:
        model = TimeOff
        fields = ["id", "member", "kind", "start", "end", "hours_per_day", "note"]

    def to_representation(self, instance: TimeOff) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not sees_absence_detail(request.user, instance.member):
            data["kind"] = AWAY
            data["note"] = ""
        return data


class RoleAssignmentSerializer(ModelCleanSerializer):
    role_slug = serializers.CharField(source="role.slug", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    clean_exclude = ("exclusive",)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "member",
            "member_name",
            "role",
            "role_slug",
            "cell",
            "since",
            "until",
            "backup",
            "handed_over_to",
            "transition_until",
            "note",
        ]


class HandoverSerializer(serializers.Serializer):
    """A handover of an assignment to a successor who holds the role from ``starts_on``."""

    to_member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    starts_on = serializers.DateField()
    transition_until = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to two weeks after the handover."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class FindingSerializer(serializers.Serializer):
    """A stored finding (``findings.models.Finding``): its episode's lifecycle included.
    Also serializes a finding computed on demand (a past day's), whose lifecycle fields are null."""

    id = serializers.SerializerMethodField()
    rule = serializers.CharField()
    severity = serializers.SerializerMethodField()
    message = serializers.CharField()
    subject = serializers.CharField()
    url = serializers.CharField()
    cell = serializers.IntegerField(source="cell_id", allow_null=True)
    member = serializers.IntegerField(source="member_id", allow_null=True)
    role = serializers.SerializerMethodField()
    first_seen = serializers.SerializerMethodField()
    last_seen = serializers.SerializerMethodField()
    resolved_at = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    acknowledged_at = serializers.SerializerMethodField()
    acknowledgement_note = serializers.SerializerMethodField()
    snoozed_until = serializers.SerializerMethodField()

    def get_id(self, finding: Any) -> int | None:
        return getattr(finding, "pk", None)

    def get_severity(self, finding: Any) -> str:
        label = getattr(finding, "severity_label", None)
        return str(label if label is not None else finding.severity.label)

    def get_role(self, finding: Any) -> str | None:
        return finding.role_slug or None

    def _when(self, finding: Any, name: str) -> str | None:
        value = getattr(finding, name, None)
        return value.isoformat() if value is not None else None

    def get_first_seen(self, finding: Any) -> str | None:
        return self._when(finding, "first_seen")

    def get_last_seen(self, finding: Any) -> str | None:
        return self._when(finding, "last_seen")

    def get_resolved_at(self, finding: Any) -> str | None:
        return self._when(finding, "resolved_at")

    def get_acknowledged_at(self, finding: Any) -> str | None:
        return self._when(finding, "acknowledged_at")

    def get_snoozed_until(self, finding: Any) -> str | None:
        return self._when(finding, "snoozed_until")

    def get_acknowledged_by(self, finding: Any) -> str | None:
        return getattr(finding, "acknowledged_by_name", None) or None

    def get_acknowledgement_note(self, finding: Any) -> str | None:
        return getattr(finding, "acknowledgement_note", None) or None


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SnoozeSerializer(serializers.Serializer):
    """Either ``days`` (1 to 90) or ``until`` (an ISO date-time; in the past lifts the snooze)."""

    days = serializers.IntegerField(required=False, min_value=1, max_value=90)
    until = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "days" not in attrs and "until" not in attrs:
            raise serializers.ValidationError("Say how long: days (1 to 90) or until (an ISO date-time).")
        return attrs


class RecheckSerializer(serializers.Serializer):
    cell = serializers.IntegerField(required=False, min_value=1)


class FindingQuerySerializer(serializers.Serializer):
    """The findings endpoint's query parameters, validated."""

    cell = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    member = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    rule = serializers.CharField(required=False, max_length=100)
    severity = serializers.ChoiceField(choices=[s.label for s in Severity], required=False)


class RotationHoldersQuerySerializer(serializers.Serializer):
    """The rotation holders endpoint's query parameters, validated."""

    cell = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from roles.rotation_holders import MAX_DAYS

        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The end comes before the start."})
        if (attrs["end"] - attrs["start"]).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"end": f"Ask for at most {MAX_DAYS} days at a time."})
        return attrs
