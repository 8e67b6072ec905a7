"""Admin for the sprint manager and staff: rotations with filters and history,
swaps, firefighting policies, calendar feeds, webhook endpoints and their delivery log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from opencraft_ops.csv_export import export_selected_as_csv
from rotations.models import (
    CalendarFeed,
    FirefightingPolicy,
    RotationAssignment,
    RotationKind,
    Swap,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    mask_secret,
)
from rotations.services import editing, rules
from rotations.services.webhooks import webhook_endpoint_rotate_secret, webhook_redeliver


class RotationAssignmentForm(forms.ModelForm):
    """The admin form checks the same rules as the grid and the API (period of the kind,
    the cell's policy, eligibility, double booking) and shows each on its field."""

    reserved_hours = forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Leave empty on a new slot to take the cell's budget (firefighters, discovery duty).",
    )

    class Meta:
        model = RotationAssignment
        fields = ["kind", "cell", "member", "start", "end", "reserved_hours", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or data.get("member") is None:
            return data
        member = data["member"]
        if self.instance.pk is None:
            problems = rules.new_slot_problems(
                kind=data["kind"], cell=data.get("cell"), member=member, start=data["start"], end=data["end"]
            )
        else:
            # Compared with the row as it is now (a revert from the history starts from an old version).
            current = (
                RotationAssignment.objects.filter(pk=self.instance.pk)
                .values_list("member_id", flat=True)
                .first()
            )
            why = rules.holder_problem(self.instance, member) if member.pk != current else None
            problems = {"member": [why]} if why else {}
        for field, messages_ in problems.items():
            for message in messages_:
                self.add_error(field if field in self.fields else None, message)
        return data


def _refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A refusal from a service that the form could not foresee (another edit committed in
    between): an error message on the page the user came from, nothing saved."""
    messages.error(request, "Not saved: " + " ".join(exc.messages))
    return HttpResponseRedirect(request.get_full_path())


@admin.register(RotationAssignment)
class RotationAssignmentAdmin(SimpleHistoryAdmin):
    """Saves and deletes go through ``rotations.services.editing``: the rules are checked,
    the pager follows the firefighters and a ``rotation.changed`` webhook goes out.

    The form checks the rules first; a refusal the service still raises (a concurrent edit
    took the slot meanwhile) rolls everything back and comes back as an error message."""

    form = RotationAssignmentForm
    actions = [export_selected_as_csv]
    list_display = ["kind", "member", "cell", "sprint", "start", "end", "reserved_hours", "set_by_hand"]
    list_filter = ["kind", "cell", "sprint", "set_by_hand", ("start", admin.DateFieldListFilter)]
    search_fields = ["member__user__username", "member__user__first_name", "member__user__last_name", "note"]
    raw_id_fields = ["member"]
    list_select_related = ["member__user", "cell", "sprint"]
    date_hierarchy = "start"

    def get_readonly_fields(self, request: HttpRequest, obj: RotationAssignment | None = None) -> list[str]:
        # Moving a slot in time, to another cell or kind is a new slot: delete it and add one.
        return ["sprint", "reason", "set_by_hand"] + (
            ["kind", "cell", "start", "end"] if obj is not None else []
        )

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            return _refused(request, exc)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            return _refused(request, exc)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except ValidationError as exc:  # from the bulk delete
            return _refused(request, exc)

    def save_model(
        self, request: HttpRequest, obj: RotationAssignment, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            saved = editing.rotation_create(
                kind=obj.kind,
                cell=obj.cell,
                member=obj.member,
                start=obj.start,
                end=obj.end,
                reserved_hours=data.get("reserved_hours"),
                note=obj.note,
            )
        else:
            saved = RotationAssignment.objects.select_related("member__user", "cell", "sprint").get(pk=obj.pk)
            editing.rotation_update(
                assignment=saved,
                member=data["member"],
                reserved_hours=data.get("reserved_hours"),
                note=data.get("note", ""),
            )
        for f in RotationAssignment._meta.concrete_fields:
            setattr(obj, f.attname, getattr(saved, f.attname))

    def delete_model(self, request: HttpRequest, obj: RotationAssignment) -> None:
        editing.rotation_delete(assignment=obj)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RotationAssignment]) -> None:
        """All or nothing. Firefighters first: pager shifts that went with them are skipped."""
        slots = sorted(
            queryset.select_related("member__user", "cell", "sprint"),
            key=lambda a: (a.kind == RotationKind.PAGER, a.pk),
        )
        for assignment in slots:
            if (
                assignment.kind == RotationKind.PAGER
                and not RotationAssignment.objects.filter(pk=assignment.pk).exists()
            ):
                continue
            editing.rotation_delete(assignment=assignment)


@admin.register(Swap)
class SwapAdmin(admin.ModelAdmin):
    """Swaps are recorded from the grid or the API, where the rules are checked and the
    slots really change hands; here they are read (the note can be corrected)."""

    list_display = [
        "first_member",
        "second_member",
        "first",
        "second",
        "agreed_on",
        "agreed_by",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = [("agreed_on", admin.DateFieldListFilter), "first__cell"]
    list_select_related = [
        "first_member__user",
        "second_member__user",
        "first__member__user",
        "second__member__user",
        "agreed_by__user",
        "recorded_by",
    ]
    search_fields = ["first_member__user__username", "second_member__user__username", "note"]
    readonly_fields = [
        "first",
        "second",
        "first_member",
        "second_member",
        "agreed_on",
        "agreed_by",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FirefightingPolicy)
class FirefightingPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["cell", "firefighters_per_sprint", "ops_reviewer", "pager"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "cell"]
    readonly_fields = ["token_digest", "member", "cell", "owner", "created_at", "last_used_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued from the feeds page, where the URL is shown once

    @admin.action(description="Revoke the selected feeds")
    def revoke(self, request: HttpRequest, queryset: QuerySet[CalendarFeed]) -> None:
        from rotations.services.feeds import feed_revoke

        for feed in queryset:
            feed_revoke(feed=feed)
        messages.success(request, f"{queryset.count()} feed(s) revoked.")


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "status", "attempts", "last_status_code", "created_at"]
    readonly_fields = ["event", "status", "attempts", "last_status_code", "created_at"]
    extra = 0
    max_num = 0
    show_change_link = True
    ordering = ["-created_at"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "url", "is_active", "timeout_seconds", "max_attempts", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    inlines = [DeliveryInline]
    # The secret is generated, shown once (after adding, or rotating it) and masked afterwards.
    exclude = ["secret"]
    readonly_fields = ["masked_secret"]
    actions = ["rotate_secret"]

    @admin.display(description="Secret")
    def masked_secret(self, obj: WebhookEndpoint) -> str:
        return mask_secret(obj.secret) if obj.pk else "Generated when you save; shown once."

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self._show_once(request, obj)

    def _show_once(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        messages.warning(
            request,
            f"Secret of {obj.name}: {obj.secret} (copy it to the receiver now; it will not be shown again).",
        )

    @admin.action(description="Rotate the secret (the new one is shown once)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            webhook_endpoint_rotate_secret(endpoint=endpoint)
            self._show_once(request, endpoint)

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        form.base_fields["events"].help_text = "A JSON list, e.g. " + str(list(WebhookEvent.values)).replace(
            "'", '"'
        )
        return form


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["delivery_id", "dedupe_key", "last_error"]
    readonly_fields = [
        "endpoint",
        "event",
        "delivery_id",
        "dedupe_key",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "log",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    ]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected deliveries again")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        queued = busy = 0
        for delivery in queryset:
            if webhook_redeliver(delivery=delivery):
                queued += 1
            else:
                busy += 1
        messages.success(request, f"{queued} delivery(ies) queued again.")
        if busy:
            messages.warning(request, f"{busy} delivery(ies) being sent right now were left alone.")
