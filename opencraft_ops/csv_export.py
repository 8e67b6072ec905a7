"""CSV downloads of the pages' tables.

A page's view reads its figures once, through its selector, and either renders
them or, with ``?format=csv``, writes the same rows here: one source of figures.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.text import capfirst

CSV_FORMAT = "csv"
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | date | datetime | bool | None


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == CSV_FORMAT


def csv_query(params: QueryDict) -> str:
    """The page's query string with ``format=csv`` (and no page number): its CSV link."""
    query = params.copy()
    query.pop("page", None)
    query["format"] = CSV_FORMAT
    return "?" + query.urlencode()


def text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).isoformat(timespec="minutes")
            if timezone.is_aware(value)
            else value.isoformat()
        )
    if isinstance(value, date | int | Decimal):
        return str(value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read UTF-8 names correctly
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([text(v) for v in row] for row in rows)
    return response


@admin.action(description="Download the selected rows as CSV")
def export_selected_as_csv(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse:
    """An admin action: the selected rows with the change list's columns."""
    fields = [f for f in modeladmin.get_list_display(request) if f != "action_checkbox"]
    header = [capfirst(str(label_for_field(f, modeladmin.model, modeladmin))) for f in fields]

    def rows() -> Iterable[list[Cell]]:
        for obj in queryset:
            line: list[Cell] = []
            for name in fields:
                _, _, value = lookup_field(name, obj, modeladmin)
                plain = isinstance(value, str | int | Decimal | date | datetime | bool) or value is None
                line.append(value if plain else str(value))
            yield line

    return csv_response(filename=modeladmin.model._meta.model_name or "rows", header=header, rows=rows())
