from typing import Any

from django.db import migrations, models
from django.db.models import F


def copy_status(apps: Any, schema_editor: Any) -> None:
    """Synced tickets kept JIRA's status name in ``status`` until now: keep it as their JIRA status."""
    Ticket = apps.get_model("sprints", "Ticket")
    Ticket.objects.exclude(jira_id=None).update(jira_status=F("status"))


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0006_epics_moved_to_their_app"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="jira_status",
            field=models.CharField(
                blank=True,
                help_text="The status's name in JIRA's workflow; ``status`` is the portal status it maps to.",
                max_length=100,
            ),
        ),
        migrations.RunPython(copy_status, migrations.RunPython.noop),
    ]
