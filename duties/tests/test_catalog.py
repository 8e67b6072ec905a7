"""The catalog's wording reaches existing databases (data migration 0005), and the catalog
has the shape the opener relies on."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

from django.apps import apps

from duties.catalog import DUTY_CATALOG
from duties.models import ChecklistItem, DutyDefinition, DutyInstance
from duties.tests.factories import DutyInstanceFactory, make_member

migration = importlib.import_module("duties.migrations.0005_catalog_wording_per_epic_updates")

OLD_WRAP_UP_LINE = "Every member has posted an end-of-sprint video update; follow up with the others"
NEW_WRAP_UP_LINE = (
    "Check that each member's recorded sprint-end update is in, and chase whoever has not sent one"
)


def _as_shipped(slug: str) -> DutyDefinition:
    """Puts a definition back to its first wording, as an existing database has it."""
    definition = DutyDefinition.objects.get(slug=slug)
    for old, new in migration.REWORDED_LINES.get(slug, []):
        definition.checklist = definition.checklist.replace(new, old)
    if slug in migration.FIREFIGHTER_CHECKLISTS:
        definition.checklist = migration.FIREFIGHTER_CHECKLISTS[slug][0]
    if slug in migration.DESCRIPTIONS:
        definition.description = migration.DESCRIPTIONS[slug][0]
    definition.save()
    return definition


def test_the_migration_brings_shipped_wording_up_to_date_and_keeps_admin_edits(db, cell):
    catalog = {e["slug"]: e for e in DUTY_CATALOG}
    wrap_up = _as_shipped("sprint-manager-wrap-up")
    green = _as_shipped("green-ticket-reminder")
    edited = _as_shipped("mentor-week-before")
    edited.checklist = "Our own first line\n" + edited.checklist.splitlines()[1]  # an admin's edit
    edited.save()
    DutyDefinition.objects.filter(slug__endswith="-ff2").delete()
    assert OLD_WRAP_UP_LINE in wrap_up.checklist
    holder = make_member(cell=cell)
    open_duty: Any = DutyInstanceFactory(definition=wrap_up, cell=cell, assignee=holder, period="S1")
    done_duty: Any = DutyInstanceFactory(
        definition=wrap_up,
        cell=cell,
        assignee=holder,
        period="S0",
        done_at=datetime(2026, 1, 1, 12, tzinfo=UTC),
    )

    migration.forwards(apps, None)

    for slug in ("sprint-manager-wrap-up", "green-ticket-reminder"):
        definition = DutyDefinition.objects.get(slug=slug)
        assert (definition.checklist, definition.description) == (
            catalog[slug]["checklist"],
            catalog[slug]["description"],
        )
    assert DutyDefinition.objects.get(slug="mentor-week-before").checklist.startswith("Our own first line")
    # Open duties read the new line; a done one keeps what was ticked.
    assert open_duty.items.filter(text=NEW_WRAP_UP_LINE).exists()
    assert done_duty.items.filter(text=OLD_WRAP_UP_LINE).exists()
    # Firefighter 2's copies are added.
    assert set(DutyDefinition.objects.filter(role__slug="firefighter-2").values_list("slug", flat=True)) == {
        "green-ticket-reminder-ff2",
        "firefighter-mid-sprint-check-in-ff2",
    }
    assert green.pk == DutyDefinition.objects.get(slug="green-ticket-reminder").pk


def test_the_migration_keeps_the_per_owner_epic_updates_already_opened(db, cell):
    """Untouched ones too: removing them would drop overdue updates, or give a sprint both a
    per-owner and a per-epic update (0006 starts the per-epic duty after the last of them)."""
    definition = DutyDefinition.objects.get(slug="epic-owner-update")
    owner = make_member(cell=cell)

    def per_owner(period: str) -> Any:
        return DutyInstanceFactory(
            definition=definition, cell=cell, assignee=owner, subject_key=f"member:{owner.pk}", period=period
        )

    untouched, started, done = per_owner("S1"), per_owner("S2"), per_owner("S3")
    ChecklistItem.objects.filter(duty=started, position=1).update(
        ticked_at=datetime(2026, 11, 30, 10, tzinfo=UTC)
    )
    DutyInstance.objects.filter(pk=done.pk).update(done_at=datetime(2026, 11, 30, 10, tzinfo=UTC))
    migration.forwards(apps, None)
    assert set(DutyInstance.objects.values_list("pk", flat=True)) == {untouched.pk, started.pk, done.pk}
    assert untouched.items.count() == len(definition.checklist_items)


def test_every_firefighter_duty_has_a_copy_for_firefighter_2():
    ff1 = {e["slug"] for e in DUTY_CATALOG if e["role"] == "firefighter-1"}
    ff2 = {e["slug"] for e in DUTY_CATALOG if e["role"] == "firefighter-2"}
    assert ff1 and ff2 == {f"{slug}-ff2" for slug in ff1}
    assert len({e["slug"] for e in DUTY_CATALOG}) == len(DUTY_CATALOG)
