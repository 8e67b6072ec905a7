"""Forms for epics: one epic-update form per budget kind (built from the
questionnaires in ``epic_questions``), status changes, milestones, monthly
budgets and the board's filters."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from django import forms

from epics import answers, questions
from epics import calculations as calc
from epics.models import BudgetKind, EpicStatus
from epics.questions import QType, Question


def _field(question: Question) -> forms.Field:
    attrs: dict[str, str] = {}
    if question.parent:
        attrs = {"data-parent": question.parent, "data-when": " ".join(question.when)}
    common: dict[str, Any] = {"label": question.label, "help_text": question.help, "required": False}
    if question.qtype in (QType.YESNO, QType.YESNO_NA, QType.CHOICE):
        return forms.ChoiceField(choices=question.choices, widget=forms.RadioSelect(attrs=attrs), **common)
    if question.qtype is QType.MULTI:
        return forms.MultipleChoiceField(
            choices=question.choices, widget=forms.CheckboxSelectMultiple(attrs=attrs), **common
        )
    if question.qtype is QType.HOURS:
        return forms.DecimalField(
            max_digits=8,
            decimal_places=2,
            widget=forms.NumberInput(attrs={**attrs, "step": "0.25", "inputmode": "decimal"}),
            **common,
        )
    if question.qtype is QType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={**attrs, "type": "date"}), **common)
    return forms.CharField(widget=forms.Textarea(attrs={**attrs, "rows": 3}), max_length=10000, **common)


class EpicUpdateForm(forms.Form):
    """Base of the three update forms. ``answers`` holds the typed answers
    after a successful ``is_valid()``; errors land on the fields they concern."""

    kind: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers: dict[str, Any] = {}
        self.questionnaire = questions.questionnaire(self.kind)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = {q.key: data.get(q.key) for q in self.questionnaire.questions if q.key not in self.errors}
        cleaned, errors = answers.clean_answers(self.kind, raw)
        for key, messages in errors.items():
            for message in messages:
                self.add_error(None if key == "__all__" else key, message)
        # A field that failed its own parsing (e.g. "abc" hours) already has its error.
        self.answers = cleaned
        return data

    def sections(self) -> list[dict[str, Any]]:
        """Fields grouped by section, follow-ups flagged, for the template."""
        out: list[dict[str, Any]] = []
        for section in self.questionnaire.sections:
            fields = [
                {
                    "field": self[q.key],
                    "question": q,
                    "depth": self._depth(q),
                    "is_choice": q.qtype in (QType.YESNO, QType.YESNO_NA, QType.CHOICE, QType.MULTI),
                }
                for q in self.questionnaire.questions
                if q.section == section
            ]
            out.append({"title": section, "fields": fields})
        return out

    def _depth(self, question: Question) -> int:
        depth = 0
        while question.parent:
            depth += 1
            question = self.questionnaire.question(question.parent)
        return depth


def _build(kind: str, name: str) -> type[EpicUpdateForm]:
    questionnaire = questions.questionnaire(kind)
    attrs: dict[str, Any] = {q.key: _field(q) for q in questionnaire.questions}
    attrs["kind"] = kind
    attrs["__module__"] = __name__
    return type(name, (EpicUpdateForm,), attrs)


FixedEpicUpdateForm = _build(BudgetKind.FIXED, "FixedEpicUpdateForm")
MonthlyEpicUpdateForm = _build(BudgetKind.MONTHLY, "MonthlyEpicUpdateForm")
AdHocEpicUpdateForm = _build(BudgetKind.NONE, "AdHocEpicUpdateForm")

UPDATE_FORMS: dict[str, type[EpicUpdateForm]] = {
    BudgetKind.FIXED: FixedEpicUpdateForm,
    BudgetKind.MONTHLY: MonthlyEpicUpdateForm,
    BudgetKind.NONE: AdHocEpicUpdateForm,
}


def update_form_class(kind: str) -> type[EpicUpdateForm]:
    return UPDATE_FORMS[kind]


def initial_answers(
    kind: str, figures: Mapping[str, Decimal | None], stored: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Initial values: the stored answers when editing, else the portal's figures."""
    if stored:
        return dict(answers.from_json(kind, stored))
    initial: dict[str, Any] = {}
    for question in questions.questionnaire(kind).questions:
        if question.figure and figures.get(question.figure) is not None:
            initial[question.key] = figures[question.figure]
    return initial


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="Move to", choices=())
    note = forms.CharField(label="Why (optional)", max_length=500, required=False)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(EpicStatus.choices)
        field = self.fields["to_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, labels[s]) for s in calc.next_statuses(current)]


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=255)
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class BudgetKindForm(forms.Form):
    budget_kind = forms.ChoiceField(label="Budget kind", choices=BudgetKind.choices)
    budget_hours = forms.DecimalField(
        label="Fixed budget (hours)",
        max_digits=9,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="Only for a fixed budget; monthly budgets have their own history below.",
    )


class BudgetPeriodForm(forms.Form):
    hours_per_month = forms.DecimalField(label="Hours per month", max_digits=8, decimal_places=2, min_value=0)
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=255, required=False)


class BoardFilterForm(forms.Form):
    owner = forms.TypedChoiceField(label="Owner or reviewer", required=False, coerce=int, empty_value=None)
    budget_kind = forms.ChoiceField(
        label="Budget", required=False, choices=[("", "Any"), *BudgetKind.choices]
    )
    health = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All epics"), ("bad", "Over budget or late"), ("update-missing", "Update missing")],
    )
    q = forms.CharField(label="Search", required=False, max_length=100)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Anyone"), *members]
