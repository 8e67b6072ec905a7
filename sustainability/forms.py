"""Forms of the sustainability pages: the period picker, review items, CSV import."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django import forms
from django.http import QueryDict

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from sustainability.dashboard import DEFAULT_PERIOD, LEGACY_PERIOD_KINDS, PERIOD_PRESETS, PeriodChoice
from sustainability.models import AccountCategory, AccountsReviewItem

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
MAX_CUSTOM_DAYS = 366 * 10
# Custom ranges stay within the years the portal's data can have (worklogs, targets).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class PeriodForm(forms.Form):
    """One period control: a preset, or a custom range between two dates. The older
    fields (a given sprint, month, quarter or year) are still read from links and the
    API but not shown."""

    period = forms.ChoiceField(
        choices=PERIOD_PRESETS + LEGACY_PERIOD_KINDS,
        required=False,
        initial=DEFAULT_PERIOD,
        label="Period",
    )
    sprint = forms.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, required=False)
    month = forms.CharField(required=False, help_text="YYYY-MM", max_length=7)
    quarter = forms.CharField(required=False, help_text="YYYY-Qn", max_length=7)
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the start as a date, e.g. 2026-01-31."},
    )
    end = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the end as a date, e.g. 2026-03-31."},
    )

    # The company-wide ratio: per the handbook over cell hours only, non-cell hours in
    # their own column; counting them as non-billable is the other, explicit choice.
    non_cell = forms.ChoiceField(
        choices=[("0", "cell hours only (handbook)"), ("1", "non-cell hours counted as non-billable")],
        required=False,
        initial="0",
        label="Company ratio over",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not (self.data.get("period") and self.data.get("non_cell")):
            # What is not given is the default, and the controls show it selected.
            data = QueryDict(mutable=True)
            data.update(self.data)  # type: ignore[arg-type]
            data["period"] = data.get("period") or DEFAULT_PERIOD
            data["non_cell"] = data.get("non_cell") or "0"
            self.data = data
        # The select offers the presets; a legacy kind given in the link stays selected.
        shown = list(PERIOD_PRESETS)
        picked = self.data.get("period") if self.is_bound else None
        shown += [(k, label) for k, label in LEGACY_PERIOD_KINDS if k == picked]
        self.fields["period"].widget.choices = shown

    def clean_start(self) -> date | None:
        return self._within_window(self.cleaned_data.get("start"), "start")

    def clean_end(self) -> date | None:
        return self._within_window(self.cleaned_data.get("end"), "end")

    @staticmethod
    def _within_window(value: date | None, name: str) -> date | None:
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(
                f"The {name} must lie between {EARLIEST_DATE:%Y-%m-%d} and {LATEST_DATE:%Y-%m-%d}."
            )
        return value

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
            if self.errors:  # a date already refused: its own message says why
                return data
            if not start or not end:
                raise forms.ValidationError("A custom range needs a start and an end date.")
            if end < start:
                raise forms.ValidationError("The end date cannot be before the start date.")
            if end - start > timedelta(days=MAX_CUSTOM_DAYS):
                raise forms.ValidationError("A custom period can span ten years at most.")
        return data

    @property
    def legacy_given(self) -> list[forms.BoundField]:
        """The older fields a link gave (kept as hidden inputs so "Show" keeps them)."""
        if not self.is_bound:
            return []
        return [self[name] for name in ("sprint", "month", "quarter", "year") if self.data.get(name)]

    @property
    def include_non_cell(self) -> bool:
        """The company-wide variant picked; the handbook's (cell hours only) unless a valid
        form asks for the other."""
        return self.is_bound and self.is_valid() and self.cleaned_data.get("non_cell") == "1"

    def choice(self) -> PeriodChoice:
        """The picked period (call after ``is_valid()``)."""
        data = self.cleaned_data
        kind = data.get("period") or DEFAULT_PERIOD
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
