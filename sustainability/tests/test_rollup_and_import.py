"""The trigger-maintained rollup agrees with the worklogs; CSV imports are all or nothing."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.test import Client

from sustainability import selectors
from sustainability.calculations import HoursRow, Period
from sustainability.models import Account, Worklog, WorklogMonth
from sustainability.tests.factories import hours

pytestmark = pytest.mark.django_db


def raw_rows(period: Period) -> list[HoursRow]:
    """The truth to compare with: the worklogs of ``period`` summed per month, straight from the table."""
    qs = (
        Worklog.objects.filter(work_date__range=(period.start, period.end))
        .annotate(month=TruncMonth("work_date"))
        .order_by()
        .values("month", "account_id", "member__cell_id")
        .annotate(total=Sum("seconds"), billed=Sum(selectors.BILLED))
    )
    return [HoursRow(r["month"], r["account_id"], r["member__cell_id"], r["total"], r["billed"]) for r in qs]


def _sums(rows: list[Any]) -> dict[tuple[date, int | None, int | None], tuple[int, int]]:
    result: dict[tuple[date, int | None, int | None], tuple[int, int]] = {}
    for r in rows:
        key = (r.month, r.account_id, r.member_cell_id)
        s, b = result.get(key, (0, 0))
        result[key] = (s + r.seconds, b + r.billed_seconds)
    return {k: v for k, v in result.items() if v != (0, 0)}


def test_rollup_follows_inserts_updates_and_deletes(bebop_data: Any, core_member: Any) -> None:
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    raw = raw_rows(period)
    assert _sums(selectors.hours_rows(period)) == _sums(raw)
    worklog = Worklog.objects.filter(account=bebop_data["acme"]).order_by("work_date").first()
    assert worklog is not None
    # Move 10 h from January to March with 4 billable hours; then delete another.
    Worklog.objects.filter(pk=worklog.pk).update(work_date=date(2026, 3, 20), billable_seconds=4 * 3600)
    Worklog.objects.filter(account=bebop_data["internal"], work_date=date(2026, 2, 3)).delete()
    raw = raw_rows(period)
    assert _sums(selectors.hours_rows(period)) == _sums(raw)
    march = WorklogMonth.objects.get(
        month=date(2026, 3, 1), account_id=bebop_data["acme"].pk, member_cell_id=core_member.cell_id
    )
    assert (march.seconds, march.billed_seconds, march.worklogs) == (20 * 3600, 14 * 3600, 2)


def test_a_member_moving_cell_moves_their_hours_in_the_rollup(
    bebop_data: Any, core_member: Any, other_cell: Any
) -> None:
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    core_member.cell = other_cell
    core_member.save()
    rows = selectors.hours_rows(period)
    raw = raw_rows(period)
    assert _sums(rows) == _sums(raw)
    community = [r for r in rows if r.account_id == bebop_data["community"].pk]
    assert [(r.member_cell_id, r.seconds) for r in community] == [(other_cell.pk, 4 * 3600)]


def test_partial_months_come_from_the_worklogs(bebop_data: Any, core_member: Any) -> None:
    hours(core_member, bebop_data["acme"], date(2026, 1, 31), 3)
    period = Period(date(2026, 1, 15), date(2026, 3, 5))
    rows = selectors.hours_rows(period)
    raw = raw_rows(period)
    assert _sums(rows) == _sums(raw)
    acme_january = sum(
        r.seconds for r in rows if r.account_id == bebop_data["acme"].pk and r.month.month == 1
    )
    assert acme_january == 3 * 3600  # the 10 h of 10 January fall outside


ACCOUNTS_CSV = """key,name,category,billable,cell,customer
NEWCO,New client,client,yes,bebop,NewCo Ltd
ACME,Acme renamed,client,true,bebop,
"""


def test_accounts_import_upserts(bebop_data: Any, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS_CSV)
    out = io.StringIO()
    call_command("import_sustainability_csv", "accounts", str(path), stdout=out)
    assert "1 created, 1 updated" in out.getvalue()
    assert Account.objects.get(key="NEWCO").cell is not None
    assert Account.objects.get(key="ACME").name == "Acme renamed"


def test_worklogs_import_then_reimport_updates(bebop_data: Any, core_member: Any, tmp_path: Path) -> None:
    path = tmp_path / "worklogs.csv"
    path.write_text(
        "member,account,work_date,hours,billable_hours,tempo_id,description\n"
        f"{core_member.user.username},ACME,2026-04-02,2.5,2,900001,Fixing\n"
        f"{core_member.jira_account_id},BB-INT,2026-04-03,1,,,Meeting\n"
    )
    before = Worklog.objects.count()
    call_command("import_sustainability_csv", "worklogs", str(path), stdout=io.StringIO())
    assert Worklog.objects.count() == before + 2
    imported = Worklog.objects.get(tempo_id=900001)
    assert (imported.seconds, imported.billable_seconds) == (9000, 7200)
    path.write_text(
        f"member,account,work_date,hours,tempo_id\n{core_member.user.username},ACME,2026-04-02,3,900001\n"
    )
    call_command("import_sustainability_csv", "worklogs", str(path), stdout=io.StringIO())
    assert Worklog.objects.get(tempo_id=900001).seconds == 10800
    april = Period(date(2026, 4, 1), date(2026, 4, 30))
    assert sum(r.seconds for r in selectors.hours_rows(april)) == 10800 + 3600


def test_a_bad_row_imports_nothing_and_reports_every_problem(
    bebop_data: Any, core_member: Any, tmp_path: Path
) -> None:
    path = tmp_path / "worklogs.csv"
    path.write_text(
        "member,account,work_date,hours\n"
        f"{core_member.user.username},ACME,2026-04-02,2\n"
        "ghost,ACME,2026-04-02,2\n"
        f"{core_member.user.username},NOPE,2026-02-30,x\n"
    )
    before = Worklog.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 2 problem"):
        call_command("import_sustainability_csv", "worklogs", str(path), stdout=io.StringIO(), stderr=err)
    assert Worklog.objects.count() == before
    assert "Line 3: no member 'ghost'" in err.getvalue()
    assert "Line 4: no account 'NOPE'" in err.getvalue()


def test_missing_columns_and_missing_file(tmp_path: Path, db: Any) -> None:
    path = tmp_path / "a.csv"
    path.write_text("key,name\nX,Y\n")
    with pytest.raises(CommandError):
        call_command("import_sustainability_csv", "accounts", str(path), stderr=io.StringIO())
    with pytest.raises(CommandError, match="No file"):
        call_command("import_sustainability_csv", "accounts", str(tmp_path / "missing.csv"))


def test_import_page(bebop_data: Any, staff_user: Any, client: Client) -> None:
    assert client.get("/sustainability/import/").status_code == 302  # anonymous
    client.login(username="core", password="correct-horse-battery")
    assert client.get("/sustainability/import/").status_code == 302  # not staff: to the admin login
    client.login(username="staff", password="correct-horse-battery")
    assert client.get("/sustainability/import/").status_code == 200
    good = SimpleUploadedFile("a.csv", ACCOUNTS_CSV.encode())
    response = client.post("/sustainability/import/", {"kind": "accounts", "file": good})
    assert response.status_code == 200 and Account.objects.filter(key="NEWCO").exists()
    bad = SimpleUploadedFile("a.csv", b"key,name,category,billable\nZZ,Zed,bogus,yes\n")
    response = client.post("/sustainability/import/", {"kind": "accounts", "file": bad})
    assert response.status_code == 400
    assert "category &#x27;bogus&#x27; is not one of" in response.content.decode()
    assert not Account.objects.filter(key="ZZ").exists()
    latin = SimpleUploadedFile("a.csv", "key,name,category,billable\nÉ,é,client,yes\n".encode("latin-1"))
    response = client.post("/sustainability/import/", {"kind": "accounts", "file": latin})
    assert response.status_code == 400 and "not UTF-8" in response.content.decode()
    assert client.post("/sustainability/import/", {"kind": "accounts"}).status_code == 400
