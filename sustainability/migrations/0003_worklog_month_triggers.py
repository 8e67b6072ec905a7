"""Keep ``WorklogMonth`` in step with ``Worklog`` on PostgreSQL.

Statement-level triggers with transition tables fold every INSERT, UPDATE and
DELETE (bulk ones and COPY included) into the monthly rollup with one upsert
per statement. Other databases (the SQLite demo) have no rollup: the selectors
aggregate the worklog table directly there.
"""

from typing import Any

from django.db import migrations

BILLED = "CASE WHEN {t}.billable_seconds > 0 THEN LEAST({t}.billable_seconds, {t}.seconds) ELSE {t}.seconds END"


def _fold(source: str, sign: str) -> str:
    return f"""
    INSERT INTO sustainability_worklogmonth (month, account_id, member_id, seconds, billed_seconds, worklogs)
    SELECT date_trunc('month', r.work_date)::date, COALESCE(r.account_id, 0), COALESCE(r.member_id, 0),
           {sign}SUM(r.seconds), {sign}SUM({BILLED.format(t="r")}), {sign}COUNT(*)
    FROM {source} r GROUP BY 1, 2, 3
    ON CONFLICT (month, account_id, member_id) DO UPDATE SET
        seconds = sustainability_worklogmonth.seconds + EXCLUDED.seconds,
        billed_seconds = sustainability_worklogmonth.billed_seconds + EXCLUDED.billed_seconds,
        worklogs = sustainability_worklogmonth.worklogs + EXCLUDED.worklogs;
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

CREATE TRIGGER sustainability_worklog_rollup_ins AFTER INSERT ON sustainability_worklog
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sustainability_worklog_rollup();
CREATE TRIGGER sustainability_worklog_rollup_upd AFTER UPDATE ON sustainability_worklog
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sustainability_worklog_rollup();
CREATE TRIGGER sustainability_worklog_rollup_del AFTER DELETE ON sustainability_worklog
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sustainability_worklog_rollup();

DELETE FROM sustainability_worklogmonth;
{_fold("sustainability_worklog", "")}
"""

BACKWARD = """
DROP TRIGGER IF EXISTS sustainability_worklog_rollup_ins ON sustainability_worklog;
DROP TRIGGER IF EXISTS sustainability_worklog_rollup_upd ON sustainability_worklog;
DROP TRIGGER IF EXISTS sustainability_worklog_rollup_del ON sustainability_worklog;
DROP FUNCTION IF EXISTS sustainability_worklog_rollup();
"""


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("sustainability", "0002_budgets_targets_rollup")]

    operations = [migrations.RunPython(forward, backward)]
