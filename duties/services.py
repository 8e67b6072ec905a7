"""Writes of the duties app: opening, reassigning and ticking duties, snapshots, digests."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from duties import selectors
from duties.calculations import Subject, assignee_for, plan_instances
from duties.models import TOTAL_RULE, ChecklistItem, DigestSent, DutyInstance, FindingSnapshot
from findings import selectors as findings_selectors
from opencraft_ops import calendar
from roles.models import Cell, Member
from sprints.models import Sprint

logger = logging.getLogger(__name__)

# Far enough ahead for every cadence: quarterly duties open on the 1st and fall due by the month's end.
LOOKAHEAD_DAYS = 40


def catch_up_days() -> int:
    return int(settings.DUTIES_CATCH_UP_DAYS)


@dataclass(frozen=True)
class OpenResult:
    planned: int
    created: int
    items_created: int


def sprint_duties_open(*, cell: Cell, sprint: Sprint) -> dict[str, object]:
    """Sprint completion step (registered in ``DutiesConfig.ready``): opens the duty
    instances of the sprint that follows (the opener is idempotent). Only duties due in that
    sprint or later (from today on when the completion runs late): catching up on duties due
    before it is the daily opener's work, and a completion must not fill anyone's home with
    duties that were due weeks ago. The opener is company-wide; the sentence counts the cell's."""
    as_of = max(sprint.start, timezone.localdate())
    in_window = DutyInstance.objects.filter(
        due_on__range=(as_of, as_of + timedelta(days=LOOKAHEAD_DAYS)), cell=cell
    )
    before = set(in_window.values_list("pk", flat=True))
    result = duty_instances_open(as_of=as_of, lookback_days=0)
    opened = in_window.exclude(pk__in=before).count()
    since = "the first day of" if as_of == sprint.start else "today, in"
    summary = (
        f"Opened {opened} duty instance(s) of {cell} due from {as_of:%a} {as_of.day} {as_of:%b} "
        f"({since} {sprint}) on (already open: {len(before)}); none is due earlier and none "
        "is open twice."
    )
    return {
        "planned": result.planned,
        "created": result.created,
        "checklist_items": result.items_created,
        "cell_opened": opened,
        "cell_already_open": len(before),
        "due_from": as_of.isoformat(),
        "summary": summary,
    }


@transaction.atomic
def duty_instances_open(*, as_of: date, lookback_days: int | None = None) -> OpenResult:
    """Opens every duty instance that has opened by ``as_of`` and was due at most
    ``lookback_days`` ago; idempotent (the unique constraint ignores the ones that exist),
    so running it twice, or after days of downtime, opens each instance exactly once."""
    lookback = catch_up_days() if lookback_days is None else lookback_days
    start, end = as_of - timedelta(days=lookback), as_of + timedelta(days=LOOKAHEAD_DAYS)
    data = selectors.planning_data(start=start, end=end)
    planned = plan_instances(data, start=start, end=end, as_of=as_of, epoch=calendar.epoch())
    before = DutyInstance.objects.filter(due_on__range=(start, end)).count()
    DutyInstance.objects.bulk_create(
        [
            DutyInstance(
                definition_id=p.definition_id,
                period=p.period,
                subject_key=p.subject_key,
                cell_id=p.cell_id,
                subject_member_id=p.subject_member_id,
                opens_on=p.opens_on,
                due_on=p.due_on,
                assignee_id=p.assignee_id,
                assigned_as=p.assigned_as,
                epic_id=p.epic_id,
            )
            for p in planned
        ],
        ignore_conflicts=True,
    )
    created = DutyInstance.objects.filter(due_on__range=(start, end)).count() - before
    items_created = _add_missing_checklists(start=start, end=end)
    return OpenResult(planned=len(planned), created=created, items_created=items_created)


def _add_missing_checklists(*, start: date, end: date) -> int:
    """Copies the definition's checklist into instances that have no items yet (two queries)."""
    bare = DutyInstance.objects.filter(due_on__range=(start, end), items__isnull=True).select_related(
        "definition"
    )
    items = [
        ChecklistItem(duty=instance, position=i, text=text[:500])
        for instance in bare
        for i, text in enumerate(instance.definition.checklist_items, start=1)
    ]
    ChecklistItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


@transaction.atomic
def duty_instances_reassign(*, as_of: date) -> int:
    """Gives every open duty to whoever should do it now: the current holder (a
    handover moves it), or the backup when the holder is off on the day it is due
    (or today, for overdue ones). Returns how many changed hands."""
    since = as_of - timedelta(days=catch_up_days())
    open_instances = list(selectors.open_instances_for_reassign(since=since))
    if not open_instances:
        return 0
    latest = max(max(i.due_on for i in open_instances), as_of)
    data = selectors.planning_data(start=since, end=latest)
    definitions = {d.id: d for d in data.definitions}
    changed = []
    for instance in open_instances:
        definition = definitions.get(instance.definition_id)
        if definition is None:  # deactivated definition: leave its open instances alone
            continue
        subject = Subject(
            instance.subject_key, instance.cell_id, instance.subject_member_id, epic_id=instance.epic_id
        )
        assignee, assigned_as = assignee_for(definition, subject, max(instance.due_on, as_of), data)
        if (assignee, assigned_as) != (instance.assignee_id, instance.assigned_as):
            instance.assignee_id, instance.assigned_as = assignee, assigned_as
            changed.append(instance)
    if changed:
        bulk_update_with_history(changed, DutyInstance, ["assignee", "assigned_as"], batch_size=500)
    return len(changed)


def can_work_on(*, member: Member | None, is_staff: bool, instance: DutyInstance, as_of: date) -> bool:
    """Staff, the assignee, the newcomer a duty is about (their own checklist), the owner or
    reviewer of a duty's epic, or a current holder/backup of the duty's role where the duty is
    (someone standing in)."""
    if is_staff:
        return True
    if member is None:
        return False
    if member.pk in (instance.assignee_id, instance.subject_member_id):
        return instance.definition.assignee_rule == "newcomer" or member.pk == instance.assignee_id
    if instance.epic_id is not None and selectors.is_party_to(member=member, instance=instance):
        return True
    return selectors.holds_duty_role(member=member, instance=instance, as_of=as_of)


def _require(member: Member | None, is_staff: bool, instance: DutyInstance, at: datetime) -> None:
    if not can_work_on(member=member, is_staff=is_staff, instance=instance, as_of=at.date()):
        raise PermissionDenied("Only the person doing this duty (or staff) can change it.")


@transaction.atomic
def checklist_item_tick(
    *, item: ChecklistItem, member: Member | None, is_staff: bool, ticked: bool, at: datetime
) -> ChecklistItem:
    """Ticks (or unticks) an item, recording who and when. Ticking the last item completes
    the duty; unticking an item of a completed duty reopens it."""
    instance = (
        DutyInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "epic")
        .get(pk=item.duty_id)
    )
    _require(member, is_staff, instance, at)
    item = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if ticked and item.ticked_at is None:
        item.ticked_at, item.ticked_by = at, member
        item.save(update_fields=["ticked_at", "ticked_by"])
    elif not ticked and item.ticked_at is not None:
        item.ticked_at, item.ticked_by = None, None
        item.save(update_fields=["ticked_at", "ticked_by"])
    remaining = instance.items.filter(ticked_at__isnull=True).exists()
    if not remaining and instance.done_at is None:
        instance.done_at, instance.done_by = at, member
        instance.save(update_fields=["done_at", "done_by"])
    elif remaining and instance.done_at is not None:
        instance.done_at, instance.done_by = None, None
        instance.save(update_fields=["done_at", "done_by"])
    return item


@transaction.atomic
def duty_instance_complete(
    *, instance: DutyInstance, member: Member | None, is_staff: bool, at: datetime, notes: str | None = None
) -> DutyInstance:
    """Marks the duty done (items left unticked stay as they are, for the record)."""
    instance = (
        DutyInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "epic")
        .get(pk=instance.pk)
    )
    _require(member, is_staff, instance, at)
    if notes is not None:
        instance.notes = notes
    if instance.done_at is None:
        instance.done_at, instance.done_by = at, member
    instance.save(update_fields=["done_at", "done_by", "notes"])
    return instance


@transaction.atomic
def duty_instance_update_notes(
    *, instance: DutyInstance, member: Member | None, is_staff: bool, notes: str, at: datetime
) -> DutyInstance:
    if len(notes) > 10_000:
        raise ValidationError({"notes": "Notes are limited to 10,000 characters."})
    instance = (
        DutyInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "epic")
        .get(pk=instance.pk)
    )
    _require(member, is_staff, instance, at)
    instance.notes = notes
    instance.save(update_fields=["notes"])
    return instance


@transaction.atomic
def finding_snapshots_take(*, as_of: date) -> int:
    """Stores the day's count of open findings per cell and rule (replacing the day's earlier
    snapshot), plus a ``TOTAL_RULE`` row per cell, zero included, so a clean day shows in trends."""
    counts: Counter[tuple[int | None, str]] = Counter()
    for cell_id in Cell.objects.values_list("pk", flat=True):
        counts[(cell_id, TOTAL_RULE)] = 0
    # The stored findings (kept fresh by the findings app's evaluations), not a new run.
    findings_selectors.ensure_fresh()
    for finding_cell, rule in findings_selectors.open_findings().values_list("cell_id", "rule"):
        counts[(finding_cell, rule)] += 1
        counts[(finding_cell, TOTAL_RULE)] += 1
    sprint_number = calendar.sprint_on(as_of).number
    FindingSnapshot.objects.filter(day=as_of).delete()
    FindingSnapshot.objects.bulk_create(
        [
            FindingSnapshot(
                day=as_of,
                sprint_number=sprint_number,
                cell_id=cell_id,
                cell_key=f"cell:{cell_id}" if cell_id is not None else "none",
                rule=rule,
                count=count,
            )
            for (cell_id, rule), count in counts.items()
        ]
    )
    return len(counts)


# A digest the beat missed at the digest hour (downtime, a stuck worker) still goes out
# during the next few hours of the member's morning; after that the day is skipped.
DIGEST_CATCH_UP_HOURS = 4


def _digest_hour() -> int:
    return int(settings.DUTIES_DIGEST_HOUR) % 24


def members_due_a_digest(*, now: datetime) -> list[Member]:
    """Members opted in whose local time is within their digest hour or the catch-up hours
    after it (same local day), and who have no digest sent for their local date yet (two
    queries)."""
    hour = _digest_hour()
    candidates = list(
        Member.objects.filter(email_digest=True, left_on__isnull=True)
        .exclude(user__email="")
        .select_related("user")
    )
    wanted: list[tuple[Member, date]] = []
    for member in candidates:
        try:
            local = now.astimezone(ZoneInfo(member.timezone))
        except (KeyError, ValueError):
            logger.warning(
                "Member %s has an unknown time zone %r; digest skipped.", member.pk, member.timezone
            )
            continue
        if hour <= local.hour < hour + DIGEST_CATCH_UP_HOURS:
            wanted.append((member, local.date()))
    if not wanted:
        return []
    sent = set(
        DigestSent.objects.filter(
            member_id__in=[m.pk for m, _ in wanted], sent_at__isnull=False, day__in={d for _, d in wanted}
        ).values_list("member_id", "day")
    )
    result = []
    for member, day in wanted:
        if (member.pk, day) not in sent:
            member.digest_day = day  # type: ignore[attr-defined]
            result.append(member)
    return result


def digest_send(*, member_id: int, day: date, now: datetime) -> bool:
    """Sends ``member``'s digest for their local ``day`` once: the DigestSent row is locked
    while sending and marked sent after, so a retry or a second worker never sends it twice.
    Returns whether an email went out (nothing due: recorded, no email)."""
    with transaction.atomic():
        DigestSent.objects.get_or_create(member_id=member_id, day=day)
        record = DigestSent.objects.select_for_update().get(member_id=member_id, day=day)
        if record.sent_at is not None:
            return False
        member = Member.objects.select_related("user").get(pk=member_id)
        if not member.email_digest or not member.user.email:
            record.sent_at = now
            record.save(update_fields=["sent_at"])
            return False
        duties = list(
            selectors.instances_with_checklists()
            .filter(assignee=member, done_at__isnull=True, opens_on__lte=day, due_on__lte=day)
            .order_by("due_on")
        )
        record.sent_at, record.duties_count = now, len(duties)
        record.save(update_fields=["sent_at", "duties_count"])
        if not duties:
            return False
        # The stored findings for the member (not a new run of the checks), with their freshness.
        from roles.selectors import member_check_context

        held = member_check_context(member_id=member.pk, as_of=day).member_roles
        context = {
            "member": member,
            "day": day,
            "due_today": [d for d in duties if d.due_on == day],
            "overdue": [d for d in duties if d.due_on < day],
            "findings": findings_selectors.findings_for_member(
                member_id=member.pk, member_roles=held, now=now
            ),
            "findings_freshness": findings_selectors.freshness(
                cell_ids=[member.cell_id] if member.cell_id else [], now=now
            ),
            "home_url": settings.PORTAL_BASE_URL.rstrip("/") + "/",
        }
        send_mail(
            subject=f"Your duties for {day:%A %d %B}: {len(duties)} to do",
            message=render_to_string("duties/digest_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[member.user.email],
        )
        # A failure above rolls the transaction back, so the retry sends it again; a success
        # commits sent_at with the email gone.
        return True


@transaction.atomic
def member_digest_set(*, member: Member, enabled: bool) -> Member:
    """Turns the member's own daily digest on or off (recorded in the member's history)."""
    member.email_digest = enabled
    member.save(update_fields=["email_digest"])
    return member


def duty_overdue_notify(*, as_of: date, now: datetime) -> int:
    """Emits ``duty.overdue`` once per duty that became overdue (within the catch-up window)
    through the rotations app's webhooks, when an endpoint subscribes to it. Returns how many
    duties were announced."""
    from rotations.models import WebhookEndpoint, WebhookEvent
    from rotations.services.webhooks import webhook_emit

    event = WebhookEvent.DUTY_OVERDUE.value
    if not any(e.wants(event) for e in WebhookEndpoint.objects.filter(is_active=True)):
        return 0
    overdue = list(
        DutyInstance.objects.filter(
            done_at__isnull=True,
            overdue_notified_at__isnull=True,
            due_on__lt=as_of,
            due_on__gte=as_of - timedelta(days=catch_up_days()),
        ).select_related("definition__role", "cell", "assignee__user")
    )
    for duty in overdue:
        with transaction.atomic():
            webhook_emit(
                event=event,
                payload={
                    "duty": duty.pk,
                    "title": duty.definition.title,
                    "role": duty.definition.role.slug,
                    "period": duty.period,
                    "cell": duty.cell.slug if duty.cell else None,
                    "due_on": duty.due_on.isoformat(),
                    "assignee": duty.assignee.user.username if duty.assignee else None,
                    "assigned_as": duty.assigned_as,
                    "url": settings.PORTAL_BASE_URL.rstrip("/") + f"/duties/{duty.pk}/",
                },
                dedupe_key=f"duty.overdue:{duty.pk}",
            )
            DutyInstance.objects.filter(pk=duty.pk).update(overdue_notified_at=now)
    return len(overdue)


def duty_due_notify(*, as_of: date, now: datetime) -> int:
    """A duty falling due on ``as_of`` reaches its assignee once, by email and chat (their
    choice of channels, held through their quiet hours). Returns how many messages were new."""
    from notifications.models import Kind
    from notifications.services import notify

    added = 0
    due = DutyInstance.objects.filter(
        done_at__isnull=True, due_on=as_of, assignee__isnull=False
    ).select_related("definition", "cell", "epic")
    base = settings.PORTAL_BASE_URL.rstrip("/")
    for duty in due:
        title = f"{duty.definition.title}: {duty.epic.key}" if duty.epic else duty.definition.title
        added += notify(
            kind=Kind.DUTY_DUE,
            key=f"duty-due:{duty.pk}",
            member_ids=[duty.assignee_id] if duty.assignee_id else [],
            cell_id=None,  # a personal reminder: the member's own channels only
            subject=f"Due today: {title}",
            text=f"Due today: “{title}”{f' ({duty.cell.name})' if duty.cell else ''}. {base}/duties/{duty.pk}/",
            now=now,
        )
    return added


def epic_updates_due_notify(*, as_of: date, now: datetime) -> int:
    """On the sprint's epic-update day (Thursday of W2), each owner of an in-development epic
    without an update for the sprint is told once per epic and sprint."""
    from epics.models import Epic, EpicStatus, EpicUpdate
    from notifications.models import Kind
    from notifications.services import notify
    from opencraft_ops.sprint_dates import thursday_w2

    sprint = calendar.sprint_on(as_of)
    if thursday_w2(sprint) != as_of:
        return 0
    has_update = EpicUpdate.objects.filter(epic=OuterRef("pk"), sprint__number=sprint.number)
    epics = (
        Epic.objects.filter(status=EpicStatus.IN_DEVELOPMENT, owner__isnull=False)
        .annotate(has_update=Exists(has_update))
        .filter(has_update=False)
    )
    base = settings.PORTAL_BASE_URL.rstrip("/")
    added = 0
    for epic in epics:
        added += notify(
            kind=Kind.EPIC_UPDATE_DUE,
            key=f"epic-update:{epic.pk}:{sprint.number}",
            member_ids=[epic.owner_id] if epic.owner_id else [],
            cell_id=None,
            subject=f"Epic update due today: {epic.key}",
            text=f"The sprint {sprint.number} update of {epic.key} “{epic.title}” is due today. {base}/epics/",
            now=now,
        )
    return added
