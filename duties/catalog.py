"""The recurring duties of the role catalog, as data, in our own words.

Loaded by a data migration (``duties/migrations/0002_duty_catalog.py``) and
``load_duty_catalog``: only missing definitions are added, so admin edits stay. A change
to the wording of a definition reaches existing databases through a data migration that
rewrites the lines still as shipped (``0005_catalog_wording_per_epic_updates``).
Sprint days: a sprint runs from Tuesday of W1 to Monday of W3.
"""

from __future__ import annotations

from datetime import date
from typing import Any

MON, TUE, WED, THU, FRI = range(5)

DUTY_CATALOG: list[dict[str, Any]] = [
    {
        "role": "sprint-planning-manager",
        "slug": "sprint-planning-preparation",
        "title": "Sprint preparation (planning)",
        "description": "Get next sprint ready before it starts.",
        "cadence": "sprint",
        "sprint_week": 3,
        "weekday": MON,
        "lead_days": 4,
        "sort_order": 10,
        "checklist": """Give the epic owners rights on the estimation session so they can add late tickets
Check that the cell's social chat is scheduled
Check that no member, and not the cell as a whole, is over-committed; move work to Stretch Goals with the epic owners if so
Chase next sprint's tickets that lack points, an assignee or a reviewer
Move next sprint's unassigned tickets to Stretch Goals
Close this sprint in JIRA and open the next""",
    },
    {
        "role": "sprint-planning-manager",
        "slug": "estimation-session-reminder",
        "title": "Estimation session: chase the missing estimates",
        "description": "The day before the estimation session closes (Friday of W2 by default), get "
        "every member's estimates for next sprint's tickets in.",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": THU,
        "lead_days": 1,
        "sort_order": 15,
        "checklist": """Open the cell's estimation session in the portal and see who is still estimating
Remind each of them (the portal's finding names them) to estimate before the session closes
Reveal the tickets with a large spread and settle them with the epic owners, recording a decision where needed
Check that tickets added late by the epic owners have enough votes""",
    },
    {
        "role": "sprint-manager",
        "slug": "sprint-manager-preparation",
        "title": "Sprint preparation (rotations)",
        "description": "On the Monday before the sprint starts, make sure the rotations are covered.",
        "cadence": "sprint",
        "sprint_week": 3,
        "weekday": MON,
        "lead_days": 3,
        "sort_order": 10,
        "checklist": """Compare next sprint's firefighters, discovery duty and ops reviewer with their time off
Arrange a backup (the other firefighter or a third one) for every uncovered day
Check the rotation schedule is current and its hours match the cell's firefighting and discovery budgets""",
    },
    {
        "role": "sprint-manager",
        "slug": "sprint-manager-mid-sprint",
        "title": "Mid-sprint updates",
        "description": "Everyone in the cell has posted a written mid-sprint update.",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": TUE,
        "lead_days": 1,
        "sort_order": 20,
        "checklist": """Check that every member of the cell has posted a written mid-sprint update
Follow up in the sprint updates thread with those who have not""",
    },
    {
        "role": "sprint-manager",
        "slug": "sprint-manager-wrap-up",
        "title": "Sprint wrap-up",
        "description": "Close the previous sprint properly at the start of this one.",
        "cadence": "sprint",
        "sprint_week": 1,
        "weekday": WED,
        "lead_days": 1,
        "sort_order": 30,
        "checklist": """Every spillover of the previous sprint has an explanation
Open the retrospective post and poll for the new sprint and add it to the retrospective sheet
Check that each member's recorded sprint-end update is in, and chase whoever has not sent one
Move delivered tickets to Done once they meet the definition of done""",
    },
    {
        "role": "epic-planning-sustainability-manager",
        "slug": "epic-planning-checklist",
        "title": "Epic planning and sustainability update",
        "description": "The sprint's review of epics, availability and capacity, posted on the cell's management epic.",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": FRI,
        "lead_days": 2,
        "sort_order": 10,
        "checklist": """Review epic status changes of the past sprint and correct the epics board
Record new epics in the time and estimates sheet; move started ones to In Development
Check each In Development epic has this sprint's update from its owner or reviewer
Move epics blocked on the client to waiting, delivered ones to QA and finished ones to Done
Reconcile the planning spreadsheet and the epics board, fixing whichever is wrong
Record joiners and leavers with the recruitment manager, and find new owners for leavers' roles, clients and epics
Handle requests to change weekly hour commitments
Note upcoming absences of a week or more in the next two months
Update capacity allocations for the coming months
Check epic delivery and bugfix deadlines are on target, pinging owners when not
Keep the client lists of the maintenance and small-projects epics current""",
    },
    {
        "role": "epic-planning-sustainability-manager",
        "slug": "sustainability-preview",
        "title": "Sustainability preview",
        "description": "On Monday of W3, post the sustainability preview for next sprint.",
        "cadence": "sprint",
        "sprint_week": 3,
        "weekday": MON,
        "lead_days": 1,
        "sort_order": 20,
        "checklist": """Add up billable hours estimated for the rest of this sprint and for next sprint
Add up non-billable cell hours for the same period
Work out the sustainability ratio and compare it with last sprint
Post the preview, with notes and questions, as a comment on the cell's sustainability management epic
Follow up with epic owners on budget problems""",
    },
    {
        "role": "epic-planning-sustainability-manager",
        "slug": "monthly-accounts-review",
        "title": "Monthly accounts review",
        "description": "Before the 5th, check last month's work was logged on the right accounts.",
        "cadence": "monthly",
        "day_of_month": 5,
        "sort_order": 30,
        "checklist": """Check that last month's tickets used the right accounts
Post the accounts review as a comment on the cell's sustainability management epic
Add last month's actual hours to the epic planning sheet
Adjust client budgets so the sustainability dashboard stays current""",
    },
    {
        "role": "epic-planning-sustainability-manager",
        "slug": "quarterly-sustainability-update",
        "title": "Quarterly sustainability update",
        "description": "In January, April, July and October: the cell's sustainability update.",
        "cadence": "quarterly",
        "sort_order": 40,
        "checklist": """Post the cell's sustainability update on the forum
Review and update the budgets of the cell's non-billable accounts""",
    },
    {
        "role": "firefighter-1",
        "slug": "green-ticket-reminder",
        "title": "Green-ticket reminder",
        "description": "Well before the sprint ends, get next sprint's tickets green "
        "(each firefighter takes half of the epics).",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": MON,
        "lead_days": 1,
        "sort_order": 10,
        "checklist": """Split next sprint's epics with the other firefighter
Remind the owners of your epics that next sprint's tickets need points, an assignee and a reviewer
Ping the people on tickets that are still not green
If time zones get in the way, agree with the other firefighter who finishes the follow-up on Monday
Log the time spent on each ticket itself""",
    },
    {
        "role": "firefighter-1",
        "slug": "firefighter-mid-sprint-check-in",
        "title": "Mid-sprint check-in",
        "description": "Before the mid-sprint update, check in on every open ticket of the sprint "
        "(each firefighter takes half of them).",
        "cadence": "sprint",
        "sprint_week": 1,
        "weekday": FRI,
        "lead_days": 1,
        "sort_order": 20,
        "checklist": """Share out the sprint's Backlog and In progress tickets with the other firefighter
Comment on each of your Backlog tickets to ask how it is going and whether help is needed
Do the same on each of your In progress tickets
Ask for a status update where a ticket's state is unclear""",
    },
    {
        "role": "mentor",
        "slug": "mentor-week-before",
        "title": "Mentor: the week before the newcomer starts",
        "description": "Prepare a first task that is meaningful enough for the screening review.",
        "cadence": "newcomer_joining",
        "offset_days": -3,
        "lead_days": 7,
        "sort_order": 10,
        "checklist": """Tell the team you will mentor the newcomer
Pick (or write) a small first-sprint ticket, two or three points, in a project the cell works on a lot
Check the task is complex enough to show independent work in the screening review (ask epic owners if the backlog has none)
Plan to ask the newcomer to open a pull request early and push to it every day""",
    },
    {
        "role": "mentor",
        "slug": "mentor-initial-1on1",
        "title": "Mentor: initial 1:1",
        "description": "Get to know the newcomer's skills to help the screening.",
        "cadence": "newcomer_joining",
        "offset_days": 2,
        "lead_days": 2,
        "sort_order": 20,
        "checklist": """Prepare a few screening questions (POSIX, Python experience, front-end level, remote work)
Hold the meeting and note the answers on the onboarding epic
Set up a weekly 1:1""",
    },
    {
        "role": "mentor",
        "slug": "mentor-weekly-1on1",
        "title": "Mentor: weekly 1:1",
        "description": "The weekly meeting with the newcomer during the trial.",
        "cadence": "newcomer_weekly",
        "weekday": WED,
        "lead_days": 1,
        "sort_order": 30,
        "checklist": """Review the newcomer's work since the last meeting beforehand
Review the onboarding budget together
Give feedback on strengths, and on areas to improve with ways to improve
Look at the current sprint and flag tickets at risk of spilling over to the firefighters
Review next sprint's tickets and help find suitable ones
Discuss blockers and any difficulty with remote work
Ask how onboarding and our processes feel; open an issue for any problem""",
    },
    {
        "role": "newcomer",
        "slug": "newcomer-1on1-prep",
        "title": "Newcomer: prepare the 1:1 with your mentor",
        "description": "Your own checklist before each weekly 1:1.",
        "cadence": "newcomer_weekly",
        "weekday": WED,
        "lead_days": 1,
        "assignee_rule": "newcomer",
        "sort_order": 10,
        "checklist": """Ask reviewers for feedback on tickets that reached Deployed & Delivered
Read the feedback received on tickets
Review the tickets assigned to you for next sprint
Check your onboarding budget
Ask for feedback on your strengths and what to improve
Look for upcoming tickets in the areas you want to improve
Write down blockers to discuss with your mentor""",
    },
    {
        "role": "cell-supporter",
        "slug": "cell-supporter-quarterly-check-in",
        "title": "Quarterly check-in with supported cells",
        "description": "Make sure delegated management roles do not stay delegated by default.",
        "cadence": "quarterly",
        "sort_order": 10,
        "checklist": """Ask each cell you support whether it wants any delegated management role back
Ask whether it needs other roles delegated instead
Check that no cell has all of its management roles held by a cell supporter
Record the outcome and hand roles back where agreed""",
    },
    {
        "role": "epic-owner",
        "slug": "epic-owner-update",
        "title": "Epic update",
        "description": "On Thursday of W2, post this sprint's update of the epic (one duty per epic "
        "in development; its reviewer does it when the owner is off that day).",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": THU,
        "lead_days": 2,
        "sort_order": 10,
        "checklist": """Summarise progress since the last update against the timeline
Compare the budget spent with what is left to do
Name risks and blockers, and what is being done about them
Check the epic's due date and timeline are still right
Plan next sprint's tickets with assignees and reviewers
Post the update on the epic""",
    },
]


# Both firefighters have the same duties (the handbook gives the two roles the same
# responsibilities): firefighter 2 gets a copy of each of firefighter 1's, and the two
# split the work between them (the checklists say how).
DUTY_CATALOG += [
    {**entry, "role": "firefighter-2", "slug": f"{entry['slug']}-ff2", "sort_order": entry["sort_order"] + 1}
    for entry in DUTY_CATALOG
    if entry["role"] == "firefighter-1"
]


# Added with the handbook's rules registry (issue 15; data migration 0008 puts them in force
# on the deploy day, so no past occurrence opens overdue).
DUTY_CATALOG += [
    {
        "role": "community-liaison",
        "slug": "community-liaison-weekly",
        "title": "Community liaison: the week's community work",
        "description": "Every week: OSPR priorities to the OSCM team, and the community's bug "
        "reports and pull requests answered on time.",
        "cadence": "weekly",
        "weekday": FRI,
        "lead_days": 2,
        "sort_order": 10,
        "checklist": """Send the top three of the OSPR priorities list to the OSCM team
Check every community bug report and pull request on our repositories was acknowledged within 24 hours
For each new community bug report or pull request, open an internal ticket due two weeks later with a firefighter on it
Forward build-test-release CI failures to the firefighters and make sure each gets a reply
Look over OEPs, ADRs and forum discussions where OpenCraft should take part
Keep half an hour free for PR sandbox requests""",
    },
    {
        "role": "community-liaison",
        "slug": "community-liaison-contributors-meetup",
        "title": "Community liaison: contributors' meetup",
        "description": "The biweekly contributors' meetup: scheduled, announced, held and recorded.",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": WED,
        "lead_days": 5,
        "sort_order": 20,
        "checklist": """Schedule the meetup and announce it on the forum
Prepare the agenda
Hold the meeting
Post the recorded video""",
    },
    {
        "role": "community-liaison",
        "slug": "community-liaison-monthly-hangout",
        "title": "Community liaison: monthly community hangout",
        "description": "OpenCraft's part in the monthly Open edX community hangout.",
        "cadence": "monthly",
        "day_of_month": 25,
        "sort_order": 30,
        "checklist": """Suggest topics for the hangout
Invite team members to speak where there is an opportunity
Attend the hangout""",
    },
    {
        "role": "recruitment-manager",
        "slug": "recruitment-manager-monthly",
        "title": "Recruitment: trials and selection review",
        "description": "Every month: trials going well, the end-of-trial reviews organised, and "
        "the interview selection checked against trial results.",
        "cadence": "monthly",
        "day_of_month": 10,
        "sort_order": 10,
        "checklist": """Compare recent trial results with the interview selection that led to them
Organise the core-member review of every trial ending soon (all core members of the cell, one from each other cell)
Compile the reviews into one anonymous list of feedback
Check each cell expecting a newcomer has a mentor and a line-up of tasks
Check every newcomer has an onboarding epic with tasks
Agree the recruitment pace with the epic planning managers""",
    },
    {
        "role": "ops-reviewer",
        "slug": "ops-reviewer-weekly",
        "title": "Ops review of the week",
        "description": "Check that ops@ emails and pager alerts were handled by someone.",
        "cadence": "weekly",
        "weekday": FRI,
        "lead_days": 1,
        "sort_order": 10,
        "checklist": """Go through the week's ops@ emails and pager alerts and check each was handled
Check the pager escalated to you on anything unacknowledged for 30 minutes
For an urgent issue, or one left unsolved for 12 hours, open a ticket and assign it to a firefighter""",
    },
    {
        "role": "discovery-duty",
        "slug": "discovery-duty-week",
        "title": "Discovery duty: the week",
        "description": "Keep five hours for small leads and client requests, and a spare task ready.",
        "cadence": "weekly",
        "weekday": MON,
        "lead_days": 0,
        "sort_order": 10,
        "checklist": """Keep at least five hours this week for discovery work
Swap a discovery with someone better placed if you are not the right person for it
Ping the firefighters to review each discovery you finish
Schedule huge discoveries into future sprints rather than doing them now
Leave a spare task in Stretch Goals or next sprint in case discovery work runs out""",
    },
    {
        "role": "client-owner",
        "slug": "client-owner-budget-review",
        "title": "Client owner: monthly budget review",
        "description": "For clients with a monthly budget: spent and scheduled hours projected "
        "to the end of the upcoming sprint.",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": FRI,
        "lead_days": 2,
        "sort_order": 10,
        "checklist": """Open the client's budget projected to the end of the upcoming sprint
Move work between sprints where the month would end too far above or below budget
Keep the client briefing up to date
Think of a new way to create value for the client""",
    },
    {
        "role": "core-contributor",
        "slug": "core-contributor-monthly",
        "title": "Core contributor: the month's contributions",
        "description": "Twenty hours a month on core contributor work, set against the hours logged.",
        "cadence": "monthly",
        "day_of_month": 5,
        "sort_order": 10,
        "checklist": """Compare last month's hours logged on contribution work with the 20 h goal
Plan this month's contributions from the priorities on the core contributors epic""",
    },
    {
        "role": "epic-owner",
        "slug": "epic-owner-next-sprint-stories",
        "title": "Assign next sprint's stories",
        "description": "On Thursday or Friday of W2: next sprint's stories of the epic have an "
        "assignee and a reviewer (one duty per epic in development).",
        "cadence": "sprint",
        "sprint_week": 2,
        "weekday": FRI,
        "lead_days": 1,
        "sort_order": 20,
        "checklist": """Assign next sprint's stories of the epic to yourself, or ask cell members to take them
Find a reviewer for each of them
Add unestimated tickets to the open estimation session""",
    },
]


def load_duty_catalog(definition_model: Any, role_model: Any, *, in_force_from: date | None = None) -> int:
    """Adds the missing definitions whose role exists; returns how many were created.

    A data migration that adds definitions to a running database passes the deploy day as
    ``in_force_from``, so the opener's catch-up does not open the new duties' past occurrences
    (overdue on arrival). The first load leaves it empty: every duty starts together."""
    roles = {r.slug: r for r in role_model.objects.all()}
    created = 0
    for entry in DUTY_CATALOG:
        data = dict(entry)
        role = roles.get(data.pop("role"))
        if role is None:
            continue
        if in_force_from is not None:
            data["in_force_from"] = in_force_from
        _, was_created = definition_model.objects.get_or_create(
            slug=data["slug"], defaults={**data, "role": role}
        )
        created += int(was_created)
    return created
