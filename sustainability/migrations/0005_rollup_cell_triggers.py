"""Fold worklogs into ``WorklogMonth`` by the logging member's cell.

Replaces the worklog statement triggers' function (now joining the member for
their cell) and adds a row trigger on ``roles_member`` that moves a member's
hours between cells when their cell changes, then rebuilds the rollup. PostgreSQL
only; other databases aggregate the worklog table directly.
"""

from typing import Any

from django.db import migrations

ROLLUP = "sustainability_worklogmonth"
BILLED = "CASE WHEN r.billable_seconds > 0 THEN LEAST(r.billable_seconds, r.seconds) ELSE r.seconds END"
UPSERT = f"""
    ON CONFLICT (month, account_id, member_cell_id) DO UPDATE SET
        seconds = {ROLLUP}.seconds + EXCLUDED.seconds,
        billed_seconds = {ROLLUP}.billed_seconds + EXCLUDED.billed_seconds,
        worklogs = {ROLLUP}.worklogs + EXCLUDED.worklogs;
"""


def _fold(source: str, sign: str) -> str:
    return f"""
    INSERT INTO {ROLLUP} (month, account_id, member_cell_id, seconds, billed_seconds, worklogs)
    SELECT date_trunc('month', r.work_date)::date, COALESCE(r.account_id, 0), COALESCE(m.cell_id, 0),
           {sign}SUM(r.seconds), {sign}SUM({BILLED}), {sign}COUNT(*)
    FROM {source} r LEFT JOIN roles_member m ON m.id = r.member_id
    GROUP BY 1, 2, 3
    {UPSERT}
    """


def _move(cell: str, sign: str) -> str:
    return f"""
    INSERT INTO {ROLLUP} (month, account_id, member_cell_id, seconds, billed_seconds, worklogs)
    SELECT date_trunc('month', r.work_date)::date, COALESCE(r.account_id, 0), COALESCE({cell}, 0),
           {sign}SUM(r.seconds), {sign}SUM({BILLED}), {sign}COUNT(*)
    FROM sustainability_worklog r WHERE r.member_id = NEW.id
    GROUP BY 1, 2, 3
    {UPSERT}
    """


FORWARD = f"""
CREATE OR REPLACE FUNCTION sustainability_worklog_rollup() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
        {_fold("old_rows", "-")}
    END IF;
    IF TG_OP = 'INSERT' OR TG_OP = 'UPDATE' THEN
        {_fold("new_rows", "")}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION sustainability_member_cell_moved() RETURNS trigger AS $$
BEGIN
    IF OLD.cell_id IS DISTINCT FROM NEW.cell_id THEN
        {_move("OLD.cell_id", "-")}
        {_move("NEW.cell_id", "")}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sustainability_member_cell_moved AFTER UPDATE OF cell_id ON roles_member
    FOR EACH ROW EXECUTE FUNCTION sustainability_member_cell_moved();

DELETE FROM {ROLLUP};
{_fold("sustainability_worklog", "")}
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS sustainability_member_cell_moved ON roles_member;
DROP FUNCTION IF EXISTS sustainability_member_cell_moved();
DELETE FROM {ROLLUP};
"""


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("sustainability", "0004_rollup_by_member_cell"), ("roles", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
