"""Validation and storage of epic-update answers, shared by the forms, the
REST API and the services.

``clean_answers`` is pure: it accepts raw strings (from a form or JSON) or
already-typed values, and returns the typed answers of the questions that
apply plus a dict of field errors. Answers to follow-ups that do not apply are
dropped rather than rejected, so a form that keeps hidden values still saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from epics.questions import MAX_HOURS, NO, YES, QType, Question, questionnaire


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _parse(question: Question, value: object) -> tuple[Any, str | None]:
    """(typed value, error message) for one non-blank answer."""
    qtype = question.qtype
    if qtype in (QType.YESNO, QType.YESNO_NA, QType.CHOICE):
        text = str(value).strip().lower() if not isinstance(value, bool) else (YES if value else NO)
        allowed = [key for key, _ in question.choices]
        if text not in allowed:
            return None, f"Choose one of: {', '.join(label for _, label in question.choices)}."
        return text, None
    if qtype is QType.MULTI:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return None, "Give a list of choices."
        known = {key for key, _ in question.choices}
        picked = [str(item) for item in items]
        unknown = [item for item in picked if item not in known]
        if unknown:
            return None, f"Unknown choice: {', '.join(unknown)}."
        return [key for key, _ in question.choices if key in picked], None
    if qtype is QType.HOURS:
        if isinstance(value, bool | float):
            value = str(value)
        try:
            hours = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None, "Enter a number of hours, e.g. 12.5."
        if not hours.is_finite():
            return None, "Enter a number of hours, e.g. 12.5."
        if hours < 0:
            return None, "Hours cannot be negative."
        if question.positive and hours == 0:
            return None, "Enter more than zero hours."
        if hours > MAX_HOURS:
            return None, f"That is more than {MAX_HOURS} hours; check the figure."
        return hours.quantize(Decimal("0.01")), None
    if qtype is QType.DATE:
        if isinstance(value, date):
            return value, None
        try:
            return date.fromisoformat(str(value).strip()), None
        except ValueError:
            return None, "Enter a date as YYYY-MM-DD."
    text = str(value).strip()
    if len(text) > 10000:
        return None, "Keep this under 10,000 characters."
    return text, None


def _missing_message(question: Question) -> str:
    if question.is_follow_up:
        return "Answer this follow-up: the answer above needs it."
    return "Answer this question."


def clean_answers(kind: str, raw: Mapping[str, object]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Typed answers of the questions that apply, and field errors.

    A question applies when it has no parent, or its parent applies and has one
    of the answers in ``when``. Required questions that apply must be answered;
    answers to questions that do not apply are dropped. Keys that are no
    question of this kind are reported under ``"__all__"``.
    """
    form = questionnaire(kind)
    known = {q.key for q in form.questions}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - known)
    if unknown:
        errors["__all__"] = [f"Not a question of this update: {', '.join(unknown)}."]
    cleaned: dict[str, Any] = {}
    applies: dict[str, bool] = {}
    for question in form.questions:
        if question.parent is None:
            active = True
        else:
            active = applies.get(question.parent, False) and cleaned.get(question.parent) in question.when
        applies[question.key] = active
        if not active:
            continue
        value = raw.get(question.key)
        if _is_blank(value):
            if question.required:
                errors.setdefault(question.key, []).append(_missing_message(question))
            elif question.qtype is QType.TEXT:
                cleaned[question.key] = ""
            continue
        typed, error = _parse(question, value)
        if error:
            errors.setdefault(question.key, []).append(error)
            continue
        if question.qtype is QType.MULTI and not typed and question.required:
            errors.setdefault(question.key, []).append("Pick at least one.")
            continue
        cleaned[question.key] = typed
    return cleaned, errors


def to_json(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as JSON-safe values: hours as strings (exact decimals), dates ISO."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def from_json(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored answers back to typed values (unknown keys and bad values skipped)."""
    form = questionnaire(kind)
    typed: dict[str, Any] = {}
    for question in form.questions:
        if question.key not in data or _is_blank(data[question.key]):
            if question.key in data and question.qtype is QType.TEXT:
                typed[question.key] = ""
            continue
        value, error = _parse(question, data[question.key])
        if error is None:
            typed[question.key] = value
    return typed
