"""Admin for the epic planning and sustainability managers: accounts, budgets,
targets (with history), worklogs, reviews and recorded alerts."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from opencraft_ops.csv_export import export_selected_as_csv
from sustainability.models import (
    Account,
    AccountBudget,
    AccountsReview,
    AccountsReviewItem,
    AlertCrossing,
    SustainabilityTarget,
    Worklog,
)


class AccountBudgetInline(admin.TabularInline):
    model = AccountBudget
    extra = 0
    fields = ["kind", "hours", "since", "note"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "category", "billable", "cell", "status", "owner"]
    list_filter = ["category", "billable", "cell", "cell_set_by_hand", "status"]
    search_fields = ["key", "name", "customer"]
    list_select_related = ["cell", "owner__user"]
    raw_id_fields = ["owner"]
    inlines = [AccountBudgetInline]

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: bool) -> None:
        # A cell chosen here is kept by the Tempo sync (unless the box is cleared too).
        if "cell" in form.changed_data and "cell_set_by_hand" not in form.changed_data:
            obj.cell_set_by_hand = True
        super().save_model(request, obj, form, change)


@admin.register(AccountBudget)
class AccountBudgetAdmin(SimpleHistoryAdmin):
    actions = [export_selected_as_csv]
    list_display = ["account", "kind", "hours", "since", "note"]
    list_filter = ["kind", "account__category", "account__cell"]
    search_fields = ["account__key", "account__name"]
    list_select_related = ["account"]
    date_hierarchy = "since"


@admin.register(SustainabilityTarget)
class SustainabilityTargetAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cell", "max_non_billable_percent", "since", "reference_start"]
    list_filter = ["cell"]
    list_select_related = ["cell"]


@admin.register(Worklog)
class WorklogAdmin(admin.ModelAdmin):
    actions = [export_selected_as_csv]
    list_display = ["work_date", "member", "ticket", "account", "seconds", "billable_seconds", "created_at"]
    list_filter = ["account__category", "account__billable", "account__cell"]
    search_fields = ["account__key", "ticket__key", "member__user__username", "description"]
    list_select_related = ["member__user", "ticket", "account"]
    raw_id_fields = ["member", "ticket", "account"]
    date_hierarchy = "work_date"
    show_full_result_count = False  # counting a million rows on every page is slow


class AccountsReviewItemInline(admin.TabularInline):
    model = AccountsReviewItem
    extra = 0


@admin.register(AccountsReview)
class AccountsReviewAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cell", "month", "author", "created_at"]
    list_filter = ["cell"]
    list_select_related = ["cell", "author__user"]
    inlines = [AccountsReviewItemInline]


@admin.register(AlertCrossing)
class AlertCrossingAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "subject",
        "period_start",
        "threshold",
        "value",
        "crossed_at",
        "notified_at",
        "cleared_at",
    ]
    list_filter = ["kind", ("cleared_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "message"]
    readonly_fields = [f.name for f in AlertCrossing._meta.fields]
