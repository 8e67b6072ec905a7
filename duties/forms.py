"""Forms of the duties pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from duties.clock import WINDOW_CHOICES
from duties.triage import SEVERITY_CHOICES
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
        if day.year < 2000 or day.year > 2100:
            raise forms.ValidationError("Give a date between 2000 and 2100.")
        return day


class ClockForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Member.objects.select_related("user").order_by("user__username"))
    pinged_at = forms.DateTimeField(
        label="Pinged at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In the portal's time zone unless an offset is given.",
    )
    window = forms.ChoiceField(choices=WINDOW_CHOICES)


class NotesForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000)
