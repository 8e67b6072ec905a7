"""Forms of the sustainability pages: the period picker, review items, CSV import."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from sustainability.dashboard import PERIOD_KINDS, PeriodChoice
from sustainability.models import AccountCategory, AccountsReviewItem

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
MAX_CUSTOM_DAYS = 366 * 10


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        choices=[(k, k.replace("reference", "reference period").capitalize()) for k in PERIOD_KINDS],
        required=False,
        initial="quarter",
    )
    sprint = forms.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, required=False)
    month = forms.CharField(required=False, help_text="YYYY-MM", max_length=7)
    quarter = forms.CharField(required=False, help_text="YYYY-Qn", max_length=7)
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)

    def clean_month(self) -> str:
        value: str = self.cleaned_data.get("month") or ""
        if value and not MONTH_RE.match(value):
            raise forms.ValidationError("Enter a month as YYYY-MM, e.g. 2026-03.")
        return value

    def clean_quarter(self) -> str:
        value: str = self.cleaned_data.get("quarter") or ""
        if value and not QUARTER_RE.match(value):
            raise forms.ValidationError("Enter a quarter as YYYY-Qn, e.g. 2026-Q1.")
        return value.upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("A custom period needs a start and an end date.")
            if end < start:
                raise forms.ValidationError("The end date cannot be before the start date.")
            if end - start > timedelta(days=MAX_CUSTOM_DAYS):
                raise forms.ValidationError("A custom period can span ten years at most.")
        return data

    def choice(self) -> PeriodChoice:
        """The picked period (call after ``is_valid()``)."""
        data = self.cleaned_data
        kind = data.get("period") or "quarter"
        year = data.get("year")
        month = quarter = None
        if kind == "month" and (m := MONTH_RE.match(data.get("month") or "")):
            year, month = int(m.group(1)), int(m.group(2))
        if kind == "quarter" and (q := QUARTER_RE.match(data.get("quarter") or "")):
            year, quarter = int(q.group(1)), int(q.group(2))
        return PeriodChoice(
            kind=kind,
            sprint=data.get("sprint"),
            year=year,
            month=month,
            quarter=quarter,
            start=data.get("start"),
            end=data.get("end"),
        )


class ReviewItemForm(forms.ModelForm):
    class Meta:
        model = AccountsReviewItem
        fields = ["category", "kind", "ticket_key", "previous_account_key", "new_account_key", "text"]
        widgets = {"text": forms.TextInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == "change" and not (
            data.get("previous_account_key") and data.get("new_account_key")
        ):
            raise forms.ValidationError("A change needs the previous and the new account.")
        if data.get("kind") == "question" and not data.get("text"):
            raise forms.ValidationError("Write the open question.")
        return data


class CsvImportForm(forms.Form):
    kind = forms.ChoiceField(choices=[("worklogs", "Worklogs"), ("accounts", "Accounts")])
    file = forms.FileField(help_text="UTF-8 CSV with a header row; see the README for the columns.")

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; use the management command.")
        return upload


def month_from_string(value: str) -> date | None:
    m = MONTH_RE.match(value)
    return date(int(m.group(1)), int(m.group(2)), 1) if m else None


CATEGORY_LABELS = dict(AccountCategory.choices)
