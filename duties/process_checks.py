"""Process checks of the duties app: overdue duties, and duties nobody holds."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format

from duties.models import DutyInstance
from opencraft_ops.process_checks import CheckContext, Finding, Severity, register

# A duty this many days late is critical rather than a warning.
CRITICAL_AFTER_DAYS = 7
# Older open duties are history, not a reminder any more.
LOOK_BACK_DAYS = 90


def _title(duty: DutyInstance) -> str:
    return f"{duty.definition.title}: {duty.epic.key}" if duty.epic else duty.definition.title


def _open_overdue(context: CheckContext) -> QuerySet[DutyInstance]:
    # Done after ``as_of`` still counts as open on that day (snapshots of past days).
    qs = DutyInstance.objects.filter(
        Q(done_at__isnull=True) | Q(done_at__date__gt=context.as_of),
        due_on__lt=context.as_of,
        due_on__gte=context.as_of - timedelta(days=LOOK_BACK_DAYS),
    ).select_related("definition__role", "cell", "epic")
    if context.cell_ids is not None:
        qs = qs.filter(cell_id__in=context.cell_ids)
    return qs


@register(
    "duty-overdue",
    title="Duties overdue",
    description="A role's recurring duty is past its due date and its checklist is not done.",
)
def duty_overdue(context: CheckContext) -> Iterable[Finding]:
    qs = _open_overdue(context).filter(assignee__isnull=False)
    if context.member_id is not None:
        qs = qs.filter(assignee_id=context.member_id)
    for duty in qs:  # one query
        late = (context.as_of - duty.due_on).days
        yield Finding(
            rule="duty-overdue",
            severity=Severity.CRITICAL if late >= CRITICAL_AFTER_DAYS else Severity.WARNING,
            message=f"“{_title(duty)}”{f' ({duty.cell.name})' if duty.cell else ''} was due "
            f"{date_format(duty.due_on, 'SHORT_DATE_FORMAT')}, {late} day{'s' if late != 1 else ''} ago.",
            subject=f"duty:{duty.pk}",
            url=reverse("duties:detail", args=[duty.pk]),
            cell_id=duty.cell_id,
            member_id=duty.assignee_id,
            role_slug=duty.definition.role.slug,
        )


@register(
    "duty-unassigned",
    title="Duties with nobody to do them",
    description="A duty fell due while nobody held its role (nor its backup).",
)
def duty_unassigned(context: CheckContext) -> Iterable[Finding]:
    # Addressed to the vacant role: on a member's home page only when they hold it for the
    # duty's cell (or company-wide), e.g. a holder named since the duty fell due.
    return [
        Finding(
            rule="duty-unassigned",
            severity=Severity.WARNING,
            message=f"“{_title(duty)}” ({duty.period}) has nobody to do it: "
            f"the {duty.definition.role.name} role is vacant{f' in {duty.cell.name}' if duty.cell else ''}.",
            subject=f"duty:{duty.pk}",
            url=reverse("duties:detail", args=[duty.pk]),
            cell_id=duty.cell_id,
            role_slug=duty.definition.role.slug,
        )
        for duty in _open_overdue(context).filter(assignee__isnull=True)
    ]
