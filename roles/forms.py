"""Forms of the roles pages. Validation lives in the model and the services;
``apply_validation_error`` puts a service's errors on the form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from roles.models import TimeOffKind


class TimeOffForm(forms.Form):
    kind = forms.ChoiceField(choices=TimeOffKind.choices, initial=TimeOffKind.VACATION)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hours_per_day = forms.DecimalField(
        required=False,
        max_digits=4,
        decimal_places=2,
        min_value=0.25,
        max_value=24,
        help_text="Leave empty for whole days off.",
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )
    note = forms.CharField(required=False, max_length=255)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "Time off cannot end before it starts.")
        return data


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Adds a model/service ``ValidationError`` to ``form``, field by field
    where the form has the field, otherwise as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            form.add_error(target, errors)
    else:
        form.add_error(None, exc.messages)
