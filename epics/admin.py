"""Admin for epics: the epic planning and sustainability manager's view of
statuses, budgets, milestones and updates. Status edits follow the allowed
transitions and are recorded like the ones made on the epic page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from epics import calculations as calc
from epics.models import Epic, EpicBudgetPeriod, EpicMilestone, EpicStatus, EpicStatusChange, EpicUpdate


class EpicAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Epic
        fields = [
            "jira_id",
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

    def clean_status(self) -> str:
        status: str = self.cleaned_data["status"]
        current = self.instance.status if self.instance.pk else None
        if current and status != current and not calc.can_transition(current, status):
            allowed = ", ".join(str(EpicStatus(s).label) for s in calc.next_statuses(current))
            raise forms.ValidationError(
                f"An epic cannot go from {EpicStatus(current).label} to {EpicStatus(status).label}. "
                f"Allowed next: {allowed}."
            )
        return status


class MilestoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EpicMilestone
    extra = 0


class BudgetPeriodInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EpicBudgetPeriod
    extra = 0


class StatusChangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EpicStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Epic)
class EpicAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    form = EpicAdminForm
    list_display = ["key", "title", "cell", "status", "budget_kind", "budget_hours", "owner", "reviewer"]
    list_filter = ["cell", "status", "budget_kind"]
    search_fields = ["key", "title", "client"]
    list_select_related = ["cell", "owner__user", "reviewer__user"]
    autocomplete_fields: list[str] = []
    inlines = [MilestoneInline, BudgetPeriodInline, StatusChangeInline]

    def save_model(self, request: HttpRequest, obj: Epic, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        if change and "status" in form.changed_data:
            EpicStatusChange.objects.create(
                epic=obj,
                from_status=form.initial.get("status", ""),
                to_status=obj.status,
                changed_by=request.user if request.user.is_authenticated else None,
                note="Changed in the admin",
            )
        super().save_model(request, obj, form, change)


@admin.register(EpicUpdate)
class EpicUpdateAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ["epic", "sprint", "author", "budget_kind", "post_state", "jira_comment_id", "updated_at"]
    list_filter = ["post_state", "budget_kind", "epic__cell"]
    search_fields = ["epic__key", "epic__title"]
    list_select_related = ["epic", "sprint", "author__user"]
    readonly_fields = [
        "ref",
        "jira_comment_id",
        "post_attempts",
        "post_error",
        "posted_at",
        "created_at",
        "updated_at",
    ]
