"""The role catalog as data, written in our own words from the handbook's facts.

Loaded by a data migration (``roles/migrations/0002_role_catalog.py``) and by
``manage.py load_role_catalog``; both only add roles that are missing, so edits
made in the admin are kept. Each entry: slug, name, scope, purpose,
responsibilities (one per line) and flags.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CELL, TEAM, COMPANY, ROTATION = "cell", "team", "company", "rotation"

CATALOG: list[dict[str, Any]] = [
    {
        "slug": "sprint-planning-manager",
        "name": "Sprint planning manager",
        "scope": CELL,
        "max_holders": 1,
        "is_cell_management": True,
        "sort_order": 10,
        "purpose": "Gets the cell's next sprint ready: estimated, prioritised, green and not over-committed.",
        "responsibilities": """Add epic owners to the automatic estimation session so late tickets can be estimated.
Keep the backlog in priority order: client work, newcomer-friendly tasks, management-flagged internal work, other cell work.
Check that no member and not the cell as a whole is over-committed; push work to Stretch Goals with epic owners when it is.
Chase tickets of the next sprint that are not green (points, assignee, reviewer); move unassigned ones to Stretch Goals.
Make sure a social chat is scheduled for the cell.
Complete the current sprint and start the next one.""",
    },
    {
        "slug": "sprint-manager",
        "name": "Sprint manager",
        "scope": CELL,
        "max_holders": 1,
        "is_cell_management": True,
        "sort_order": 11,
        "purpose": "Runs the cell's sprint from preparation to wrap-up and keeps the rotation schedule current.",
        "responsibilities": """On the Monday before a sprint starts, check the people on rotation against their time off and arrange a backup for uncovered days.
Keep the rotation schedule up to date, at least once per sprint, with hours matching the cell's budgets.
At mid-sprint, make sure every member has posted their written update and follow up with those who have not.
At wrap-up, make sure every spillover has an explanation.
Open the retrospective for the new sprint.
Make sure every member has posted their end-of-sprint video update.
Move delivered tickets to Done once they meet the definition of done.
Lead the planning meeting for cells without an asynchronous planning session.""",
    },
    {
        "slug": "epic-planning-sustainability-manager",
        "name": "Epic planning and sustainability manager",
        "scope": CELL,
        "max_holders": 1,
        "is_cell_management": True,
        "sort_order": 12,
        "purpose": "Keeps the cell's epics, capacity and non-billable budget on track.",
        "responsibilities": """Every sprint, review epic status changes and make sure each In Development epic has its update.
Keep the epics board and the capacity plan in agreement.
Record availability: weekly commitment changes, upcoming vacations, people joining or leaving.
Handle members' requests to change their weekly hours.
Watch delivery and bugfix deadlines of the cell's epics.
Coordinate the pace of recruitment with the recruitment manager.
On Monday of W3, post the sustainability preview for the next sprint.
Before the 5th of each month, review the accounts used by last month's tickets and post the result.
Each quarter (January, April, July, October), post the cell's sustainability update and review non-billable budgets.""",
    },
    {
        "slug": "recruitment-manager",
        "name": "Recruitment manager",
        "scope": COMPANY,
        "max_holders": 1,
        "backups_required": 1,
        "sort_order": 20,
        "purpose": "Finds, selects and onboards newcomers for every cell, matching the cells' capacity plans.",
        "responsibilities": """Pre-select candidates and run recorded, scripted interviews.
Select newcomers (confirmed by the CEO) and answer every candidate.
Start onboarding: accounts, permissions, the onboarding epic and its tasks.
Before a newcomer starts, make sure their cell has a mentor and a good line-up of tasks.
Organise the end-of-trial review with every core member of the cell and one from each other cell, and compile anonymous feedback.
Review how well interview selection predicted trial results.""",
    },
    {
        "slug": "cell-creation-manager",
        "name": "Cell creation manager",
        "scope": CELL,
        "max_holders": 1,
        "temporary": True,
        "sort_order": 25,
        "purpose": "A temporary role that steers the creation of a new cell until it runs on its own.",
        "responsibilities": """Coordinate the set-up of the new cell: members, boards, accounts and management roles.
Hand the cell's management roles over to its members once it is running.""",
    },
    {
        "slug": "code-reviewer",
        "name": "Code reviewer",
        "scope": TEAM,
        "sort_order": 30,
        "purpose": "Gives prompt, thorough and kind reviews that keep quality high and cycles few.",
        "responsibilities": """Answer review requests within 24 hours (weekends and time off excluded).
Read the whole diff and test the change by hand whenever possible.
Check tests, documentation, accessibility and upstreamability.
Reserve extra time and patience when reviewing a newcomer's work.
Ask the firefighters for help when an urgent ticket's assignee is unresponsive for 48 hours.""",
    },
    {
        "slug": "newcomer",
        "name": "Newcomer",
        "scope": TEAM,
        "sort_order": 31,
        "purpose": "A member on a two-month (renewable) trial who learns the team's projects and ways of working.",
        "responsibilities": """Commit to at most 3 story points in the first week, 5 in the second and 8 in the first sprint.
Prepare each 1:1 with the mentor from the newcomer checklist.
Own the onboarding epic: under 80 h in the first two months, under 130 h over an extended trial, 195 h at most in all.
Log onboarding time on the onboarding epic with precise descriptions.
Ask reviewers early when a task is unclear.""",
    },
    {
        "slug": "mentor",
        "name": "Mentor",
        "scope": TEAM,
        "sort_order": 32,
        "purpose": "Guides one newcomer through the trial and helps the team evaluate them.",
        "responsibilities": """The week before the newcomer's first day, find or create a meaningful 2-3 point task for their first sprint.
Hold an initial 1:1 with screening questions, then a weekly 1:1 using the mentor checklist.
Help choose tasks of growing complexity: 5-point tasks from the second sprint, 5+ complex tasks by the end of the trial.
Watch the onboarding budget with the newcomer.
Take part in the screening and end-of-trial reviews.""",
    },
    {
        "slug": "firefighter-1",
        "name": "Firefighter 1",
        "scope": ROTATION,
        "core_only": True,
        "sort_order": 40,
        "purpose": "One of the cell's two firefighters for a sprint: handles emergencies and keeps the sprint clean.",
        "responsibilities": """Keep at least 15 hours of the sprint free for firefighting.
Handle emergencies from team members and clients first, then critical bugs and hotfixes.
Review tickets that have no reviewer and help others avoid spillovers.
Never log time on the sprint-firefighter ticket itself.
Join the pager rotation during working hours.
At the start of the new sprint, remind epic owners to make next sprint's tickets green.
Before the mid-sprint update, check in on every backlog and in-progress ticket.
Triage security alerts: critical/high at once, medium next sprint, low a future sprint, unknown after discussion.""",
    },
    {
        "slug": "firefighter-2",
        "name": "Firefighter 2",
        "scope": ROTATION,
        "core_only": True,
        "sort_order": 41,
        "purpose": "The second of the cell's two firefighters, with the same duties as firefighter 1.",
        "responsibilities": """Keep at least 15 hours of the sprint free for firefighting.
Share emergencies, reviews and sprint check-ins with firefighter 1.
Finish the green-ticket reminders when firefighter 1's time zone makes it hard.""",
    },
    {
        "slug": "discovery-duty",
        "name": "Discovery duty assignee",
        "scope": ROTATION,
        "core_only": True,
        "generalist_only": True,
        "sort_order": 42,
        "purpose": "For one week, answers new leads and small client requests with discoveries (generalist cells only).",
        "responsibilities": """Keep at least 5 hours of the week for discovery work on small leads and requests.
Hand a discovery to a better-suited colleague when that gives a better estimate.
Ask the firefighters to review finished discoveries.
Keep a ready task in Stretch Goals in case the week is quiet.""",
    },
    {
        "slug": "ops-reviewer",
        "name": "Ops reviewer",
        "scope": ROTATION,
        "sort_order": 43,
        "purpose": "Backs up the pager and makes sure no ops alert slips through.",
        "responsibilities": """Watch ops alerts and emails to see that they were handled.
Act as the pager backup: alerts escalate after 30 minutes without acknowledgement.
When an urgent issue, or one sent over 12 hours ago, is left unsolved, open a ticket for the firefighters.""",
    },
    {
        "slug": "core-contributor",
        "name": "Core contributor",
        "scope": TEAM,
        "sort_order": 50,
        "reserved_hours_per_month": Decimal("20"),
        "purpose": "Contributes to the Open edX platform as a member of its core contributor programme.",
        "responsibilities": """Spend at least 20 hours a month on core contributor work, following the programme's priorities.
Answer community questions and mentor other developers.
Maintain documentation, fix bugs and update packages upstream.""",
    },
    {
        "slug": "community-liaison",
        "name": "Community liaison",
        "scope": COMPANY,
        "max_holders": 1,
        "reserved_hours_per_week": Decimal("8"),
        "sort_order": 51,
        "purpose": "The one person across all cells who links the team with the Open edX community (8 h/week).",
        "responsibilities": """Acknowledge community bug reports and pull requests within 24 hours; schedule them for a fix or review within 2 weeks.
Coordinate pull-request reviews with the upstream team and set up sandboxes on request.
Help moderate the community forum and watch community chat channels.
Organise the contributors' meetup and the team's part in community hangouts.
Follow build-test-release CI notifications and forward problems to the firefighters.
Only the liaison logs time on the community relations account.""",
    },
    {
        "slug": "devops-specialist",
        "name": "DevOps specialist",
        "scope": TEAM,
        "sort_order": 60,
        "purpose": "The cell's reference for infrastructure and deployment work.",
        "responsibilities": """Take, assign or review the cell's DevOps tasks; be at least second reviewer on them.
Support colleagues on deployment mechanisms and shared services.
With other DevOps specialists, plan maintenance and improvements of the common infrastructure.""",
    },
    {
        "slug": "specialist",
        "name": "Specialist (other)",
        "scope": TEAM,
        "sort_order": 61,
        "purpose": "The cell's reference for a topic such as Ocim or analytics, so the cell is not blocked on others.",
        "responsibilities": """Take or review tasks in the specialty; be at least second reviewer on them.
Spread the knowledge by helping others take such tasks.
Coordinate improvements with specialists of other cells.""",
    },
    {
        "slug": "technical-security-manager",
        "name": "Technical security manager",
        "scope": COMPANY,
        "max_holders": 1,
        "sort_order": 62,
        "purpose": "Answers for the technical security of our work, our platform and the company.",
        "responsibilities": """Own and maintain the security policy.
Oversee the technical security of the platform and projects.
Remove the access of members who have left.""",
    },
    {
        "slug": "epic-owner",
        "name": "Epic owner",
        "scope": TEAM,
        "sort_order": 70,
        "purpose": "Delivers one epic on time and on budget and keeps its client informed.",
        "responsibilities": """Keep the epic's tasks estimated and its budget, timeline and due date current.
Plan tickets into upcoming sprints well ahead of deadlines.
Split out newcomer-friendly tasks.
Post the epic update on Thursday of W2 each sprint.
At the end of each sprint, assign next sprint's stories or find assignees and reviewers.
Hand the epic to its reviewer before going on leave.""",
    },
    {
        "slug": "epic-reviewer",
        "name": "Epic reviewer",
        "scope": TEAM,
        "sort_order": 71,
        "purpose": "Follows an epic closely enough to stand in for its owner.",
        "responsibilities": """Follow the epic's progress and read each update.
Review discoveries, planning, budget and documentation.
Take over the owner's duties when they are away.""",
    },
    {
        "slug": "client-owner",
        "name": "Client owner",
        "scope": TEAM,
        "sort_order": 72,
        "purpose": "Manages the relationship with one client; all their work is done in the owner's cell.",
        "responsibilities": """Answer the client's messages, or hand them to the right person.
Keep the client briefing up to date.
Review monthly budgets before and during each sprint for clients that have one.
Send a welcome email when the client or its contact person changes.
Look for new ways to create value for the client.""",
    },
    {
        "slug": "cell-supporter",
        "name": "Cell supporter",
        "scope": COMPANY,
        "sort_order": 80,
        "purpose": "Takes management work off cells so members can focus on their projects.",
        "responsibilities": """Hold cell management roles a cell cannot fill, but never all of one cell's management roles.
Every quarter, offer delegated roles back to the cells.
Coordinate training and documentation for the cell management roles.
Run process reviews and lead the resulting improvements.
Coordinate cross-cell planning such as upgrade epics.""",
    },
    {
        "slug": "business-development-specialist",
        "name": "Business development specialist",
        "scope": COMPANY,
        "sort_order": 81,
        "purpose": "Turns leads into clients and hands them over to cells.",
        "responsibilities": """Answer prospects and leads promptly.
Draft quotes and create the epics of new projects with their budget.
Onboard confirmed clients and write their first briefing.
Reuse past discovery estimates for new quotes.""",
    },
    {
        "slug": "ux-designer",
        "name": "UX designer",
        "scope": COMPANY,
        "sort_order": 82,
        "purpose": "Designs accessible, consistent interfaces.",
        "responsibilities": """Estimate design work for discoveries.
Design wireframes.
Validate designs through user testing.""",
    },
    {
        "slug": "product-manager",
        "name": "Product manager",
        "scope": COMPANY,
        "sort_order": 83,
        "purpose": "Sets the vision and workflows of a product.",
        "responsibilities": """Design product workflows with the UX designer.
Set the vision for features and user stories.
Validate choices with user feedback.""",
    },
    {
        "slug": "developer-advocate",
        "name": "Developer advocate",
        "scope": COMPANY,
        "sort_order": 84,
        "purpose": "Looks after the well-being of team members.",
        "responsibilities": """Watch for signs of burnout.
Propose ways to improve satisfaction and work-life balance.""",
    },
    {
        "slug": "sales-mentor",
        "name": "Sales mentor",
        "scope": COMPANY,
        "sort_order": 85,
        "purpose": "Helps the team sell better.",
        "responsibilities": """Review sales metrics.
Design sales training.
Propose ways to improve sales performance.""",
    },
    {
        "slug": "cto",
        "name": "CTO",
        "scope": COMPANY,
        "max_holders": 1,
        "sort_order": 90,
        "purpose": "The final technical arbiter, responsible for the quality and openness of our software.",
        "responsibilities": """Decide technical disputes.
Champion quality, upstream contribution and better development processes.
Coach epic and client owners; review discoveries and estimates.
Stand in for firefighters in emergencies when none is available.
Answer ultimately for software security.""",
    },
    {
        "slug": "ceo",
        "name": "CEO",
        "scope": COMPANY,
        "max_holders": 1,
        "sort_order": 91,
        "purpose": "Runs the company: business development, finance, legal, hiring and strategy.",
        "responsibilities": """Support key client relationships and contract negotiations.
Handle accounting, invoicing and forecasting.
Review holidays and hold rotating 1:1s with every member.
Review candidate selections and negotiate contracts.
Set the company's strategy.""",
    },
    {
        "slug": "marketing-specialist",
        "name": "Marketing specialist",
        "scope": COMPANY,
        "sort_order": 92,
        "purpose": "Plans and coordinates marketing.",
        "responsibilities": """Plan marketing strategies with business development and the CEO.
Coordinate the website and blog publications.""",
    },
    {
        "slug": "administrative-specialist",
        "name": "Administrative specialist",
        "scope": COMPANY,
        "sort_order": 93,
        "purpose": "Handles billing, payments and bookkeeping.",
        "responsibilities": """Run team and client billing, invoice payments and bookkeeping.
Collect what is needed to set up invoicing for new members.""",
    },
]

MANAGEMENT_ROLE_SLUGS = [e["slug"] for e in CATALOG if e.get("is_cell_management")]


def load_catalog(role_model: Any) -> int:
    """Adds the catalog's missing roles; returns how many were created."""
    created = 0
    for entry in CATALOG:
        _, was_created = role_model.objects.get_or_create(slug=entry["slug"], defaults=dict(entry))
        created += int(was_created)
    return created
