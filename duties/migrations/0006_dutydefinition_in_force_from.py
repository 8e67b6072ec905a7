"""The day a duty definition came into force (``DutyDefinition.in_force_from``): the opener
opens nothing due before it.

0005 re-keyed the epic owner's update (``member:<id>`` became ``epic:<id>``) and added
firefighter 2's duties. Without a start day, the opener's next run would catch up on their
last ``DUTIES_CATCH_UP_DAYS`` at once: every epic in development would get the past sprints'
updates again, and firefighter 2 the past sprints' duties, all overdue, with their webhooks,
findings and digests. So, on a database the opener has already run on:

* firefighter 2's duties come into force on the deploy day;
* the per-epic update comes into force on the deploy day, or the day after the last per-owner
  update when one is still to come (its owner finishes it; no sprint gets both kinds).

A new database (no duty opened yet) gets no limit: there every duty starts together.
"""

from datetime import date, timedelta

from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone

ADDED_IN_0005 = ("green-ticket-reminder-ff2", "firefighter-mid-sprint-check-in-ff2")
REKEYED_IN_0005 = "epic-owner-update"


def put_in_force(apps, *, today: date) -> None:
    """Sets ``in_force_from`` of the definitions 0005 added or re-keyed (see the module)."""
    definition_model = apps.get_model("duties", "DutyDefinition")
    instance_model = apps.get_model("duties", "DutyInstance")
    if not instance_model.objects.exists():
        return
    definition_model.objects.filter(slug__in=ADDED_IN_0005).update(in_force_from=today)
    last_per_owner = instance_model.objects.filter(
        definition__slug=REKEYED_IN_0005, subject_key__startswith="member:"
    ).aggregate(last=Max("due_on"))["last"]
    start = today if last_per_owner is None else max(today, last_per_owner + timedelta(days=1))
    definition_model.objects.filter(slug=REKEYED_IN_0005).update(in_force_from=start)


def forwards(apps, schema_editor):
    put_in_force(apps, today=timezone.localdate())


class Migration(migrations.Migration):
    dependencies = [("duties", "0005_catalog_wording_per_epic_updates")]
    operations = [
        migrations.AddField(
            model_name="dutydefinition",
            name="in_force_from",
            field=models.DateField(
                blank=True,
                help_text="The day this duty came into force: the opener never opens an instance due before "
                "it (its catch-up would otherwise open past occurrences as overdue). Empty: no limit.",
                null=True,
                verbose_name="in force from",
            ),
        ),
        migrations.AddField(
            model_name="historicaldutydefinition",
            name="in_force_from",
            field=models.DateField(
                blank=True,
                help_text="The day this duty came into force: the opener never opens an instance due before "
                "it (its catch-up would otherwise open past occurrences as overdue). Empty: no limit.",
                null=True,
                verbose_name="in force from",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
