"""The recurring duties added with the handbook's rules registry (community liaison, recruitment
manager, ops reviewer, discovery duty, client owner, core contributor, the epic owner's
next-sprint stories).

On a database the opener has already run on they come into force on the deploy day, so the
opener's catch-up does not open their past occurrences as overdue (as 0006 did for
firefighter 2). A new database gets no limit: there every duty starts together.
"""

from django.db import migrations
from django.utils import timezone

ADDED = (
    "community-liaison-weekly",
    "community-liaison-contributors-meetup",
    "community-liaison-monthly-hangout",
    "recruitment-manager-monthly",
    "ops-reviewer-weekly",
    "discovery-duty-week",
    "client-owner-budget-review",
    "core-contributor-monthly",
    "epic-owner-next-sprint-stories",
)


def add_in_force(apps, *, today):
    """Adds the missing definitions; on a running database they come into force ``today``."""
    from duties.catalog import DUTY_CATALOG, load_duty_catalog

    definition_model = apps.get_model("duties", "DutyDefinition")
    instance_model = apps.get_model("duties", "DutyInstance")
    running = instance_model.objects.exists()
    load_duty_catalog(definition_model, apps.get_model("roles", "Role"))
    assert {e["slug"] for e in DUTY_CATALOG} >= set(ADDED)
    if running:
        # Added just now, or by 0002 on this same migrate run: either way new to this database.
        definition_model.objects.filter(slug__in=ADDED, instances__isnull=True).update(
            in_force_from=today
        )


def forwards(apps, schema_editor):
    add_in_force(apps, today=timezone.localdate())


def backwards(apps, schema_editor):
    apps.get_model("duties", "DutyDefinition").objects.filter(slug__in=ADDED, instances__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("duties", "0008_estimation_session_reminder")]
    operations = [migrations.RunPython(forwards, backwards)]
