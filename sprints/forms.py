from __future__ import annotations

from django import forms

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from sprints.models import Spillover, UpdateKind


class SpilloverExplanationForm(forms.ModelForm):  # type: ignore[type-arg]
    explanation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        strip=False,
        help_text="What kept the ticket from being finished, and what happens next.",
    )

    class Meta:
        model = Spillover
        fields = ["explanation"]

    def clean_explanation(self) -> str:
        text: str = self.cleaned_data["explanation"].strip()
        if not text:
            raise forms.ValidationError("Say why the ticket spilled over.")
        return text


class SprintChoiceForm(forms.Form):
    sprint = forms.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, required=False)


class MemberSprintUpdateForm(forms.Form):
    """A member records their written sprint update; ``services.member_sprint_update_record``
    checks the sprint and the link, with the messages the page shows."""

    kind = forms.ChoiceField(choices=UpdateKind.choices)
    sprint = forms.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER)
    link = forms.CharField(max_length=500, required=False, help_text="The forum post (optional).")
    note = forms.CharField(max_length=500, required=False)
