"""Admin of the duties app: definitions (also inline on each Role), instances with their
checklists, digests and finding snapshots."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from duties.models import ChecklistItem, DigestSent, DutyDefinition, DutyInstance, FindingSnapshot
from roles.models import Role

DEFINITION_FIELDS: list[Any] = [
    "title",
    "slug",
    "cadence",
    "sprint_week",
    "weekday",
    "day_of_month",
    "offset_days",
    "lead_days",
    "assignee_rule",
    "active",
    "in_force_from",
    "checklist",
]


class DutyDefinitionForm(forms.ModelForm):
    """A definition added here comes into force today unless told otherwise, so the opener
    does not open its past occurrences (overdue as they arrive)."""

    class Meta:
        model = DutyDefinition
        fields = ["role", "description", *DEFINITION_FIELDS, "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "in_force_from" in self.fields:
            self.fields["in_force_from"].initial = timezone.localdate()


class DutyDefinitionInline(admin.StackedInline):
    model = DutyDefinition
    form = DutyDefinitionForm
    extra = 0
    fields = DEFINITION_FIELDS
    show_change_link = True


@admin.register(DutyDefinition)
class DutyDefinitionAdmin(SimpleHistoryAdmin):
    form = DutyDefinitionForm
    list_display = ["title", "role", "cadence", "sprint_week", "weekday", "day_of_month", "active"]
    list_filter = ["cadence", "active", "role"]
    search_fields = ["title", "slug", "role__name", "checklist"]
    list_select_related = ["role"]
    fields = ["role", "description", *DEFINITION_FIELDS, "sort_order"]


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["position", "text", "ticked_at", "ticked_by"]
    raw_id_fields = ["ticked_by"]


@admin.register(DutyInstance)
class DutyInstanceAdmin(SimpleHistoryAdmin):
    list_display = ["definition", "period", "cell", "assignee", "assigned_as", "due_on", "done_at"]
    list_filter = ["definition__role", "assigned_as", "cell", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["definition__title", "period", "assignee__user__username"]
    date_hierarchy = "due_on"
    list_select_related = ["definition", "cell", "assignee__user"]
    raw_id_fields = ["assignee", "done_by", "subject_member"]
    inlines = [ChecklistItemInline]


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ["member", "day", "sent_at", "duties_count"]
    list_select_related = ["member__user"]
    date_hierarchy = "day"


@admin.register(FindingSnapshot)
class FindingSnapshotAdmin(admin.ModelAdmin):
    list_display = ["day", "sprint_number", "cell", "rule", "count"]
    list_filter = ["rule", "cell"]
    date_hierarchy = "day"


def _add_inline_to_role_admin() -> None:
    """Edit a role's duties on its own admin page. The roles app owns RoleAdmin, so the
    inline is added to its registered instance rather than by editing roles/admin.py."""
    role_admin = admin.site._registry.get(Role)
    if role_admin is not None and DutyDefinitionInline not in role_admin.inlines:
        setattr(role_admin, "inlines", [*role_admin.inlines, DutyDefinitionInline])  # noqa: B010


_add_inline_to_role_admin()
