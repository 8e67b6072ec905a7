"""The admin for role holders: the member page carries its assignments,
commitments, type history and time off; every model shows its history
(read-only, from django-simple-history). Validation is the models' own
``clean()``, so the admin refuses what the forms and the API refuse.

Each inline row's ``clean()`` checks it against the database, which cannot see
the other rows of the same POST (and leaves out the stored copies of the rows
the POST deletes or edits); the inline formsets below check the rows against
each other. A save the database still refuses (another request saved a
clashing row meanwhile) re-shows the form with the reason, never a 500.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from roles.calculations import periods_overlap, tenure_label
from roles.integrity import refusal_error
from roles.models import (
    Cell,
    CommitmentChangeRequest,
    Conference,
    ConferenceParticipation,
    Member,
    MemberTypePeriod,
    Role,
    RoleAssignment,
    TimeOff,
    WeeklyCommitment,
)
from roles.services import role_assignment_end


class RowsFormSet(BaseInlineFormSet):
    """An inline formset that checks its rows against each other before
    Django's own checks (``check_rows``).

    Each row's model ``clean()`` checks it against the stored rows, whose copies
    of the rows this POST deletes or edits are about to change: those are left
    out of it (the model's ``exclude_pks``), ``check_rows`` weighing their new
    values instead. So "delete a row and add an overlapping replacement" or
    "end a row and add the next one" is one save."""

    def full_clean(self) -> None:
        if self.is_bound:
            changing = frozenset(
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk is not None and form.has_changed()
            )
            for form in self.forms:
                form.instance.exclude_pks = changing
        super().full_clean()

    def kept_rows(self) -> list[forms.ModelForm]:
        """The rows that would be saved: valid, filled in, not marked for deletion."""
        return [
            form
            for form in self.forms
            if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        self.check_rows(self.kept_rows())
        super().clean()  # Django's unique checks, for what check_rows did not flag

    def check_rows(self, rows: list[forms.ModelForm]) -> None:
        raise NotImplementedError


def _pairs(rows: list[forms.ModelForm]) -> list[tuple[forms.ModelForm, forms.ModelForm]]:
    """Each pair of rows with at least one of them new or changed (rows stored
    as they are were checked when they were saved), the later row second."""
    return [
        (first, second)
        for i, first in enumerate(rows)
        for second in rows[i + 1 :]
        if first.has_changed() or second.has_changed()
    ]


def _span(since: object, until: object) -> str:
    return f"{since} to {until}" if until else f"{since} on"


class TimeOffFormSet(RowsFormSet):
    def check_rows(self, rows: list[forms.ModelForm]) -> None:
        for first, second in _pairs(rows):
            if first.errors or second.errors:
                continue
            a, b = first.cleaned_data, second.cleaned_data
            if periods_overlap(a["start"], a["end"], b["start"], b["end"]):
                second.add_error(
                    "start",
                    f"Two time off rows overlap: {_span(a['start'], a['end'])} and "
                    f"{_span(b['start'], b['end'])}. Shorten or remove one.",
                )


class AssignmentFormSet(RowsFormSet):
    """Rows of the same role in the same place (cell, or company-wide) over
    overlapping dates: one row at most for a single-holder role, and never more
    than the role's holders with the other members' assignments."""

    def check_rows(self, rows: list[forms.ModelForm]) -> None:
        def same_place(a: dict[str, Any], b: dict[str, Any]) -> bool:
            return a["role"] == b["role"] and a.get("cell") == b.get("cell")

        def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
            return periods_overlap(a["since"], a.get("until"), b["since"], b.get("until"))

        for first, second in _pairs(rows):
            a, b = first.cleaned_data, second.cleaned_data
            if first.errors or second.errors or not same_place(a, b) or not a["role"].is_exclusive:
                continue
            if overlap(a, b):
                second.add_error(
                    "since",
                    f"Two rows give {a['role'].name}{self._where(a)} over overlapping dates "
                    f"({_span(a['since'], a.get('until'))} and {_span(b['since'], b.get('until'))}); "
                    "it has one holder at a time. End the first row before the second starts.",
                )
        for row in rows:
            data = row.cleaned_data
            role: Role = data["role"]
            if row.errors or not row.has_changed() or role.max_holders is None or role.max_holders < 2:
                continue
            others = row.instance.overlapping()
            if self.instance.pk is not None:
                others = others.exclude(member_id=self.instance.pk)  # this page's rows count below
            siblings = sum(
                1
                for other in rows
                if other is not row
                and not other.errors
                and same_place(data, other.cleaned_data)
                and overlap(data, other.cleaned_data)
            )
            held = others.count() + siblings + 1
            if held > role.max_holders:
                row.add_error(
                    "since",
                    f"{role.name} has at most {role.max_holders} holders at a time{self._where(data)}; "
                    f"with the other rows of this page {held} would hold it over these dates.",
                )

    @staticmethod
    def _where(data: dict[str, Any]) -> str:
        return f" in {data['cell']}" if data.get("cell") else " company-wide"


class OneChangePerDayFormSet(RowsFormSet):
    """Dated history rows (commitments, type periods): one change a day."""

    what = "changes"

    def check_rows(self, rows: list[forms.ModelForm]) -> None:
        seen: set[object] = set()
        for row in rows:
            since = row.cleaned_data["since"]
            if since in seen:
                row.add_error(
                    "since",
                    f"Two {self.what} start on {since}. Keep one change a day: edit the other row instead.",
                )
            seen.add(since)


class CommitmentFormSet(OneChangePerDayFormSet):
    what = "commitments"


class TypePeriodFormSet(OneChangePerDayFormSet):
    what = "type changes"


class AssignmentInline(admin.TabularInline):
    model = RoleAssignment
    formset = AssignmentFormSet
    fk_name = "member"
    extra = 0
    fields = ["role", "cell", "since", "until", "backup", "handed_over_to", "transition_until", "note"]
    autocomplete_fields = ["role", "backup", "handed_over_to"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        # Rows of rotation roles stored before the schedule became the only answer are kept,
        # never shown as holders (the rotation schedule names them).
        return super().get_queryset(request).holdings()  # type: ignore[attr-defined]


class CommitmentInline(admin.TabularInline):
    model = WeeklyCommitment
    formset = CommitmentFormSet
    extra = 0
    fields = ["since", "hours_per_week", "note"]


class TypePeriodInline(admin.TabularInline):
    model = MemberTypePeriod
    formset = TypePeriodFormSet
    extra = 0
    fields = ["since", "member_type", "note"]


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    formset = TimeOffFormSet
    extra = 0
    fields = ["kind", "start", "end", "hours_per_day", "note"]


class RefusalAsFormErrorAdmin(SimpleHistoryAdmin):
    """When the database refuses a save that passed every check (another
    request saved a clashing row between the checks and the save), the admin's
    transaction has rolled the whole change back; the form is shown again with
    the user's input and the reason instead of a server error."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as exc:
            if request.method != "POST":
                raise
            request.roles_refusal = refusal_error(exc)  # type: ignore[attr-defined]
            # Validate the same POST again; the form's clean() adds the reason, so nothing saves.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form_class: type[forms.ModelForm] = super().get_form(request, obj, change, **kwargs)
        refusal: ValidationError | None = getattr(request, "roles_refusal", None)
        if refusal is None:
            return form_class
        reason = ValidationError([f"Nothing was saved: {message}" for message in refusal.messages])

        class RefusedForm(form_class):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                self.add_error(None, reason)
                return data

        return RefusedForm


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
class CellAdmin(RefusalAsFormErrorAdmin):
    list_display = ["name", "kind", "client_sla_hours", "jira_project_key", "jira_board_id", "created_on"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "jira_project_key"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Member)
class MemberAdmin(RefusalAsFormErrorAdmin):
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
class RoleAdmin(RefusalAsFormErrorAdmin):
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
class RoleAssignmentAdmin(RefusalAsFormErrorAdmin):
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        # Rotation roles are held through the rotation schedule: their old rows are not holders.
        return super().get_queryset(request).holdings()  # type: ignore[attr-defined]

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
class WeeklyCommitmentAdmin(RefusalAsFormErrorAdmin):
    list_display = ["member", "hours_per_week", "since", "note"]
    list_filter = ["member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name"]
    list_select_related = ["member__user"]
    autocomplete_fields = ["member"]


@admin.register(CommitmentChangeRequest)
class CommitmentChangeRequestAdmin(admin.ModelAdmin):
    """Requests to change weekly hours. Decisions are made on the deciders' page
    (``/org/commitment-requests/``), which records the commitment; here the decided fields
    are read-only so the admin cannot approve without one."""

    list_display = ["member", "hours_per_week", "since", "status", "requested_at", "decided_by", "decided_at"]
    list_filter = ["status", "member__cell"]
    search_fields = [
        "member__user__username",
        "member__user__first_name",
        "member__user__last_name",
        "reason",
    ]
    list_select_related = ["member__user", "decided_by__user"]
    autocomplete_fields = ["member"]
    date_hierarchy = "requested_at"
    readonly_fields = ["status", "decided_by", "decided_at", "decision_note"]


@admin.register(MemberTypePeriod)
class MemberTypePeriodAdmin(RefusalAsFormErrorAdmin):
    list_display = ["member", "member_type", "since", "note"]
    list_filter = ["member_type", "member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name"]
    list_select_related = ["member__user"]
    autocomplete_fields = ["member"]


@admin.register(TimeOff)
class TimeOffAdmin(RefusalAsFormErrorAdmin):
    list_display = ["member", "kind", "start", "end", "hours_per_day", "note"]
    list_filter = ["kind", "member__cell"]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name", "note"]
    list_select_related = ["member__user"]
    autocomplete_fields = ["member"]
    date_hierarchy = "start"


class ConferenceParticipationInline(admin.TabularInline):
    model = ConferenceParticipation
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "attending", "excused_reason", "talk_title", "talk_status", "co_presenting_with"]


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    """Staff record each year's conference; members answer on their own page."""

    list_display = ["year", "name", "starts_on", "ends_on", "proposals_due_on"]
    search_fields = ["name"]
    inlines = [ConferenceParticipationInline]


@admin.register(ConferenceParticipation)
class ConferenceParticipationAdmin(admin.ModelAdmin):
    list_display = [
        "member",
        "conference",
        "attending",
        "talk_status",
        "talk_title",
        "co_presenting_with",
        "updated_at",
    ]
    list_filter = ["conference", "attending", "talk_status", "member__cell"]
    search_fields = [
        "member__user__username",
        "member__user__first_name",
        "member__user__last_name",
        "talk_title",
    ]
    list_select_related = ["member__user", "conference"]
    autocomplete_fields = ["member"]


# API tokens: only a digest is stored (``roles.auth.token_digest``), so a token made here
# could never be presented. Staff see who has one and since when, and revoke it; members
# get theirs from /api/token/.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created")
    search_fields = ("user__username",)
    ordering = ("-created",)
    fields = ("user", "created")
    readonly_fields = ("user", "created")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
