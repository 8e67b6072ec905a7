"""Demo data for the yearly conference rules: a conference whose talk proposals are due in
two weeks and which starts in six, so both checks look at it on the day the demo is loaded.

Every member answers (attending, a talk proposed) but one: the first member bound by the
rule (joined on or after 31 July 2018) in a cell, by username, who has not answered and so
has no talk either (``conference-attendance-unanswered`` and ``conference-talk-missing``
fire once each, for them). Members who joined before the exemption day attend without a
talk, which the rules do not ask of them. Idempotent: nothing is done when the year's
conference exists.
"""

from __future__ import annotations

from datetime import date, timedelta

from roles import services as roles_services
from roles.models import Conference, Member, TalkStatus, conference_required

PROPOSALS_DUE_IN = timedelta(weeks=2)
STARTS_IN = timedelta(weeks=6)
LASTS = timedelta(days=3)


def conference_demo(today: date) -> list[str]:
    starts_on = today + STARTS_IN
    if Conference.objects.filter(year=starts_on.year).exists():
        return []
    members = list(Member.objects.active(today).select_related("user").order_by("user__username"))
    silent = next((m for m in members if m.cell_id is not None and conference_required(m.joined_on)), None)
    if silent is None:
        return []
    conference = Conference(
        year=starts_on.year,
        name=f"Open edX Conference {starts_on.year}",
        starts_on=starts_on,
        ends_on=starts_on + LASTS,
        proposals_due_on=today + PROPOSALS_DUE_IN,
    )
    conference.full_clean()
    conference.save()
    for member in members:
        if member.pk == silent.pk:
            continue
        required = conference_required(member.joined_on)
        roles_services.conference_participation_save(
            conference=conference,
            member=member,
            attending=True,
            talk_title=f"What {member.user.first_name or member.user.username} learned this year"
            if required
            else "",
            talk_status=TalkStatus.PROPOSED if required else TalkStatus.NONE,
        )
    return [f"{conference.name}: {len(members) - 1} answers, {silent.name} has not answered"]
