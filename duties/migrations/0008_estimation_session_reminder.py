"""The sprint planning manager's reminder to chase missing estimates (the estimation app).

On a database where the opener already runs, the duty comes into force on the deploy day so
the opener's catch-up does not open past sprints' reminders as overdue; on a new database it
starts with every other duty."""

from django.db import migrations
from django.utils import timezone

SLUG = "estimation-session-reminder"


def forwards(apps, schema_editor):
    from duties.catalog import DUTY_CATALOG

    definition_model = apps.get_model("duties", "DutyDefinition")
    instance_model = apps.get_model("duties", "DutyInstance")
    role_model = apps.get_model("roles", "Role")
    entry = dict(next(e for e in DUTY_CATALOG if e["slug"] == SLUG))
    role = role_model.objects.filter(slug=entry.pop("role")).first()
    if role is None or definition_model.objects.filter(slug=SLUG).exists():
        return
    if instance_model.objects.exists():
        entry["in_force_from"] = timezone.localdate()
    definition_model.objects.create(role=role, **entry)


def backwards(apps, schema_editor):
    apps.get_model("duties", "DutyDefinition").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("duties", "0007_dutyinstance_epic_in_epics_app")]
    operations = [migrations.RunPython(forwards, backwards)]
