"""One date and one date-time format across the portal and the admin (issue 14).

Templates name the formats of ``opencraft_ops.formats`` and never spell one out; a
machine format (``Y-m-d`` for an ``<input type=date>`` value or a ``data-`` attribute,
``Ymd`` for an element id, ``c`` for ``datetime=``) is allowed inside an HTML attribute
only, and never in ``title`` or ``aria-label`` (read by people).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, timezone

from opencraft_ops.formats import NAMED

TEMPLATES = Path(settings.BASE_DIR) / "templates"
MACHINE = frozenset({"Y-m-d", "Ymd", "c"})
HUMAN_ATTRIBUTES = frozenset({"title", "aria-label", "alt", "placeholder"})
DATE_FILTER = re.compile(r"\|(date|time):(?P<q>[\"'])(?P<fmt>[^\"']*)(?P=q)")


def ad_hoc_formats(text: str) -> list[str]:
    """The literal formats of ``text`` that are neither a named format nor a machine
    format inside a (non-human) HTML attribute."""
    bad = []
    for match in DATE_FILTER.finditer(text):
        fmt = match["fmt"]
        if fmt in NAMED:
            continue
        before = text[: match.start()]
        in_tag = before.rfind("<") > before.rfind(">")
        if fmt in MACHINE and in_tag:
            attribute = re.findall(r"([\w:-]+)=\"[^\"]*$|([\w:-]+)='[^']*$", before[before.rfind("<") :])
            names = [a or b for a, b in attribute]
            if names and names[-1] not in HUMAN_ATTRIBUTES:
                continue
        bad.append(f"|{match[1]}:{match['q']}{fmt}{match['q']}")
    return bad


def test_the_scan_catches_ad_hoc_formats_and_allows_names_and_machine_attributes() -> None:
    assert ad_hoc_formats('{{ d|date:"j M Y" }}') == ['|date:"j M Y"']
    assert ad_hoc_formats("<p title=\"{{ d|date:'Y-m-d' }}\">") == ["|date:'Y-m-d'"]
    assert ad_hoc_formats("<p>{{ d|date:'Y-m-d' }}</p>") == ["|date:'Y-m-d'"]
    assert ad_hoc_formats('{{ t|time:"H:i" }}') == ['|time:"H:i"']
    assert ad_hoc_formats('{{ d|date:"SHORT_DATE_FORMAT" }} {{ d|date }}') == []
    assert (
        ad_hoc_formats('<input type="date" value="{{ d|date:\'Y-m-d\' }}" id="x-{{ d|date:\'Ymd\' }}">') == []
    )


def test_no_template_spells_out_a_date_format() -> None:
    found = {
        str(path.relative_to(TEMPLATES)): bad
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in {".html", ".txt"} and (bad := ad_hoc_formats(path.read_text()))
    }
    assert found == {}, f"use a named format of opencraft_ops/formats (DATE_FORMAT ...): {found}"


def test_no_view_formats_a_date_by_hand() -> None:
    """Views hand dates to templates, or format them with ``django.utils.formats``; only
    machine formats (digits: ``%Y-%m`` in a URL) are written out."""
    root = Path(settings.BASE_DIR)
    pattern = re.compile(r"strftime\(|:%[^}\"']*%?[aAbBp]")
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.glob("*/views.py")) + sorted(root.glob("*/*_views.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_the_formats_win_over_the_locale_in_pages_and_admin() -> None:
    day, at = date(2026, 12, 7), datetime(2026, 12, 7, 14, 5, tzinfo=UTC)
    with timezone.override("UTC"):
        assert formats.date_format(day) == "Mon 7 Dec 2026"
        assert formats.localize(day) == "Mon 7 Dec 2026"  # the admin's change lists
        assert formats.localize(at) == "Mon 7 Dec 2026, 14:05"
        rendered = Template(
            '{{ d }}|{{ d|date }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ at|date:"DATETIME_FORMAT" }}'
        ).render(Context({"d": day, "at": at}))
    assert rendered == "Mon 7 Dec 2026|Mon 7 Dec 2026|Mon 7 Dec|Mon 7 Dec 2026, 14:05"


def test_forms_still_accept_the_usual_input_formats() -> None:
    from django import forms

    field = forms.DateField()
    assert field.clean("2026-12-07") == date(2026, 12, 7)
    assert field.clean("07/12/2026") == date(2026, 12, 7)
    with pytest.raises(forms.ValidationError):
        field.clean("Mon 7 Dec 2026x")
