import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The duty's epic now points at ``epics.Epic``: the same table, renamed in place by
    ``sprints`` 0005, so only the migration state changes. Runs before ``sprints`` 0006
    drops the old epic model state."""

    dependencies = [
        ("duties", "0006_dutydefinition_in_force_from"),
        ("epics", "0001_initial"),
    ]
    run_before = [("sprints", "0006_epics_moved_to_their_app")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dutyinstance',
                    name='epic',
                    field=models.ForeignKey(blank=True, help_text="Per-epic duties (the epic owner's update).", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='duties', to='epics.epic'),
                ),
                migrations.AlterField(
                    model_name='historicaldutyinstance',
                    name='epic',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text="Per-epic duties (the epic owner's update).", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='epics.epic'),
                ),
            ],
            database_operations=[],
        ),
    ]
