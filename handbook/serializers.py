from __future__ import annotations

from rest_framework import serializers

from handbook.registry import Kind


class RulesQuerySerializer(serializers.Serializer):
    cell = serializers.SlugField(required=False, help_text="A cell's slug (default: yours, or every cell).")
    kind = serializers.ChoiceField(choices=[k.value for k in Kind], required=False)


class RuleStateSerializer(serializers.Serializer):
    id = serializers.CharField(source="rule.id")
    section = serializers.CharField(source="rule.section")
    summary = serializers.CharField(source="rule.summary")
    kind = serializers.ChoiceField(source="rule.kind", choices=[k.value for k in Kind])
    kind_label = serializers.CharField(source="rule.kind.label")
    enforced = serializers.BooleanField(source="rule.enforced")
    enforcer = serializers.CharField(
        source="rule.enforcer",
        help_text="A process check's name, a duty's slug, or a function's dotted path; empty when "
        "the portal cannot help with the rule.",
    )
    enforcer_title = serializers.CharField()
    why_manual = serializers.CharField(
        source="rule.why_manual",
        help_text="Manual rules: the data the portal would need to check the rule and lacks (may be empty).",
    )
    open_findings = serializers.IntegerField(allow_null=True, help_text="Process checks only.")
    last_fired = serializers.DateField(allow_null=True, help_text="Process checks only.")
    open_duties = serializers.IntegerField(allow_null=True, help_text="Duties only.")
    findings_url = serializers.CharField()
    checked_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Process checks only: when the stored findings counted here were last evaluated "
        "(null when never).",
    )
