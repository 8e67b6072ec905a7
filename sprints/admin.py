"""Admin for the sprint planning manager and the sprint manager: sprints, tickets,
spillovers and sprint completions. (Epics have their own admin module.)"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from opencraft_ops.csv_export import export_selected_as_csv
from sprints import services
from sprints.models import (
    BoardSprint,
    CompletionStep,
    MemberSprintUpdate,
    Spillover,
    Sprint,
    SprintCompletion,
    Ticket,
)


class GreenFilter(admin.SimpleListFilter):
    title = "green (estimate, assignee and reviewer)"
    parameter_name = "green"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        return [("yes", "Green"), ("no", "Not green"), ("unestimated", "No estimate")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        missing = Q(story_points__isnull=True) | Q(assignee__isnull=True) | Q(reviewer__isnull=True)
        if self.value() == "yes":
            return queryset.exclude(missing)
        if self.value() == "no":
            return queryset.filter(missing)
        if self.value() == "unestimated":
            return queryset.filter(story_points__isnull=True)
        return queryset


class BoardSprintInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BoardSprint
    extra = 0


@admin.register(Sprint)
class SprintAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["number", "name", "start", "end", "completed_at"]
    search_fields = ["name", "=number"]
    date_hierarchy = "start"
    inlines = [BoardSprintInline]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "key",
        "summary",
        "status",
        "jira_status",
        "cell",
        "sprint",
        "assignee",
        "reviewer",
        "story_points",
        "priority_category",
        "needs_production_access",
        "injection_accepted",
    ]
    list_filter = [
        GreenFilter,
        "status",
        "cell",
        "sprint",
        "priority_category",
        "needs_production_access",
        "injection_accepted",
        "is_recurring",
        "issue_type",
    ]
    search_fields = ["key", "summary", "assignee__user__username", "reviewer__user__username", "epic__key"]
    list_select_related = ["cell", "sprint", "assignee__user", "reviewer__user"]
    raw_id_fields = ["assignee", "reviewer", "epic", "account"]
    list_editable = ["injection_accepted"]
    readonly_fields = ["created_at", "updated_at", "jira_updated_at"]

    def save_model(self, request: HttpRequest, obj: Ticket, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # Only an add, or a change of the sprint, is an entry into a sprint: the changelist's
        # editable column (injection accepted) leaves the sprint out of its form altogether.
        if change and "sprint" not in form.changed_data:
            return
        previous = form.initial.get("sprint") if change else None
        services.ticket_record_sprint_entry(
            ticket=obj,
            previous_sprint_id=getattr(previous, "pk", previous),
            given="added_to_sprint_at" in form.changed_data,
        )


@admin.register(Spillover)
class SpilloverAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    actions = [export_selected_as_csv]
    list_display = ["ticket", "sprint", "cell", "assignee", "status", "explained"]
    list_filter = ["cell", "sprint", ("explanation", admin.EmptyFieldListFilter)]
    search_fields = ["ticket__key", "ticket__summary", "explanation"]
    list_select_related = ["ticket", "sprint", "cell", "assignee__user"]
    raw_id_fields = ["ticket", "assignee"]
    readonly_fields = ["explained_by", "explained_at", "created_at"]

    @admin.display(boolean=True)
    def explained(self, obj: Spillover) -> bool:
        return obj.is_explained


class CompletionStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CompletionStep
    extra = 0
    readonly_fields = ["name", "done_at", "detail"]
    can_delete = False


@admin.register(SprintCompletion)
class SprintCompletionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["sprint", "cell", "state", "attempts", "created_at", "finished_at"]
    list_filter = ["state", "cell"]
    readonly_fields = ["created_at", "finished_at", "last_error", "attempts"]
    inlines = [CompletionStepInline]


@admin.register(MemberSprintUpdate)
class MemberSprintUpdateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Members' written sprint updates, as they recorded them on their board."""

    list_display = ["member", "sprint", "kind", "posted_at", "link"]
    list_filter = ["kind", "sprint", "member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name", "link"]
    list_select_related = ["member__user", "sprint"]
    autocomplete_fields = ["member"]
    date_hierarchy = "posted_at"
