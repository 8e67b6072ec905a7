"""The form of a member's notification settings (``notifications.views.preferences``)."""

from __future__ import annotations

from typing import Any

from django import forms


class PreferenceForm(forms.Form):
    by_email = forms.BooleanField(required=False, label="By email")
    by_chat = forms.BooleanField(
        required=False, label="By chat", help_text="To your personal chat webhooks, if you have any."
    )
    quiet_start = forms.TimeField(
        required=False,
        label="Quiet hours from",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Your local time. Leave both empty for no quiet hours.",
    )
    quiet_end = forms.TimeField(
        required=False,
        label="until",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="May be the next morning: 22:00 until 07:00 spans midnight.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if "quiet_start" in self.errors or "quiet_end" in self.errors:
            return data
        if start is None and end is not None:
            self.add_error("quiet_start", "Give both ends of the quiet hours, or neither.")
        elif end is None and start is not None:
            self.add_error("quiet_end", "Give both ends of the quiet hours, or neither.")
        elif start is not None and start == end:
            self.add_error("quiet_end", "Quiet hours must end at another time than they start.")
        return data
