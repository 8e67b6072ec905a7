"""Pages of the sustainability app: dashboards, worklog drill-down, reports, CSV import."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods

from opencraft_ops.csv_export import csv_query, csv_response, wants_csv
from opencraft_ops.responses import bad_request
from roles.models import Cell
from roles.permissions import member_of, sees_every_cell
from sustainability import access, exports, reports, selectors, services
from sustainability import calculations as calc
from sustainability.dashboard import (
    DEFAULT_PERIOD,
    PeriodChoice,
    build_dashboard,
    build_preview,
    build_quarterly,
    scope_period,
)
from sustainability.forms import CsvImportForm, PeriodForm, ReviewItemForm, month_from_string
from sustainability.importing import ImportError_, import_csv
from sustainability.models import Account


def _period_choice(request: HttpRequest) -> tuple[PeriodForm, PeriodChoice, int]:
    """The picked period, and the status of the page: 400 when the period given is
    invalid (the page still renders, with the form's errors and the current quarter)."""
    form = PeriodForm(request.GET or None)
    if form.is_valid():
        return form, form.choice(), 200
    return form, PeriodChoice(DEFAULT_PERIOD), 400 if form.is_bound else 200


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    member = member_of(request.user)
    if member is not None and member.cell is not None:
        return redirect("sustainability:cell", slug=member.cell.slug)
    access.require_company_view(request.user)
    return redirect("sustainability:company")


def _dashboard(request: HttpRequest, cell: Cell | None) -> HttpResponse:
    form, choice, status = _period_choice(request)
    include_non_cell = form.include_non_cell if status == 200 else False
    if wants_csv(request) and status != 200:
        return bad_request("The period given is not valid; nothing to download.")
    data = build_dashboard(
        cell=cell, choice=choice, as_of=timezone.localdate(), include_non_cell=include_non_cell
    )
    if wants_csv(request):
        return csv_response(
            filename=f"account-budgets-{cell.slug if cell else 'company'}-{data.period.start}-{data.period.end}",
            header=exports.ACCOUNT_HEADER,
            rows=exports.account_rows(data.accounts),
        )
    # The scope links: only the dashboards the viewer may open (every cell's for those who
    # see every cell; otherwise their own cell's, beside the company-wide figures).
    cells = Cell.objects.none()
    if access.can_view_company(request.user):
        cells = Cell.objects.order_by("name")
        if not sees_every_cell(request.user):
            viewer = member_of(request.user)
            cells = cells.filter(pk__in=[viewer.cell_id] if viewer is not None and viewer.cell_id else [])
    drill_down = request.GET.copy()
    drill_down["scope"] = cell.slug if cell is not None else "company"
    return render(
        request,
        "sustainability/dashboard.html",
        {
            "data": data,
            "form": form,
            "cell": cell,
            "cells": cells,
            "query": request.GET.urlencode(),
            "csv_url": csv_query(request.GET),
            "drill_down_query": drill_down.urlencode(),
            "can_manage": cell is not None and access.can_manage_sustainability(request.user, cell),
            "quarter": calc.quarter_of(data.period.end),
        },
        status=status,
    )


@login_required
@require_GET
def cell_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    cell = get_object_or_404(Cell, slug=slug)
    access.require_scope_view(request.user, cell)
    return _dashboard(request, cell)


@login_required
@require_GET
def company_dashboard(request: HttpRequest) -> HttpResponse:
    access.require_company_view(request.user)
    return _dashboard(request, None)


@login_required
@require_GET
def account_worklogs(request: HttpRequest, key: str) -> HttpResponse:
    """An account's worklogs in the picked period, 50 a page. Members of a cell see
    the worklogs of their cell's accounts; on accounts without a cell, only their
    cell's members' worklogs unless they see the company-wide figures.

    ``scope`` (a cell slug or ``company``; the dashboard's links carry it, the
    account's cell by default) is the dashboard the period is resolved for, so
    "reference period" means the same dates as on that dashboard."""
    account = get_object_or_404(Account.objects.select_related("cell"), key=key)
    own_cell_only = None
    if account.cell is not None:
        access.require_scope_view(request.user, account.cell)
    elif not access.can_view_company(request.user):
        member = member_of(request.user)
        if member is None or member.cell_id is None:
            raise PermissionDenied("You can only see your own cell's worklogs.")
        own_cell_only = member.cell_id
    form, choice, status = _period_choice(request)
    scope = request.GET.get("scope") or (account.cell.slug if account.cell else "company")
    scope_cell = None
    if scope != "company":
        same = account.cell is not None and account.cell.slug == scope
        scope_cell = account.cell if same else selectors.cell_by_slug(scope)
        if scope_cell is None:
            return bad_request(f"Unknown scope {scope!r}: give a cell's slug or 'company'.")
    period = scope_period(choice, cell=scope_cell, as_of=timezone.localdate())
    worklogs = selectors.worklogs_of_account(account, period)
    if own_cell_only is not None:
        worklogs = worklogs.filter(member__cell_id=own_cell_only)
    if wants_csv(request):
        if status != 200:
            return bad_request("The period given is not valid; nothing to download.")
        return csv_response(
            filename=f"worklogs-{account.key}-{period.start}-{period.end}",
            header=exports.WORKLOG_HEADER,
            rows=exports.worklog_rows(worklogs.iterator(chunk_size=2000)),
        )
    page = Paginator(worklogs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    back = params.copy()
    back.pop("scope", None)
    back_url = (
        reverse("sustainability:company")
        if scope_cell is None
        else reverse("sustainability:cell", args=[scope_cell.slug])
    )
    if scope_cell is None and own_cell_only is not None:
        # Never a link to a page the viewer may not open: their own cell's dashboard instead.
        back_url = reverse("sustainability:index")
    return render(
        request,
        "sustainability/worklogs.html",
        {
            "account": account,
            "page": page,
            "period": period,
            "form": form,
            "query": params.urlencode(),
            "back_url": f"{back_url}?{back.urlencode()}",
            "scope": scope,
            "csv_url": csv_query(request.GET),
        },
        status=status,
    )


# --- Reports ---------------------------------------------------------------------


def _report_response(
    request: HttpRequest,
    *,
    title: str,
    texts: dict[str, str],
    filename: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    fmt = request.GET.get("format", "markdown")
    if fmt not in reports.FORMATS:
        return bad_request(f"Unknown format {fmt!r}; use markdown or jira.")
    if request.GET.get("download"):
        suffix = "md" if fmt == "markdown" else "jira.txt"
        response = HttpResponse(texts[fmt], content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.{suffix}"'
        return response
    return render(
        request,
        "sustainability/report.html",
        {"title": title, "texts": texts, "fmt": fmt, **(extra or {})},
    )


def _cell_or_company(request: HttpRequest, slug: str) -> Cell | None:
    cell = None if slug == "company" else get_object_or_404(Cell, slug=slug)
    access.require_scope_view(request.user, cell)
    return cell


@login_required
@require_GET
def preview_report(request: HttpRequest, slug: str) -> HttpResponse:
    cell = get_object_or_404(Cell, slug=slug)
    access.require_scope_view(request.user, cell)
    preview = build_preview(cell=cell, as_of=timezone.localdate())
    texts = {fmt: reports.sprint_preview(preview, cell_name=cell.name, fmt=fmt) for fmt in reports.FORMATS}
    return _report_response(
        request,
        title=f"Sustainability preview for Sprint {preview.next_number} ({cell.name})",
        texts=texts,
        filename=f"sustainability-preview-{cell.slug}-sprint-{preview.next_number}",
        extra={"cell": cell},
    )


@login_required
@require_GET
def quarterly_report(request: HttpRequest, slug: str, year: int, quarter: int) -> HttpResponse:
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
        raise Http404("No such quarter.")
    cell = _cell_or_company(request, slug)
    variant = request.GET.get("variant") or None
    if variant not in (None, "within", "above"):
        return bad_request("The variant is 'within' or 'above'.")
    non_cell = request.GET.get("non_cell", "0")
    if non_cell not in ("0", "1"):
        return bad_request("non_cell is 0 (the handbook's ratio over cell hours) or 1 (non-cell counted).")
    table = build_quarterly(cell=cell, year=year, quarter=quarter, include_non_cell=non_cell == "1")
    if wants_csv(request):
        return csv_response(
            filename=f"sustainability-{slug}-{year}-q{quarter}",
            header=exports.QUARTERLY_HEADER,
            rows=exports.quarterly_rows(table),
        )
    name = cell.name if cell else "OpenCraft"
    texts = {
        fmt: reports.quarterly_update(table, cell_name=name, fmt=fmt, variant=variant)
        for fmt in reports.FORMATS
    }
    return _report_response(
        request,
        title=f"{name}: Q{quarter} {year} sustainability update",
        texts=texts,
        filename=f"sustainability-{slug}-{year}-q{quarter}",
        extra={
            "cell": cell,
            "table": table,
            "variant": variant or ("within" if table.within_target else "above"),
            "non_cell": non_cell if cell is None else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accounts_review(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    cell = get_object_or_404(Cell, slug=slug)
    access.require_scope_view(request.user, cell)
    first = month_from_string(month)
    if first is None:
        raise Http404("Months look like 2026-10.")
    form = ReviewItemForm()
    if request.method == "POST":
        access.require_manage_sustainability(request.user, cell)
        form = ReviewItemForm(request.POST)
        if form.is_valid():
            services.accounts_review_item_add(
                cell=cell, month=first, author=member_of(request.user), **form.cleaned_data
            )
            messages.success(request, "Recorded in the accounts review.")
            return redirect(reverse("sustainability:accounts-review", args=[cell.slug, month]))
    period = calc.month_period(first.year, first.month)
    accounts = selectors.accounts_info()
    tickets = selectors.review_tickets(cell=cell, period=period, accounts=accounts)
    flagged = [(t, calc.suspect_reasons(t, accounts)) for t in tickets]
    review = selectors.accounts_review(cell=cell, month=first)
    entries = [
        reports.ReviewEntry(
            i.category, i.kind, i.ticket_key, i.previous_account_key, i.new_account_key, i.text
        )
        for i in (review.items.all() if review else [])
    ]
    texts = {
        fmt: reports.accounts_review(
            cell_name=cell.name, month=first, tickets=flagged, entries=entries, fmt=fmt
        )
        for fmt in reports.FORMATS
    }
    response = _report_response(
        request,
        title=f"Accounts review for {formats.date_format(first, 'YEAR_MONTH_FORMAT')} ({cell.name})",
        texts=texts,
        filename=f"accounts-review-{cell.slug}-{month}",
        extra={
            "cell": cell,
            "review_form": form,
            "can_manage": access.can_manage_sustainability(request.user, cell),
            "flagged": flagged,
            "review": review,
        },
    )
    if request.method == "POST":
        response.status_code = 400
    return response


def last_month(today: date) -> str:
    first = today.replace(day=1)
    previous = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return f"{previous:%Y-%m}"


@login_required
@require_GET
def accounts_review_latest(request: HttpRequest, slug: str) -> HttpResponse:
    return redirect("sustainability:accounts-review", slug=slug, month=last_month(timezone.localdate()))


@staff_member_required
@require_http_methods(["GET", "POST"])
def csv_import(request: HttpRequest) -> HttpResponse:
    form = CsvImportForm()
    result = None
    status = 200
    if request.method == "POST":
        form = CsvImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = import_csv(kind=form.cleaned_data["kind"], stream=form.cleaned_data["file"])
            except ImportError_ as exc:
                result = exc.result
                status = 400
            else:
                messages.success(request, f"Imported {result.created} new and {result.updated} updated rows.")
        else:
            status = 400
    return render(request, "sustainability/import.html", {"form": form, "result": result}, status=status)
