"""The admin for role holders: the member page carries its assignments,
commitments, type history and time off; every model shows its history
(read-only, from django-simple-history). Validation is the models' own
``clean()``, so the admin refuses what the forms and the API refuse."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from roles.calculations import tenure_label
from roles.models import (
    Cell,
    Member,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    TimeOff,
    WeeklyCommitment,
)
from roles.services import role_assignment_end


class AssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "member"
    extra = 0
    fields = ["role", "cell", "since", "until", "backup", "handed_over_to", "transition_until", "note"]
    autocomplete_fields = ["role", "backup", "handed_over_to"]
    show_change_link = True


class CommitmentInline(admin.TabularInline):
    model = WeeklyCommitment
    extra = 0
    fields = ["since", "hours_per_week", "note"]


class TypePeriodInline(admin.TabularInline):
    model = MemberTypePeriod
    extra = 0
    fields = ["since", "member_type", "note"]


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ["kind", "start", "end", "hours_per_day", "note"]


class CurrentFilter(admin.SimpleListFilter):
    title = "held today"
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Held today"), ("no", "Ended or not started")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        day = timezone.localdate()
        current = queryset.filter(since__lte=day).exclude(until__lt=day)
        if self.value() == "yes":
            return current
        if self.value() == "no":
            return queryset.exclude(pk__in=current.values("pk"))
        return queryset


class ActiveMemberFilter(admin.SimpleListFilter):
    title = "still here"
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Active"), ("no", "Left")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        active = Member.objects.active().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


@admin.register(Cell)
class CellAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "client_sla_hours", "jira_project_key", "jira_board_id", "created_on"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "jira_project_key"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cell", "timezone", "jira_account_id", "joined_on", "left_on"]
    list_filter = ["cell", ActiveMemberFilter, "type_periods__member_type"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "jira_account_id",
    ]
    list_select_related = ["user", "cell"]
    autocomplete_fields = ["user"]
    inlines = [AssignmentInline, CommitmentInline, TypePeriodInline, TimeOffInline]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "scope",
        "max_holders",
        "backups_required",
        "is_cell_management",
        "core_only",
        "generalist_only",
        "sort_order",
    ]
    list_filter = ["scope", "is_cell_management", "core_only", "generalist_only", "temporary"]
    search_fields = ["name", "slug", "purpose", "responsibilities"]
    list_editable = ["sort_order"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = [
        "role",
        "member",
        "cell",
        "since",
        "tenure",
        "until",
        "backup",
        "handed_over_to",
        "transition_until",
    ]
    actions = ["end_today"]
    list_filter = [CurrentFilter, "role__scope", "role", "cell"]
    search_fields = [
        "role__name",
        "member__user__username",
        "member__user__first_name",
        "member__user__last_name",
    ]
    list_select_related = ["role", "cell", "member__user", "backup__user", "handed_over_to__user"]
    autocomplete_fields = ["member", "role", "backup", "handed_over_to"]
    date_hierarchy = "since"

    @admin.display(description="tenure")
    def tenure(self, obj: RoleAssignment) -> str:
        return tenure_label(obj.since, timezone.localdate())

    @admin.action(description="End the selected assignments today")
    def end_today(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        today = timezone.localdate()
        ended, refused = 0, []
        for assignment in queryset.filter(Q(until__isnull=True) | Q(until__gt=today)).select_related("role"):
            try:
                role_assignment_end(assignment=assignment, until=max(today, assignment.since))
            except ValidationError as exc:
                refused.append(f"{assignment}: {'; '.join(exc.messages)}")
            else:
                ended += 1
        self.message_user(request, f"Ended {ended} assignment(s).", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)


@admin.register(WeeklyCommitment)
class WeeklyCommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["member", "hours_per_week", "since", "note"]
    list_filter = ["member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name"]
    list_select_related = ["member__user"]
    autocomplete_fields = ["member"]


@admin.register(MemberTypePeriod)
class MemberTypePeriodAdmin(SimpleHistoryAdmin):
    list_display = ["member", "member_type", "since", "note"]
    list_filter = ["member_type", "member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name"]
    list_select_related = ["member__user"]
    autocomplete_fields = ["member"]


@admin.register(TimeOff)
class TimeOffAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "start", "end", "hours_per_day", "note"]
    list_filter = ["kind", "member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name", "note"]
    list_select_related = ["member__user"]
    autocomplete_fields = ["member"]
    date_hierarchy = "start"
