from django.db import migrations

# A member's time off never overlaps itself: at most one period covers any
# given day. PostgreSQL only (btree_gist exclusion constraint, as in 0003); on
# SQLite the same rule is checked by TimeOff.clean(), which every form, the
# admin and the API run. Both ends are inclusive, as the model's dates are.
CREATE_SQL = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE roles_timeoff ADD CONSTRAINT time_off_no_overlap
    EXCLUDE USING gist (
        member_id WITH =,
        daterange(start, "end", '[]') WITH &&
    );
"""
DROP_SQL = "ALTER TABLE roles_timeoff DROP CONSTRAINT IF EXISTS time_off_no_overlap;"
# Rows written before the rule (e.g. by a raw import) would make the constraint
# fail with a bare database error; name them instead, so they can be fixed.
OVERLAPS_SQL = """
SELECT a.member_id, a.id, a.start, a."end", b.id, b.start, b."end"
FROM roles_timeoff a JOIN roles_timeoff b
    ON a.member_id = b.member_id AND a.id < b.id AND a.start <= b."end" AND b.start <= a."end"
ORDER BY a.member_id, a.start
LIMIT 20;
"""


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        overlaps = cursor.fetchall()
    if overlaps:
        listed = "; ".join(
            f"member {m}: time off #{a} ({a_start} to {a_end}) and #{b} ({b_start} to {b_end})"
            for m, a, a_start, a_end, b, b_start, b_end in overlaps
        )
        raise RuntimeError(
            f"Some members have overlapping time off; merge or shorten these rows first: {listed}"
        )
    schema_editor.execute(CREATE_SQL)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0003_commitment_messages_exclusive_holder"),
    ]

    operations = [
        migrations.RunPython(add_exclusion, drop_exclusion),
    ]
