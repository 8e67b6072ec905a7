from django.db import migrations, models
from django.db.models.functions import TruncDate


def seen_when_crossed(apps, schema_editor):
    """Existing crossings were last known to hold on the day they were recorded."""
    AlertCrossing = apps.get_model("sustainability", "AlertCrossing")
    AlertCrossing.objects.update(seen_on=TruncDate("crossed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("sustainability", "0007_worklog_unlinked_issue_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="alertcrossing",
            name="seen_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(seen_when_crossed, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="alertcrossing",
            name="seen_on",
            field=models.DateField(
                help_text="The latest day evaluated that found it; evaluating an earlier day "
                "(a replay) does not clear it."
            ),
        ),
    ]
