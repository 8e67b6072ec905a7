"""Forms of the roles pages. Validation lives in the model and the services;
``apply_validation_error`` puts a service's errors on the form's fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from roles.models import ConferenceParticipation, TalkStatus, TimeOffKind
from roles.selectors import NO_CELL


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


class CommitmentRequestForm(forms.Form):
    """A member asks to change their weekly hours (the model checks the bounds and the date)."""

    hours_per_week = forms.DecimalField(
        label="Hours per week",
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "80"}),
    )
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class CommitmentDecisionForm(forms.Form):
    """Approve or decline a request; declining needs a note (the service says so)."""

    note = forms.CharField(required=False, max_length=2000, widget=forms.TextInput())


def _yes(value: str) -> bool:
    return value == "yes"


class ConferenceParticipationForm(forms.Form):
    """A member's answer to the conference. The rules (a talk status needs a title, the
    excused do not attend) are the model's, applied by the service."""

    attending = forms.TypedChoiceField(
        choices=[("yes", "Yes, I attend"), ("no", "No, I do not attend")],
        coerce=_yes,
        widget=forms.RadioSelect,
        label="Attending",
        error_messages={"required": "Say whether you attend."},
    )
    excused_reason = forms.CharField(
        required=False,
        label="Excused because",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only when you cannot attend: the exceptional and important personal circumstances.",
    )
    talk_title = forms.CharField(required=False, max_length=200, label="Talk title")
    talk_status = forms.ChoiceField(choices=TalkStatus.choices, initial=TalkStatus.NONE, label="Talk status")
    co_presenting_with = forms.CharField(
        required=False,
        max_length=200,
        label="Co-presenting with",
        help_text="If you co-present a talk with someone else from OpenCraft.",
    )

    @classmethod
    def for_answer(cls, participation: ConferenceParticipation | None) -> ConferenceParticipationForm:
        if participation is None:
            return cls()
        return cls(
            initial={
                "attending": "yes" if participation.attending else "no",
                "excused_reason": participation.excused_reason,
                "talk_title": participation.talk_title,
                "talk_status": participation.talk_status,
                "co_presenting_with": participation.co_presenting_with,
            }
        )


class DirectoryFilterForm(forms.Form):
    """The directory's member filter (a GET form): words of a name, a cell, a role held today."""

    q = forms.CharField(
        required=False,
        max_length=100,
        strip=True,
        label="Name",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    cell = forms.ChoiceField(required=False, label="Cell")
    role = forms.ChoiceField(required=False, label="Role")

    def __init__(
        self, *args: object, cells: list[tuple[str, str]], roles: list[tuple[str, str]], **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cell_field, role_field = self.fields["cell"], self.fields["role"]
        assert isinstance(cell_field, forms.ChoiceField) and isinstance(role_field, forms.ChoiceField)
        cell_field.choices = [("", "Every cell"), *cells, (NO_CELL, "Outside the cells")]
        role_field.choices = [("", "Any role"), *roles]
        for name in ("cell", "role"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"There is no {name} “%(value)s”; pick one from the list."
            )


def apply_validation_error(form: forms.Form, exc: ValidationError) -> None:
    """Adds a model/service ``ValidationError`` to ``form``, field by field
    where the form has the field, otherwise as a form-wide error."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            form.add_error(target, errors)
    else:
        form.add_error(None, exc.messages)
