from __future__ import annotations

from django import forms

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from sprints.models import Spillover


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
