from __future__ import annotations

from django import forms

from estimation.calculations import RULE_CHOICES, SCALE, VOTE_CHOICES


class VoteForm(forms.Form):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    value = forms.ChoiceField(choices=VOTE_CHOICES, label="Points")
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what you assumed, or what worries you.",
    )


class RevealForm(forms.Form):
    """Without ``item``: reveal every ticket of the session."""

    item = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class AddTicketForm(forms.Form):
    key = forms.CharField(
        max_length=32, label="Ticket key", help_text="A ticket of the cell in the estimated sprint."
    )

    def clean_key(self) -> str:
        return str(self.cleaned_data["key"]).strip().upper()


class DecideForm(forms.Form):
    item = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    points = forms.ChoiceField(
        choices=[("", "no decision")] + [(str(v), str(v)) for v in SCALE],
        required=False,
        label="Keeper's decision",
    )


class CloseForm(forms.Form):
    rule = forms.ChoiceField(choices=RULE_CHOICES, label="Rule")
