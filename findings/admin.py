from django.contrib import admin

from findings.models import Evaluation, Finding


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = [
        "rule",
        "subject",
        "cell_id",
        "severity",
        "first_seen",
        "last_seen",
        "resolved_at",
        "acknowledged_at",
    ]
    list_filter = ["rule", "severity", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["rule", "subject", "message"]
    date_hierarchy = "first_seen"
    readonly_fields = [f.name for f in Finding._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False  # the evaluations write them


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["scope", "checked_at", "duration_ms", "open_count"]
    readonly_fields = ["scope", "cell_id", "checked_at", "duration_ms", "open_count"]
