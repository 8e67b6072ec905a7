"""Epic updates rendered as JIRA wiki markup (the epic comment) and as Markdown.

Both follow the shape of the handbook's templates: a title with the sprint,
sections as level-3 headings, each question as a level-4 heading with its
answer below, follow-ups as red level-5 headings under an "if not" line. Pure
functions over typed answers (see ``answers.from_json``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from epics.questions import NA, NO, YES, QType, Question, questionnaire

FOLLOW_UP_COLOUR = "#de350b"
MARKER_PREFIX = "ops-epic-update:"


def marker(ref: str) -> str:
    """The tag that identifies an update's comment in JIRA, so a retry finds it."""
    return f"{MARKER_PREFIX}{ref}"


# Characters with a meaning in JIRA wiki markup (text effects, links, macros, tables,
# emoticons, lists) and in Markdown (CommonMark lets any ASCII punctuation be escaped).
_WIKI_SPECIAL = re.compile(r"([\\{}\[\]*_+^~?|!#()-])")
_WIKI_BLOCK = re.compile(r"^(\s*)(h[1-6]|bq)\.", re.MULTILINE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|<>~])")
_MARKDOWN_ORDERED = re.compile(r"^(\s*\d+)\.", re.MULTILINE)


def escape(text: str, *, wiki: bool) -> str:
    """``text`` (a person's words) shown literally in JIRA wiki markup or Markdown:
    no formatting, links, macros or headings of its own."""
    if wiki:
        return _WIKI_BLOCK.sub(r"\1\2\\.", _WIKI_SPECIAL.sub(r"\\\1", text))
    return _MARKDOWN_ORDERED.sub(r"\1\\.", _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def _hours(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _format(question: Question, value: Any, *, wiki: bool) -> str:
    if value is None or value == "":
        return "_Nothing to add._" if question.qtype is QType.TEXT else "_(no answer)_"
    if question.qtype in (QType.YESNO, QType.YESNO_NA):
        if wiki:
            return {YES: "(/) Yes", NO: "(x) No", NA: "N/A"}[value]
        return {YES: "✅ Yes", NO: "❌ No", NA: "N/A"}[value]
    if question.qtype is QType.CHOICE:
        label = dict(question.choices)[value]
        marks = {YES: "(/) ", NO: "(x) "} if wiki else {YES: "✅ ", NO: "❌ "}
        return f"{marks.get(value, '')}{label}"
    if question.qtype is QType.MULTI:
        labels = dict(question.choices)
        return "\n".join(f"{'*' if wiki else '-'} {labels[item]}" for item in value)
    if question.qtype is QType.HOURS:
        return f"{_hours(value)} h"
    if isinstance(value, date):
        return value.isoformat()
    return escape(str(value), wiki=wiki)


def _summary(template: str, answers: Mapping[str, Any]) -> str:
    values = {key: _hours(v) if isinstance(v, Decimal) else "?" for key, v in answers.items()}
    for key in _placeholders(template):
        values.setdefault(key, "?")
    return template.format(**values)


def _placeholders(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def render(
    kind: str,
    answers: Mapping[str, Any],
    *,
    sprint_label: str,
    wiki: bool,
    ref: str | None = None,
    author: str = "",
) -> str:
    """The whole update. ``ref`` adds the hidden-ish marker line (wiki only)."""
    form = questionnaire(kind)
    lines: list[str] = []

    def heading(level: int, text: str, *, colour: bool = False) -> None:
        if wiki:
            body = f"{{color:{FOLLOW_UP_COLOUR}}}{text}{{color}}" if colour else text
            lines.extend([f"h{level}. {body}", ""])
        else:
            lines.extend([f"{'#' * (level - 1)} {text}", ""])

    heading(2, f"{form.title} ({sprint_label})")
    if author:
        lines.extend([f"_By {escape(author, wiki=wiki)}_", ""])
    for section in form.sections:
        heading(3, section)
        if section == form.questions[0].section:
            heading(4, form.summary_heading)
            lines.extend([_summary(form.summary, answers), ""])
        announced: set[str] = set()
        for question in form.questions:
            if question.section != section or not question.rendered:
                continue
            if question.is_follow_up:
                if question.key not in answers:
                    continue
                assert question.parent is not None
                parent = form.question(question.parent)
                if not parent.is_follow_up and parent.key not in announced:
                    opener = "If so:" if YES in question.when else "If not:"
                    lines.extend([f"*{opener}*" if wiki else f"**{opener}**", ""])
                    announced.add(parent.key)
                heading(5, question.label, colour=True)
            else:
                heading(4, question.label)
            lines.extend([_format(question, answers.get(question.key), wiki=wiki), ""])
    if ref and wiki:
        lines.append(f"{{color:#97a0af}}_Posted from opencraft_ops [{marker(ref)}]_{{color}}")
    return "\n".join(lines).rstrip() + "\n"
