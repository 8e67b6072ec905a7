"""Every rule of the handbook's "Roles and expectations" page, in our own words, with what in
the portal enforces it (``handbook.registry`` says how enforcers are named). Rules the
portal cannot help with are here too, as ``manual``, so the list is the whole page.

Keep it in the handbook's order. ``handbook/tests/test_registry.py`` fails when an enforcer
named here does not exist, or when a registered process check or a catalog duty is not
listed. Ids are stable: the page and the API link by them.
"""

from __future__ import annotations

from handbook.registry import HandbookRule, Kind

CHECK, DUTY, CALC, REMINDER, GUARD, MANUAL = (
    Kind.CHECK,
    Kind.DUTY,
    Kind.CALCULATION,
    Kind.REMINDER,
    Kind.GUARD,
    Kind.MANUAL,
)

# Sections, in the handbook's order.
EVERYONE = "What is expected from everyone"
COMMUNICATION = "Communication"
SPRINT_TASKS = "Sprint tasks"
ROLES = "Roles and types of members"
RECRUITMENT = "Recruitment manager"
CELL_MANAGEMENT = "Cell management"
SPRINT_PLANNING = "Sprint planning manager"
SPRINT_MANAGER = "Sprint manager"
EPIC_PLANNING = "Epic planning"
SUSTAINABILITY = "Sustainability management"
CODE_REVIEWER = "Code reviewer"
NEWCOMER = "Newcomer"
MENTOR = "Mentor"
FIREFIGHTER = "Firefighter"
SECURITY = "Dependency upgrades for security issues"
COMMUNITY = "Community relations"
OPS_REVIEWER = "Ops reviewer"
DISCOVERY = "Discovery duty"
SPECIALISTS = "Specialist roles"
EPIC_OWNER = "Epic owner"
EPIC_REVIEWER = "Epic reviewer"
CLIENT_OWNER = "Client owner"
CELL_SUPPORTER = "Cell supporter"
OTHER_ROLES = "Other roles (business development, UX, product, advocacy, sales, CTO, CEO, marketing, admin)"

_ROWS: list[tuple[str, str, str, Kind, str]] = [
    # --- What is expected from everyone ---
    (EVERYONE, "everyone-remote", "Work from anywhere with a connection good enough for video calls.", MANUAL, ""),
    (EVERYONE, "everyone-own-schedule", "Set your own hours, staying reachable for others.", MANUAL, ""),
    (EVERYONE, "everyone-weekend-work", "Weekend work is the exception: more than once a month points to a time-management problem.", CHECK, "weekend-work"),
    (EVERYONE, "everyone-cell-weekly-review", "Review weekly that the cell's responsibilities are taken care of.", CHECK, "duty-unassigned"),
    (EVERYONE, "everyone-contract-hours", "Work at least the contract's weekly hours, averaged over the month, time off excluded.", CHECK, "under-contract-hours"),
    (EVERYONE, "everyone-contract-hours-maths", "Expected hours: the weekly commitment over the month's workdays, minus time off.", CALC, "roles.calculations.available_hours"),
    (EVERYONE, "everyone-availability-known", "Let clients and reviewers know your availability (time off is recorded and shown).", GUARD, "roles.services.time_off_record"),
    (EVERYONE, "everyone-time-off-no-overlap", "Time off is recorded once: periods of one member never overlap.", GUARD, "roles.models.records.TimeOff.clean"),
    (EVERYONE, "everyone-sick-notify", "When unexpectedly away, tell the cell and ask the firefighters to take over.", CALC, "duties.calculations.choose_assignee"),
    (EVERYONE, "everyone-hardware", "Bring your own laptop.", MANUAL, ""),
    (EVERYONE, "everyone-security", "Keep your computers secure and up to date.", MANUAL, ""),
    (EVERYONE, "everyone-log-all-time", "Log every hour worked in Tempo, learning and devstack time included.", CHECK, "under-contract-hours"),
    (EVERYONE, "everyone-log-within-24h", "Timesheets are updated within 24 hours, weekends excluded.", CHECK, "late-worklogs"),
    (EVERYONE, "everyone-conference", "Attend the yearly Open edX conference (required for those who joined after July 2018).", MANUAL, ""),
    (EVERYONE, "everyone-conference-talk", "Submit a talk proposal for the conference, or co-present one.", MANUAL, ""),
    # --- Communication ---
    (COMMUNICATION, "comm-client-email-24h", "Answer client emails addressed to you within 24 hours (weekends excluded), or have someone in the cell do it.", CALC, "roles.clock.reply_due"),
    (COMMUNICATION, "comm-client-sla", "A project cell's stricter client SLA replaces the 24 hours for client emails.", CALC, "roles.clock.window_duration"),
    (COMMUNICATION, "comm-sla-never-looser", "A cell's client SLA is never looser than 24 hours.", GUARD, "roles.models.organisation.Cell.full_clean"),
    (COMMUNICATION, "comm-cc-help", "CC help@ on all client emails so others can take over.", MANUAL, ""),
    (COMMUNICATION, "comm-quick-reply", "Without an immediate answer, send a quick reply saying when one will come.", MANUAL, ""),
    (COMMUNICATION, "comm-team-pings-24h", "Reply to team members' pings within 24 hours, weekends and time off excluded.", CALC, "roles.clock.add_business_time"),
    (COMMUNICATION, "comm-unblock-fast", "Unblock people quickly rather than ping-ponging for days.", MANUAL, ""),
    (COMMUNICATION, "comm-github-pings-24h", "Respond to GitHub/GitLab pings within 24 hours (same exclusions).", CALC, "roles.clock.is_late"),
    (COMMUNICATION, "comm-ping-estimate", "A ping with no ticket this sprint gets an estimate of when a full answer comes.", MANUAL, ""),
    (COMMUNICATION, "comm-announcements-24h", "Read and answer the announcements forum within 24 hours.", CALC, "roles.clock.business_time_between"),
    (COMMUNICATION, "comm-forums-2w", "Read and answer the other forums within two weeks (off-topic excepted).", CALC, "roles.clock.reply_due"),
    (COMMUNICATION, "comm-polite", "Be professional and polite with clients.", MANUAL, ""),
    (COMMUNICATION, "comm-async-first", "Prefer asynchronous work; discuss on the ticket first.", MANUAL, ""),
    (COMMUNICATION, "comm-summarise-calls", "Post a summary of any synchronous decision on the ticket.", MANUAL, ""),
    (COMMUNICATION, "comm-agenda", "Meetings get a precise agenda.", MANUAL, ""),
    (COMMUNICATION, "comm-public-channels", "Prefer public channels to private messages.", MANUAL, ""),
    (COMMUNICATION, "comm-reviewer-timezones", "Agree availability and time-zone overlap with your reviewers (the clock shows each member's local due time).", CALC, "roles.clock.as_zone"),
    # --- Sprint tasks ---
    (SPRINT_TASKS, "sprint-pr-process", "Follow the pull request process.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-no-direct-push", "Never push to a production branch; always open a pull request.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-reviewed-before-merge", "Every ticket has a reviewer from the team (the next sprint's tickets are green).", CHECK, "sprint-ticket-not-green"),
    (SPRINT_TASKS, "sprint-current-reviewer", "Tickets of the current sprint without a reviewer are flagged (the firefighters review them).", CHECK, "sprint-ticket-no-reviewer"),
    (SPRINT_TASKS, "sprint-commit-comfortably", "Commit only to what you can comfortably complete in the sprint.", CHECK, "sprint-member-over-committed"),
    (SPRINT_TASKS, "sprint-capacity-maths", "Sprint capacity: commitments minus time off, rotations and roles, against assigned and review hours.", CALC, "sprints.calculations.capacity.capacity_row"),
    (SPRINT_TASKS, "sprint-review-time", "Review time is planned per ticket by its points.", CALC, "sprints.calculations.capacity.review_hours"),
    (SPRINT_TASKS, "sprint-core-avoids-newcomer-friendly", "Core members avoid newcomer-friendly tasks unless urgent.", CHECK, "sprint-core-on-newcomer-friendly"),
    (SPRINT_TASKS, "sprint-internal-review-deadline", "Every task is ready for internal review by the end of Wednesday of week 2.", CHECK, "sprint-review-deadline-at-risk"),
    (SPRINT_TASKS, "sprint-internal-review-deadline-maths", "The internal review deadline: end of Wednesday of week 2 in the member's zone.", CALC, "opencraft_ops.sprint_dates.internal_review_deadline"),
    (SPRINT_TASKS, "sprint-plan-each-task", "Plan each task at the sprint's start, review slot included.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-keep-margin", "Keep some margin in the sprint (commitments are measured against capacity).", CALC, "sprints.calculations.capacity.capacity_totals"),
    (SPRINT_TASKS, "sprint-delivery-deadline", "Tasks reach External Review (or Deployed & Delivered) an hour before the next sprint.", CHECK, "sprint-delivery-at-risk"),
    (SPRINT_TASKS, "sprint-delivery-deadline-maths", "The delivery deadline: one hour before the next sprint starts.", CALC, "opencraft_ops.sprint_dates.delivery_deadline"),
    (SPRINT_TASKS, "sprint-warn-early", "A deadline at risk is flagged to the assignee, the firefighters and the epic owner early.", CHECK, "sprint-review-deadline-at-risk"),
    (SPRINT_TASKS, "sprint-overtime", "Work overtime if needed to finish the sprint.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-spillovers-recorded", "Spillovers are recorded at the sprint's end.", CALC, "sprints.services.spillovers_record"),
    (SPRINT_TASKS, "sprint-prioritise-spillovers", "Prioritise stories that spilled over from the previous sprint.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-work-from-right", "Work from the right: external reviews, then reviews for others, then your own tasks.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-help-others", "Help team members before starting new work when finishing early.", MANUAL, ""),
    (SPRINT_TASKS, "sprint-blocked-review", "Review your Long External Review/Blocked tasks once a sprint.", CHECK, "sprint-blocked-ticket-stale"),
    (SPRINT_TASKS, "sprint-injections", "Tickets added after the sprint's cutoff are injections that must be accepted.", CHECK, "sprint-injection-not-accepted"),
    (SPRINT_TASKS, "sprint-injection-cutoff", "The injection cutoff of a sprint.", CALC, "opencraft_ops.sprint_dates.is_injection"),
    (SPRINT_TASKS, "sprint-over-estimate", "Do not exceed a task's original estimate without the epic owner's approval (newcomers above all).", CHECK, "sprint-ticket-over-estimate"),
    # --- Roles and types of members ---
    (ROLES, "roles-say-publicly", "Say publicly which roles you would like to take.", MANUAL, ""),
    (ROLES, "roles-one-year", "Keep a role at least a year before dropping it.", MANUAL, ""),
    (ROLES, "roles-replacement", "Whoever leaves a role finds a replacement and helps during a transition period.", GUARD, "roles.services.role_assignment_handover"),
    (ROLES, "roles-handover-someone-else", "A role is handed over to someone else, with a transition ending after the assignment.", GUARD, "roles.models.assignments.RoleAssignment.clean"),
    (ROLES, "roles-leaver-roles", "Roles held by someone who has left are flagged.", CHECK, "assignment-holder-left"),
    (ROLES, "roles-member-types", "Members are short-term, newcomers on a renewable two-month probation, or core.", CALC, "sprints.calculations.newcomers.trial_end"),
    (ROLES, "roles-trial-extended", "A probation can be extended.", CALC, "sprints.calculations.newcomers.is_extended"),
    (ROLES, "roles-core-rotations", "Only core members take the rotations (firefighter, discovery duty).", GUARD, "rotations.services.rules.eligibility_problem"),
    (ROLES, "roles-core-rotations-check", "A rotation held by someone who cannot hold it is flagged.", CHECK, "rotation-ineligible-holder"),
    (ROLES, "roles-same-expectations", "Everyone is held to the same expectations, whatever their type.", MANUAL, ""),
    # --- Recruitment manager ---
    (RECRUITMENT, "recruit-selection", "Select newcomers to match the cells' needs from the epic planning.", DUTY, "recruitment-manager-monthly"),
    (RECRUITMENT, "recruit-interviews", "Pre-select, interview (scripted, recorded) and answer candidates.", MANUAL, ""),
    (RECRUITMENT, "recruit-onboarding-accounts", "Start onboarding: accounts and rights on the tools.", MANUAL, ""),
    (RECRUITMENT, "recruit-onboarding-epic", "Every newcomer has an onboarding epic with its tasks.", CHECK, "newcomer-no-onboarding-epic"),
    (RECRUITMENT, "recruit-mentor-ready", "Before a newcomer starts, the cell has a mentor and a line-up of tasks.", DUTY, "recruitment-manager-monthly"),
    (RECRUITMENT, "recruit-core-review", "Organise the core-member review at the end of each trial, with one member of each other cell.", DUTY, "recruitment-manager-monthly"),
    (RECRUITMENT, "recruit-anonymous-feedback", "Compile the reviews into an anonymous list.", DUTY, "recruitment-manager-monthly"),
    (RECRUITMENT, "recruit-accuracy", "Regularly compare trial results with the interview selection.", DUTY, "recruitment-manager-monthly"),
    (RECRUITMENT, "recruit-backup", "The recruitment manager has a single backup.", CHECK, "role-short-of-backups"),
    # --- Cell management ---
    (CELL_MANAGEMENT, "cell-roles-exist", "Every cell has its management roles assigned.", CHECK, "cell-missing-management-role"),
    (CELL_MANAGEMENT, "cell-role-single-owner", "Each management role is coordinated by a single person.", GUARD, "roles.models.assignments.Role.clean"),
    (CELL_MANAGEMENT, "cell-duty-holders", "Each recurring duty has someone to do it.", CHECK, "duty-unassigned"),
    (CELL_MANAGEMENT, "cell-duties-on-time", "Recurring duties are done by their due day.", CHECK, "duty-overdue"),
    (CELL_MANAGEMENT, "cell-duty-schedule", "Recurring duties open on their schedule (sprint day, week, month, quarter).", CALC, "duties.cadence.occurrences"),
    (CELL_MANAGEMENT, "cell-duty-backup", "A duty goes to the holder's backup when the holder is off.", CALC, "duties.calculations.assignee_for"),
    (CELL_MANAGEMENT, "cell-duty-digest", "Duty holders get a daily digest of what is due.", REMINDER, "duties.services.digest_send"),
    (CELL_MANAGEMENT, "cell-duty-overdue-mail", "Overdue duties are notified.", REMINDER, "duties.services.duty_overdue_notify"),
    # --- Sprint planning manager ---
    (SPRINT_PLANNING, "spm-estimation-session", "Give epic owners rights on the estimation session.", DUTY, "sprint-planning-preparation"),
    (SPRINT_PLANNING, "spm-priority-order", "Backlog order: client work, newcomer-friendly, flagged internal, other internal.", CALC, "sprints.calculations.capacity.assigned_hours"),
    (SPRINT_PLANNING, "spm-newcomer-friendly-ranked", "Newcomer-friendly tasks are ranked high enough for mentoring time.", MANUAL, ""),
    (SPRINT_PLANNING, "spm-social-chat", "A social chat is scheduled for the cell.", DUTY, "sprint-planning-preparation"),
    (SPRINT_PLANNING, "spm-not-overcommitted", "No member, nor the cell, is over-committed; extra work goes to Stretch Goals.", DUTY, "sprint-planning-preparation"),
    (SPRINT_PLANNING, "spm-green-tickets", "Next sprint's tickets are green (estimate, assignee, reviewer).", DUTY, "sprint-planning-preparation"),
    (SPRINT_PLANNING, "spm-unassigned-to-stretch", "Unassigned tickets are pushed to Stretch Goals.", DUTY, "sprint-planning-preparation"),
    (SPRINT_PLANNING, "spm-unestimated", "Sprint tickets have an estimate.", CHECK, "sprint-ticket-unestimated"),
    (SPRINT_PLANNING, "spm-close-open", "Complete the current sprint and start the next.", DUTY, "sprint-planning-preparation"),
    (SPRINT_PLANNING, "spm-company-initiatives", "Company-wide initiatives need buy-in from those affected.", MANUAL, ""),
    # --- Sprint manager ---
    (SPRINT_MANAGER, "sm-rotations-vs-time-off", "The Monday before a sprint, check rotation holders against their time off and arrange backups.", DUTY, "sprint-manager-preparation"),
    (SPRINT_MANAGER, "sm-uncovered-days", "Working days with no firefighter present are flagged.", CHECK, "rotation-uncovered-days"),
    (SPRINT_MANAGER, "sm-coverage-maths", "Who covers each working day of the sprint.", CALC, "rotations.calculations.coverage.coverage"),
    (SPRINT_MANAGER, "sm-backup", "A backup firefighter can be assigned for uncovered days.", GUARD, "rotations.services.editing.rotation_backup_assign"),
    (SPRINT_MANAGER, "sm-schedule-current", "Keep the rotation schedule current, checked once a sprint.", DUTY, "sprint-manager-preparation"),
    (SPRINT_MANAGER, "sm-schedule-generated", "The rotation schedule is drawn from the core members, fairly.", CALC, "rotations.calculations.schedule.generate_schedule"),
    (SPRINT_MANAGER, "sm-no-double-booking", "Nobody holds two rotations at once.", GUARD, "rotations.services.rules.double_booking_problem"),
    (SPRINT_MANAGER, "sm-firefighting-budget", "Firefighting budget: 7.5 % of the cell's hours, split between two firefighters.", CALC, "rotations.calculations.budgets.cell_budget"),
    (SPRINT_MANAGER, "sm-discovery-budget", "Discovery budget: 2.5 %, apart from the weekly 5 h discovery duty.", CALC, "rotations.calculations.budgets.cell_budget"),
    (SPRINT_MANAGER, "sm-mid-sprint-updates", "Every member has posted a written mid-sprint update; follow up with the others.", DUTY, "sprint-manager-mid-sprint"),
    (SPRINT_MANAGER, "sm-spillovers-explained", "Every spillover of the previous sprint has an explanation.", CHECK, "sprint-spillover-unexplained"),
    (SPRINT_MANAGER, "sm-retrospective", "Open the retrospective post and poll, and the sheet's entry.", DUTY, "sprint-manager-wrap-up"),
    (SPRINT_MANAGER, "sm-end-updates", "Every member has sent their end-of-sprint update.", DUTY, "sprint-manager-wrap-up"),
    (SPRINT_MANAGER, "sm-delivered-to-done", "Move Deployed & Delivered tickets to Done once they meet the definition of done.", DUTY, "sprint-manager-wrap-up"),
    (SPRINT_MANAGER, "sm-completion", "The sprint is completed (spillovers recorded, next sprint's rotations and duties opened).", CALC, "sprints.services.sprint_completion_run"),
    (SPRINT_MANAGER, "sm-planning-meeting", "Cells without asynchronous planning hold a planning meeting.", MANUAL, ""),
    # --- Epic planning ---
    (EPIC_PLANNING, "ep-status-review", "Review the past sprint's epic status changes and correct the epics board.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-status-transitions", "Epic statuses move only along the allowed transitions.", GUARD, "epics.calculations.can_transition"),
    (EPIC_PLANNING, "ep-update-each-epic", "Each epic in development has this sprint's update.", CHECK, "epic-update-missing"),
    (EPIC_PLANNING, "ep-time-estimates", "New and finished epics are recorded in the time and estimates sheet.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-blocked-waiting", "Epics blocked on the client move to waiting; delivered to QA; finished to Done.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-reconcile", "The planning spreadsheet and the epics board agree.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-availability", "Team availability is current (weekly commitments recorded).", GUARD, "roles.services.commitment_change"),
    (EPIC_PLANNING, "ep-commitment-changes", "Requests to change weekly hour commitments are handled.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-long-absences", "Absences of a week or more in the next two months are noted on the epics.", CALC, "epics.calculations.long_absences"),
    (EPIC_PLANNING, "ep-capacity", "Capacity allocations for the coming months are adjusted.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-deadlines", "Delivery and bugfix deadlines of epics are on target.", CHECK, "epic-past-due-date"),
    (EPIC_PLANNING, "ep-deadline-health", "An epic's deadline health from its milestones.", CALC, "epics.calculations.deadline_health"),
    (EPIC_PLANNING, "ep-milestones-planned", "A milestone has tickets planned in the sprints before its deadline.", CHECK, "epic-milestone-unplanned"),
    (EPIC_PLANNING, "ep-recruitment-pace", "Agree the recruitment pace with the recruitment manager.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-leavers", "Joiners and leavers are recorded; leavers' roles, clients and epics get new owners.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-client-lists", "The maintenance and small-projects epics list the cell's current clients.", DUTY, "epic-planning-checklist"),
    (EPIC_PLANNING, "ep-update-nobody", "Someone can post each epic's update this sprint.", CHECK, "epic-update-nobody-available"),
    (EPIC_PLANNING, "ep-monthly-actuals", "Each month, add last month's actual hours to the planning sheet.", DUTY, "monthly-accounts-review"),
    # --- Sustainability management ---
    (SUSTAINABILITY, "su-preview", "Monday of W3: post the sustainability preview for next sprint.", DUTY, "sustainability-preview"),
    (SUSTAINABILITY, "su-preview-maths", "The preview: billable and non-billable hours left this sprint plus next, and the ratio.", CALC, "sustainability.calculations.preview.sprint_preview"),
    (SUSTAINABILITY, "su-preview-template", "The preview follows the handbook's template.", CALC, "sustainability.reports.sprint_preview"),
    (SUSTAINABILITY, "su-ratio", "Sustainability ratio: non-billable / (billable + non-billable).", CALC, "sustainability.calculations.figures.ratio"),
    (SUSTAINABILITY, "su-target", "A cell keeps its ratio under its target.", CHECK, "sustainability-above-target"),
    (SUSTAINABILITY, "su-target-unlocked", "The target in force (unlocked targets apply from their date).", CALC, "sustainability.calculations.targets.target_on"),
    (SUSTAINABILITY, "su-budget-follow-up", "Follow up with epic owners on budget problems.", DUTY, "sustainability-preview"),
    (SUSTAINABILITY, "su-budget-thresholds", "Accounts crossing budget thresholds are flagged.", CHECK, "sustainability-budget-threshold"),
    (SUSTAINABILITY, "su-budget-alerts", "Budget threshold crossings are emailed to the account's owners.", REMINDER, "sustainability.alerts.alerts_notify"),
    (SUSTAINABILITY, "su-accounts-review", "Before the 5th, check last month's tickets used the right accounts, and post the review.", DUTY, "monthly-accounts-review"),
    (SUSTAINABILITY, "su-accounts-suspects", "Tickets whose account looks wrong are listed for the review.", CALC, "sustainability.calculations.review.suspect_reasons"),
    (SUSTAINABILITY, "su-accounts-template", "The accounts review follows the handbook's template.", CALC, "sustainability.reports.accounts_review"),
    (SUSTAINABILITY, "su-client-budgets", "Client budgets are adjusted so the dashboard stays current.", DUTY, "monthly-accounts-review"),
    (SUSTAINABILITY, "su-quarterly", "In January, April, July and October, post the cell's sustainability update.", DUTY, "quarterly-sustainability-update"),
    (SUSTAINABILITY, "su-quarterly-maths", "The quarterly table: reference period, year to date and quarter.", CALC, "sustainability.calculations.quarterly.quarterly_table"),
    (SUSTAINABILITY, "su-quarterly-template", "The quarterly update follows one of the handbook's templates.", CALC, "sustainability.reports.quarterly_update"),
    (SUSTAINABILITY, "su-non-billable-budgets", "Each quarter, review the budgets of the cell's non-billable accounts.", DUTY, "quarterly-sustainability-update"),
    # --- Code reviewer ---
    (CODE_REVIEWER, "cr-prompt", "Give prompt, thorough, constructive reviews.", MANUAL, ""),
    (CODE_REVIEWER, "cr-pr-expectations", "Expect the author to have met the PR expectations before reviewing.", MANUAL, ""),
    (CODE_REVIEWER, "cr-external-24h", "Answer a review ping on non-OpenCraft work within 24 hours.", CALC, "roles.clock.reply_due"),
    (CODE_REVIEWER, "cr-minimise-cycles", "Leave complete reviews to minimise cycles.", MANUAL, ""),
    (CODE_REVIEWER, "cr-no-drift", "Make sure nothing that could be upstreamed drifts.", MANUAL, ""),
    (CODE_REVIEWER, "cr-read-diff", "Read the whole diff (quality, standards, a11y, tests, tech debt).", MANUAL, ""),
    (CODE_REVIEWER, "cr-test-manually", "Test the change manually where possible.", MANUAL, ""),
    (CODE_REVIEWER, "cr-docs", "Check whether documentation needs updating.", MANUAL, ""),
    (CODE_REVIEWER, "cr-say-unsure", "Say where you are not confident in reviewing.", MANUAL, ""),
    (CODE_REVIEWER, "cr-praise", "Say what you particularly like.", MANUAL, ""),
    (CODE_REVIEWER, "cr-approval-template", "Use the approval template.", MANUAL, ""),
    (CODE_REVIEWER, "cr-newcomer-time", "Reserve extra review time for newcomers' tickets.", CALC, "sprints.calculations.capacity.review_hours"),
    (CODE_REVIEWER, "cr-silent-assignee", "An assignee behind and silent for 48 hours on an urgent ticket is escalated to a firefighter.", MANUAL, ""),
    # --- Newcomer ---
    (NEWCOMER, "nc-points-limit", "At most 3 points in the first week and 5 in the second (8 in the first sprint).", CHECK, "sprint-newcomer-over-limit"),
    (NEWCOMER, "nc-points-maths", "The point limit of a newcomer's sprint.", CALC, "sprints.calculations.newcomers.point_limit"),
    (NEWCOMER, "nc-time-management", "Discuss time management and planning with the mentor.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-121-prep", "Prepare every 1:1 with the newcomer checklist.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-ask-early", "Ask reviewers questions early in the sprint.", MANUAL, ""),
    (NEWCOMER, "nc-updates", "Give reviewers and the mentor frequent updates.", MANUAL, ""),
    (NEWCOMER, "nc-review-core", "Review core members' tasks to learn the projects.", MANUAL, ""),
    (NEWCOMER, "nc-log-onboarding", "Log onboarding time on the onboarding task; stay within estimates without approval.", CHECK, "sprint-ticket-over-estimate"),
    (NEWCOMER, "nc-no-contract-hours", "Newcomers are not held to the contract's weekly hours.", CHECK, "under-contract-hours"),
    (NEWCOMER, "nc-121-feedback-delivered", "Ask reviewers for feedback on Deployed & Delivered tickets.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-121-read-feedback", "Read the feedback received on tickets.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-121-next-sprint", "Review the tickets assigned for next sprint.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-121-budget", "Check the onboarding budget.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-121-strengths", "Ask for feedback on strengths and areas to improve, and find tickets to show progress.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-121-blockers", "Collect blockers to discuss with the mentor.", DUTY, "newcomer-1on1-prep"),
    (NEWCOMER, "nc-onboarding-80h", "Newcomer and mentor stay under 80 h on the onboarding epic (130 h extended), 195 h in all.", CHECK, "sprint-onboarding-budget-over"),
    (NEWCOMER, "nc-onboarding-epic", "Own the onboarding epic and manage it like an epic.", CHECK, "newcomer-no-onboarding-epic"),
    (NEWCOMER, "nc-onboarding-tasks", "Create estimated tasks under the onboarding epic for distinct work.", MANUAL, ""),
    (NEWCOMER, "nc-detailed-worklogs", "Describe worklogs in detail.", MANUAL, ""),
    # --- Mentor ---
    (MENTOR, "mentor-tell-team", "Tell the team you will mentor the newcomer before their first day.", DUTY, "mentor-week-before"),
    (MENTOR, "mentor-first-task", "Before the first day, pick a 2-3 point first task from a main project of the cell.", DUTY, "mentor-week-before"),
    (MENTOR, "mentor-screening-task", "The first task is complex enough for the screening review.", DUTY, "mentor-week-before"),
    (MENTOR, "mentor-early-pr", "Ask the newcomer to open a PR early and push daily.", DUTY, "mentor-week-before"),
    (MENTOR, "mentor-initial-121", "Hold an initial 1:1 with screening questions.", DUTY, "mentor-initial-1on1"),
    (MENTOR, "mentor-weekly-121", "Hold a weekly 1:1 through the trial.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-121-review-work", "Review the newcomer's work before each 1:1.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-121-budget", "Review the onboarding budget at each 1:1.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-121-feedback", "Give feedback on strengths and improvements.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-at-risk-tickets", "Flag the newcomer's at-risk tickets to the firefighters.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-next-sprint", "Review next sprint's tickets and help find suitable ones.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-process-feedback", "Ask about onboarding and processes; open an issue for problems.", DUTY, "mentor-weekly-1on1"),
    (MENTOR, "mentor-trial-goals", "Trial tasks grow in complexity: 5-point tasks from sprint 2, 5+ complex ones by the end.", CALC, "sprints.calculations.newcomers.trial_goals"),
    (MENTOR, "mentor-mentors-of", "The newcomer's mentor is the onboarding epic's reviewer, else the cell's mentors.", CALC, "sprints.newcomer_selectors.mentors_of"),
    (MENTOR, "mentor-no-production", "Tasks needing production access are not for newcomers.", MANUAL, ""),
    (MENTOR, "mentor-screening-review", "Take part in the screening and developer reviews.", MANUAL, ""),
    # --- Firefighter ---
    (FIREFIGHTER, "ff-two", "Each sprint has two firefighters with the same duties.", CHECK, "rotation-uncovered-days"),
    (FIREFIGHTER, "ff-15-hours", "Keep at least 15 hours for firefighting.", CHECK, "rotation-firefighter-short-of-hours"),
    (FIREFIGHTER, "ff-reserved-in-capacity", "Firefighting hours are reserved in the sprint's capacity.", CALC, "rotations.capacity.rotations_reserved"),
    (FIREFIGHTER, "ff-spare-task", "Keep spare tasks in Stretch Goals or next sprint.", MANUAL, ""),
    (FIREFIGHTER, "ff-no-logging-on-ff-ticket", "Never log time on the Sprint Firefighter ticket itself.", CHECK, "firefighter-ticket-logging"),
    (FIREFIGHTER, "ff-pager", "Be on the pager during your working hours while firefighter.", CALC, "rotations.services.pager.pager_rebuild"),
    (FIREFIGHTER, "ff-pager-shifts", "Pager shifts follow the firefighters' working hours.", CALC, "rotations.calculations.schedule.pager_shifts"),
    (FIREFIGHTER, "ff-green-tickets", "Remind epic owners to get next sprint's tickets green, sharing epics with the other firefighter.", DUTY, "green-ticket-reminder"),
    (FIREFIGHTER, "ff-green-tickets-2", "Firefighter 2 shares the green-ticket follow-up.", DUTY, "green-ticket-reminder-ff2"),
    (FIREFIGHTER, "ff-mid-sprint-check-in", "Before the mid-sprint update, check in on every Backlog and In progress ticket.", DUTY, "firefighter-mid-sprint-check-in"),
    (FIREFIGHTER, "ff-mid-sprint-check-in-2", "Firefighter 2 takes half of the check-ins.", DUTY, "firefighter-mid-sprint-check-in-ff2"),
    (FIREFIGHTER, "ff-review-missing", "Review tasks that are missing a reviewer.", CHECK, "sprint-ticket-no-reviewer"),
    (FIREFIGHTER, "ff-emergencies", "Handle emergencies from the team and clients first.", MANUAL, ""),
    (FIREFIGHTER, "ff-mailing-lists", "Be subscribed to the help and urgent lists.", MANUAL, ""),
    (FIREFIGHTER, "ff-document-incidents", "Document incidents on the ops review thread.", MANUAL, ""),
    (FIREFIGHTER, "ff-sprint-start-notice", "Firefighters, discovery duty and ops reviewer are announced when a sprint starts.", REMINDER, "rotations.services.schedule.sprint_started_emit"),
    (FIREFIGHTER, "ff-project-cell-rules", "Only project cells keep their own firefighting rules.", GUARD, "roles.models.organisation.Cell.clean"),
    (FIREFIGHTER, "ff-project-cell-policy", "A project cell's policy decides whether it has an ops reviewer or pager shifts.", GUARD, "rotations.services.rules.policy_problem"),
    (FIREFIGHTER, "ff-project-cell-budget", "Generalist help to a project cell is logged on the project cell's budget.", MANUAL, ""),
    # --- Security ---
    (SECURITY, "sec-triage", "Critical and high vulnerabilities are patched at once; medium next sprint; low later.", CALC, "duties.triage.triage"),
    (SECURITY, "sec-unclear", "Vulnerabilities of unclear severity are discussed with the team first.", MANUAL, ""),
    (SECURITY, "sec-dependabot", "Firefighters handle Dependabot PRs by the same severity rules.", MANUAL, ""),
    # --- Community relations ---
    (COMMUNITY, "cc-20h", "Core contributors spend at least 20 hours a month on contributions.", DUTY, "core-contributor-monthly"),
    (COMMUNITY, "cc-priorities", "Core contributor work follows the priorities on the core contributors epic.", DUTY, "core-contributor-monthly"),
    (COMMUNITY, "cl-8h", "The community liaison is a single person, about 8 hours a week.", GUARD, "roles.models.assignments.Role.clean"),
    (COMMUNITY, "cl-account", "Only the community liaison uses the Community Relations account, on their own tasks.", CHECK, "community-account-misuse"),
    (COMMUNITY, "cl-ospr-top3", "Send the top three OSPR priorities to the OSCM team weekly.", DUTY, "community-liaison-weekly"),
    (COMMUNITY, "cl-acknowledge-24h", "Acknowledge community bug reports and PRs within 24 hours.", DUTY, "community-liaison-weekly"),
    (COMMUNITY, "cl-internal-ticket", "Each community bug report or PR gets an internal ticket due in two weeks, with a firefighter.", DUTY, "community-liaison-weekly"),
    (COMMUNITY, "cl-two-weeks", "The two weeks for community contributions are plain calendar time.", CALC, "roles.clock.reply_due"),
    (COMMUNITY, "cl-btr-ci", "Forward build-test-release CI failures to the firefighters and see they get replies.", DUTY, "community-liaison-weekly"),
    (COMMUNITY, "cl-oeps", "Make sure OpenCraft takes part in relevant OEPs, ADRs and discussions.", DUTY, "community-liaison-weekly"),
    (COMMUNITY, "cl-sandboxes", "Keep half an hour a week for PR sandbox requests.", DUTY, "community-liaison-weekly"),
    (COMMUNITY, "cl-meetup", "Organise the biweekly contributors' meetup: schedule, announce, hold, record.", DUTY, "community-liaison-contributors-meetup"),
    (COMMUNITY, "cl-hangout", "Organise OpenCraft's part in the monthly community hangout.", DUTY, "community-liaison-monthly-hangout"),
    (COMMUNITY, "cl-forum-moderation", "Help moderate the Open edX forum and Slack.", MANUAL, ""),
    (COMMUNITY, "cl-project-management", "Follow up on the community boards' tasks.", MANUAL, ""),
    # --- Ops reviewer ---
    (OPS_REVIEWER, "or-check-alerts", "Check ops@ emails and pager alerts were handled.", DUTY, "ops-reviewer-weekly"),
    (OPS_REVIEWER, "or-pager-30m", "Be the pager's backup: alerts escalate after 30 minutes unacknowledged.", CALC, "roles.clock.reply_due"),
    (OPS_REVIEWER, "or-12h-ticket", "An urgent issue, or one unsolved for 12 hours, becomes a ticket for a firefighter.", DUTY, "ops-reviewer-weekly"),
    # --- Discovery duty ---
    (DISCOVERY, "dd-generalist-only", "Discovery duty exists only in generalist cells.", GUARD, "rotations.services.rules.policy_problem"),
    (DISCOVERY, "dd-every-week", "A generalist cell has discovery duty every week.", CHECK, "rotation-no-discovery-duty"),
    (DISCOVERY, "dd-5h", "Keep at least 5 hours a week for discovery work.", DUTY, "discovery-duty-week"),
    (DISCOVERY, "dd-right-person", "Swap a discovery with someone better placed.", DUTY, "discovery-duty-week"),
    (DISCOVERY, "dd-ff-review", "Ping the firefighters to review each discovery.", DUTY, "discovery-duty-week"),
    (DISCOVERY, "dd-huge-later", "Huge discoveries go into future sprints.", DUTY, "discovery-duty-week"),
    (DISCOVERY, "dd-spare-task", "Leave a spare task in Stretch Goals or next sprint.", DUTY, "discovery-duty-week"),
    (DISCOVERY, "dd-weeks", "The duty weeks of a sprint.", CALC, "rotations.calculations.schedule.duty_weeks"),
    # --- Specialists ---
    (SPECIALISTS, "sp-second-reviewer", "Specialists are at least second reviewer on their area's tasks.", MANUAL, ""),
    (SPECIALISTS, "sp-devops-involved", "The DevOps specialist is involved in every DevOps task of the cell.", MANUAL, ""),
    (SPECIALISTS, "sp-devops-tickets", "DevOps specialists create maintenance and discovery tickets for the common infrastructure.", MANUAL, ""),
    (SPECIALISTS, "sp-security-offboarding", "The technical security manager offboards leavers.", MANUAL, ""),
    # --- Epic owner ---
    (EPIC_OWNER, "eo-budget", "The epic has estimated tasks and a global budget.", CALC, "epics.calculations.budget_health"),
    (EPIC_OWNER, "eo-fixed-budget", "A fixed-budget epic stays within its budget.", CHECK, "epic-fixed-over-budget"),
    (EPIC_OWNER, "eo-monthly-budget", "A monthly-budget epic stays within the month's budget.", CHECK, "epic-monthly-over-budget"),
    (EPIC_OWNER, "eo-monthly-budget-history", "Monthly budgets change from a date, keeping their history.", GUARD, "epics.services.epic_budget_set"),
    (EPIC_OWNER, "eo-timeline", "The timeline lists milestones with deadlines; the due date stays current.", GUARD, "epics.services.epic_milestone_create"),
    (EPIC_OWNER, "eo-due-date", "The epic's due date comes from its milestones.", CALC, "epics.calculations.due_date"),
    (EPIC_OWNER, "eo-past-due", "An epic past its due date is flagged.", CHECK, "epic-past-due-date"),
    (EPIC_OWNER, "eo-clients-updated", "Keep clients updated on the status of tickets.", MANUAL, ""),
    (EPIC_OWNER, "eo-client-meetings", "Attend client meetings, at most weekly.", MANUAL, ""),
    (EPIC_OWNER, "eo-tickets-ahead", "Create tickets in the upcoming sprints well ahead of deadlines.", CHECK, "epic-milestone-unplanned"),
    (EPIC_OWNER, "eo-estimation-session", "Unestimated tickets of next sprint go into the estimation session.", DUTY, "epic-owner-next-sprint-stories"),
    (EPIC_OWNER, "eo-newcomer-friendly", "Split out newcomer-friendly work and flag it.", MANUAL, ""),
    (EPIC_OWNER, "eo-original-estimate", "Set each ticket's original estimate from the discovery.", CHECK, "sprint-ticket-over-estimate"),
    (EPIC_OWNER, "eo-update-thursday", "Post the epic update on Thursday of W2.", DUTY, "epic-owner-update"),
    (EPIC_OWNER, "eo-update-due", "An epic update due this week is flagged to its author.", CHECK, "epic-update-due"),
    (EPIC_OWNER, "eo-update-questions", "The update answers the questions for its kind (fixed, monthly, support).", CALC, "epics.questions.questionnaire"),
    (EPIC_OWNER, "eo-update-answers", "Answers to the update's questions are validated.", GUARD, "epics.answers.clean_answers"),
    (EPIC_OWNER, "eo-update-posted", "The update is posted on the epic in JIRA.", REMINDER, "epics.services.epic_update_queue_post"),
    (EPIC_OWNER, "eo-update-author", "The reviewer posts the update when the owner is away.", CALC, "epics.calculations.update_author"),
    (EPIC_OWNER, "eo-next-sprint-stories", "On Thursday or Friday of W2, assign next sprint's stories (assignee and reviewer).", DUTY, "epic-owner-next-sprint-stories"),
    (EPIC_OWNER, "eo-vacation-handoff", "When on leave, hand the epic to its reviewer.", CALC, "epics.calculations.update_author"),
    # --- Epic reviewer ---
    (EPIC_REVIEWER, "er-follow", "Keep up with the epic's progress and read each update.", MANUAL, ""),
    (EPIC_REVIEWER, "er-review-docs", "Review discoveries, planning, budget and documentation of the epic.", MANUAL, ""),
    (EPIC_REVIEWER, "er-stand-in", "Stand in for the epic owner when they are away.", CALC, "duties.calculations.choose_assignee"),
    # --- Client owner ---
    (CLIENT_OWNER, "co-single-cell", "All of a client's epics are done within the client owner's cell.", MANUAL, ""),
    (CLIENT_OWNER, "co-replies", "The client owner replies to the client's emails, or hands off.", CALC, "roles.clock.reply_due"),
    (CLIENT_OWNER, "co-urgent", "Urgent client problems: whoever sees it first replies and CCs the firefighters.", MANUAL, ""),
    (CLIENT_OWNER, "co-backup", "A client owner away is replaced by their designated backup.", CHECK, "role-short-of-backups"),
    (CLIENT_OWNER, "co-monthly-budget", "Review clients' monthly budgets before and during each sprint, projected to the upcoming sprint's end.", DUTY, "client-owner-budget-review"),
    (CLIENT_OWNER, "co-budget-projection", "A budget's projection to the end of its period.", CALC, "sustainability.calculations.budgets.project_to_end"),
    (CLIENT_OWNER, "co-briefings", "Keep the client briefings up to date.", DUTY, "client-owner-budget-review"),
    (CLIENT_OWNER, "co-welcome", "Send a welcome email when the client or its owner changes.", MANUAL, ""),
    (CLIENT_OWNER, "co-new-value", "Think each sprint about new ways to create value for clients.", DUTY, "client-owner-budget-review"),
    # --- Cell supporter ---
    (CELL_SUPPORTER, "cs-not-all-roles", "A cell supporter never holds all of a cell's management roles.", CHECK, "cell-supporter-holds-all-management"),
    (CELL_SUPPORTER, "cs-quarterly", "Check in quarterly with supported cells about delegated roles.", DUTY, "cell-supporter-quarterly-check-in"),
    (CELL_SUPPORTER, "cs-training", "Coordinate training for cell management roles.", MANUAL, ""),
    (CELL_SUPPORTER, "cs-process-reviews", "Conduct process reviews and coordinate improvements.", MANUAL, ""),
    (CELL_SUPPORTER, "cs-upgrades", "Schedule upgrade epics across cells.", MANUAL, ""),
    # --- Other roles ---
    (OTHER_ROLES, "bd-contact", "Business development answers contact@ and web leads promptly.", MANUAL, ""),
    (OTHER_ROLES, "bd-epics", "A prospect becomes an epic with context, scope, budget and timeline.", GUARD, "epics.services.epic_budget_kind_set"),
    (OTHER_ROLES, "bd-onboarding", "Business development onboards confirmed clients and writes the first briefing.", MANUAL, ""),
    (OTHER_ROLES, "bd-price-list", "Reusable estimates go to the price list.", MANUAL, ""),
    (OTHER_ROLES, "ux-product", "UX designers and product managers design, validate and test.", MANUAL, ""),
    (OTHER_ROLES, "advocate-burnout", "The developer advocate watches for burnout.", MANUAL, ""),
    (OTHER_ROLES, "sales-mentor", "The sales mentor reviews sales metrics and training.", MANUAL, ""),
    (OTHER_ROLES, "cto-arbiter", "The CTO arbitrates technical decisions and reviews discoveries.", MANUAL, ""),
    (OTHER_ROLES, "ceo-holidays", "The CEO reviews holidays and handles contracts and hiring.", MANUAL, ""),
    (OTHER_ROLES, "marketing", "The marketing specialist coordinates the website and blog.", MANUAL, ""),
    (OTHER_ROLES, "admin-billing", "The administrative specialist handles billing and bookkeeping.", MANUAL, ""),
    (OTHER_ROLES, "sync-fresh", "The portal's JIRA and Tempo data are fresh (every check reads them).", CHECK, "sync-stale"),
]

RULES: list[HandbookRule] = [
    HandbookRule(id=rule_id, section=section, summary=summary, kind=kind, enforcer=enforcer)
    for section, rule_id, summary, kind, enforcer in _ROWS
]
SECTIONS: list[str] = list(dict.fromkeys(rule.section for rule in RULES))
