"""Brings existing databases to the catalog's current wording and shape.

* Rewords checklist lines and descriptions that are still as first shipped (an admin's
  edit is left alone), in the definitions and in the items of duties still open.
* Adds the definitions the catalog gained (firefighter 2's copies of the firefighters'
  duties).
* The epic owner's update became one duty per epic. The per-owner instances already opened
  stay, to be finished as they are (removing the open ones would drop overdue updates, or
  give a sprint both kinds); 0006 puts the per-epic duty in force after the last of them.
"""

from django.db import migrations

# slug: [(line as shipped, line now)]
REWORDED_LINES: dict[str, list[tuple[str, str]]] = {
    "sprint-planning-preparation": [
        ("Close the current sprint and start the next one", "Close this sprint in JIRA and open the next"),
    ],
    "sprint-manager-wrap-up": [
        (
            "Every member has posted an end-of-sprint video update; follow up with the others",
            "Check that each member's recorded sprint-end update is in, and chase whoever has not sent one",
        ),
    ],
    "epic-planning-checklist": [
        (
            "Compare the epics board with the epic planning sheet and fix differences",
            "Reconcile the planning spreadsheet and the epics board, fixing whichever is wrong",
        ),
    ],
    "sustainability-preview": [
        (
            "Post the preview with notes and questions on the cell's epic planning and sustainability epic",
            "Post the preview, with notes and questions, as a comment on the cell's sustainability "
            "management epic",
        ),
    ],
    "monthly-accounts-review": [
        (
            "Post the accounts review on the cell's epic planning and sustainability epic",
            "Post the accounts review as a comment on the cell's sustainability management epic",
        ),
    ],
    "mentor-week-before": [
        (
            "Find or create a 2-3 point task from one of the cell's main projects for their first sprint",
            "Pick (or write) a small first-sprint ticket, two or three points, in a project the cell "
            "works on a lot",
        ),
    ],
}

# slug: (text as shipped, text now), for whole checklists and descriptions.
FIREFIGHTER_CHECKLISTS: dict[str, tuple[str, str]] = {
    "green-ticket-reminder": (
        "Remind the epic owners that next sprint's tickets need points, an assignee and a reviewer\n"
        "Ping the people on tickets that are still not green\n"
        "Agree with firefighter 2 who finishes the follow-up if time zones make it hard\n"
        "Log the time spent on each ticket itself",
        "Split next sprint's epics with the other firefighter\n"
        "Remind the owners of your epics that next sprint's tickets need points, an assignee and a reviewer\n"
        "Ping the people on tickets that are still not green\n"
        "If time zones get in the way, agree with the other firefighter who finishes the follow-up on Monday\n"
        "Log the time spent on each ticket itself",
    ),
    "firefighter-mid-sprint-check-in": (
        "Comment on each Backlog ticket of the sprint to ask how it is going and whether help is needed\n"
        "Do the same on each In progress ticket\n"
        "Ask for a status update where a ticket's state is unclear",
        "Share out the sprint's Backlog and In progress tickets with the other firefighter\n"
        "Comment on each of your Backlog tickets to ask how it is going and whether help is needed\n"
        "Do the same on each of your In progress tickets\n"
        "Ask for a status update where a ticket's state is unclear",
    ),
}
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "green-ticket-reminder": (
        "Well before the sprint ends, get next sprint's tickets green.",
        "Well before the sprint ends, get next sprint's tickets green (each firefighter takes half of the "
        "epics).",
    ),
    "firefighter-mid-sprint-check-in": (
        "Before the mid-sprint update, check in on every open ticket of the sprint.",
        "Before the mid-sprint update, check in on every open ticket of the sprint (each firefighter "
        "takes half of them).",
    ),
    "epic-owner-update": (
        "On Thursday of W2, post the update of each epic you own.",
        "On Thursday of W2, post this sprint's update of the epic (one duty per epic in development; its "
        "reviewer does it when the owner is off that day).",
    ),
}


def forwards(apps, schema_editor):
    from duties.catalog import load_duty_catalog

    definition_model = apps.get_model("duties", "DutyDefinition")
    item_model = apps.get_model("duties", "ChecklistItem")
    for definition in definition_model.objects.filter(
        slug__in=set(REWORDED_LINES) | set(FIREFIGHTER_CHECKLISTS) | set(DESCRIPTIONS)
    ):
        lines = definition.checklist.splitlines()
        for old, new in REWORDED_LINES.get(definition.slug, []):
            lines = [new if line.strip() == old else line for line in lines]
            item_model.objects.filter(
                duty__definition=definition, duty__done_at__isnull=True, text=old
            ).update(text=new)
        checklist = "\n".join(lines)
        shipped = FIREFIGHTER_CHECKLISTS.get(definition.slug)
        if shipped and checklist.strip() == shipped[0]:
            checklist = shipped[1]
        description = DESCRIPTIONS.get(definition.slug)
        if description and definition.description == description[0]:
            definition.description = description[1]
        definition.checklist = checklist
        definition.save(update_fields=["checklist", "description"])
    load_duty_catalog(definition_model, apps.get_model("roles", "Role"))


class Migration(migrations.Migration):
    dependencies = [("duties", "0004_dutyinstance_epic")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
