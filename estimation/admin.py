"""Admin for the keepers (the sprint planning manager, staff): sessions with their tickets and
votes, the cells' estimation settings, and actions to reveal, close or resume the JIRA writes."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from estimation import services
from estimation.models import CellEstimationSettings, EstimationItem, EstimationSession, SessionState, Vote
from roles.models import RoleAssignment
from roles.permissions import member_of


def _kept_cells(request: HttpRequest) -> list[int] | None:
    """None for superusers (every cell); otherwise the cells where the user is the sprint
    planning manager (the admin shows them only those sessions)."""
    if request.user.is_superuser:
        return None
    member = member_of(request.user)
    if member is None:
        return []
    today = timezone.localdate()
    return list(
        RoleAssignment.objects.filter(member=member, role__slug="sprint-planning-manager", since__lte=today)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .exclude(cell__isnull=True)
        .values_list("cell_id", flat=True)
    )


class EstimationItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = EstimationItem
    extra = 0
    fields = [
        "ticket",
        "source",
        "revealed_at",
        "keeper_points",
        "final_points",
        "outcome",
        "write_state",
        "last_error",
    ]
    readonly_fields = ["ticket", "source", "final_points", "outcome", "write_state", "last_error"]
    show_change_link = True


@admin.register(EstimationSession)
class EstimationSessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "cell", "sprint", "state", "closes_on", "rule", "closed_at"]
    list_filter = ["state", "cell", "rule"]
    search_fields = ["cell__name", "=sprint__number"]
    list_select_related = ["cell", "sprint"]
    readonly_fields = ["opened_at", "closed_at", "closed_by", "last_error", "state"]
    inlines = [EstimationItemInline]
    actions = ["reveal_all", "close_sessions"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[EstimationSession]:
        qs = super().get_queryset(request)
        cells = _kept_cells(request)
        return qs if cells is None else qs.filter(cell_id__in=cells)

    @admin.action(description="Reveal every vote of the selected open sessions")
    def reveal_all(self, request: HttpRequest, queryset: QuerySet[EstimationSession]) -> None:
        count = sum(
            services.items_reveal(session=session) for session in queryset.filter(state=SessionState.OPEN)
        )
        self.message_user(request, f"Votes revealed on {count} ticket(s).")

    @admin.action(description="Close the selected sessions (or resume their JIRA writes)")
    def close_sessions(self, request: HttpRequest, queryset: QuerySet[EstimationSession]) -> None:
        for session in queryset.exclude(state=SessionState.CLOSED):
            result = services.session_close(session=session, by_user_id=request.user.pk)
            level = messages.SUCCESS if result.state != SessionState.OPEN else messages.WARNING
            self.message_user(request, f"{session}: {result.get_state_display()}", level=level)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["item", "member", "value", "updated_at"]
    list_filter = ["value", "item__session__cell"]
    search_fields = ["item__ticket__key", "member__user__username"]
    list_select_related = ["item__ticket", "item__session__cell", "item__session__sprint", "member__user"]
    raw_id_fields = ["item", "member"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Vote]:
        qs = super().get_queryset(request)
        cells = _kept_cells(request)
        return qs if cells is None else qs.filter(item__session__cell_id__in=cells)


@admin.register(CellEstimationSettings)
class CellEstimationSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["cell", "close_week", "close_weekday", "rule", "large_spread_steps"]
    list_select_related = ["cell"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CellEstimationSettings]:
        qs = super().get_queryset(request)
        cells = _kept_cells(request)
        return qs if cells is None else qs.filter(cell_id__in=cells)
