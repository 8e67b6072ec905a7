"""Forms of the rotation pages. Querysets are narrowed to the cell in ``__init__``."""

from __future__ import annotations

from typing import Any

from django import forms

from opencraft_ops.calendar import MAX_SPRINT_NUMBER
from roles.models import Cell, Member
from rotations.models import RotationAssignment, RotationKind
from rotations.services.schedule import MAX_SPRINTS, last_sprint_problem


class ChangeSlotForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label="New holder")
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(cell=cell).select_related("user")  # type: ignore[attr-defined]


class FillSlotForm(forms.Form):
    """An empty slot of the grid: its kind and first day come from the grid, the holder is picked."""

    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in RotationKind if k != RotationKind.FIREFIGHTER_BACKUP]
    )
    start = forms.DateField()
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label="Holder")
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(cell=cell).select_related("user")  # type: ignore[attr-defined]


class SwapForm(forms.Form):
    slots = forms.ModelMultipleChoiceField(
        queryset=RotationAssignment.objects.none(), help_text="Tick exactly two slots in the grid."
    )
    agreed_on = forms.DateField(help_text="When both members agreed to the swap.")
    agreed_by = forms.ModelChoiceField(
        queryset=Member.objects.none(), help_text="Which of the two members agreed to the other's request."
    )
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slots"].queryset = RotationAssignment.objects.filter(cell=cell).select_related(  # type: ignore[attr-defined]
            "member__user", "cell"
        )
        self.fields["agreed_by"].queryset = Member.objects.filter(cell=cell).select_related("user")  # type: ignore[attr-defined]

    def clean_slots(self) -> list[RotationAssignment]:
        slots = list(self.cleaned_data["slots"])
        if len(slots) != 2:
            raise forms.ValidationError("Tick exactly two slots to swap.")
        return sorted(slots, key=lambda a: (a.start, a.kind))


class BackupForm(forms.Form):
    sprint = forms.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER)
    member = forms.ModelChoiceField(queryset=Member.objects.none())
    start = forms.DateField()
    end = forms.DateField()
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(cell=cell).select_related("user")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The last day cannot be before the first.")
        return data


class GenerateForm(forms.Form):
    first_sprint = forms.IntegerField(min_value=1, max_value=MAX_SPRINT_NUMBER, label="From sprint")
    sprints = forms.IntegerField(min_value=1, max_value=MAX_SPRINTS, initial=3, label="Number of sprints")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problem = last_sprint_problem(data.get("first_sprint"), data.get("sprints"))
        if problem:
            self.add_error("sprints", problem)
        return data
