"""The epic models now belong to the ``epics`` app (``epics`` 0001 took them over in the
migration state; their tables were renamed by 0005). Only the migration state changes here:
the ticket's epic points at ``epics.Epic`` and the old model states are dropped. The
database is not touched.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0005_epic_tables_renamed"),
        ("epics", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="epic",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="epics.epic",
                    ),
                ),
                migrations.DeleteModel(name="EpicUpdate"),
                migrations.DeleteModel(name="HistoricalEpicUpdate"),
                migrations.DeleteModel(name="EpicMilestone"),
                migrations.DeleteModel(name="HistoricalEpicMilestone"),
                migrations.DeleteModel(name="EpicBudgetPeriod"),
                migrations.DeleteModel(name="HistoricalEpicBudgetPeriod"),
                migrations.DeleteModel(name="EpicStatusChange"),
                migrations.DeleteModel(name="HistoricalEpic"),
                migrations.DeleteModel(name="Epic"),
            ],
            database_operations=[],
        ),
    ]
