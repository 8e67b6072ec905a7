"""Forms of the duties pages."""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import timezone

from duties.triage import SEVERITY_CHOICES
from roles.clock import WINDOW_CHOICES, YEAR_RANGE_MESSAGE, year_in_range
from roles.models import Member


class TriageForm(forms.Form):
    severity = forms.ChoiceField(
        choices=SEVERITY_CHOICES, help_text="As given by the alert, or your own assessment."
    )
    reported_on = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the alert came in.",
    )

    def clean_reported_on(self) -> date:
        day: date = self.cleaned_data["reported_on"]
        if not year_in_range(day):
            raise forms.ValidationError(YEAR_RANGE_MESSAGE)
        return day


class ClockForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Member.objects.select_related("user", "cell").order_by("user__username")
    )
    pinged_at = forms.DateTimeField(
        label="Pinged at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In your own time zone unless an offset is given.",
    )
    window = forms.ChoiceField(choices=WINDOW_CHOICES)

    def clean_pinged_at(self) -> datetime:
        at: datetime = self.cleaned_data["pinged_at"]
        if not year_in_range(at.date()):
            raise forms.ValidationError(YEAR_RANGE_MESSAGE)
        return at


class NotesForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000)
