"""The role catalog and who holds which role, where, from when to when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from roles.models.organisation import Cell, Member, MemberType


class RoleScope(models.TextChoices):
    CELL = "cell", "Cell role (one holder per cell)"
    TEAM = "team", "Team role (any number of holders)"
    COMPANY = "company", "Company-wide role"
    ROTATION = "rotation", "Rotation (per sprint or week)"


class Role(models.Model):
    """One entry of the role catalog. The catalog is data (see migrations) and
    editable in the admin."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100, unique=True)
    purpose = models.TextField()
    responsibilities = models.TextField(help_text="One responsibility per line.")
    scope = models.CharField(max_length=20, choices=RoleScope.choices)
    max_holders = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Holders at a time (per cell for cell roles). Empty means no limit.",
    )
    backups_required = models.PositiveSmallIntegerField(default=0)
    is_cell_management = models.BooleanField(default=False, help_text="Every cell must have this role held.")
    generalist_only = models.BooleanField(default=False, help_text="Only generalist cells have it.")
    core_only = models.BooleanField(default=False, help_text="Only core members may hold it.")
    temporary = models.BooleanField(default=False)
    reserved_hours_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="Hours per week set aside from the holder's sprint capacity.",
    )
    reserved_hours_per_month = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text="Hours per month set aside from the holder's capacity (pro rata per sprint).",
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        # Keep the copy the database constraint relies on in step with the catalog.
        self.assignments.exclude(exclusive=self.is_exclusive).update(exclusive=self.is_exclusive)

    @property
    def responsibility_list(self) -> list[str]:
        return [line.strip() for line in self.responsibilities.splitlines() if line.strip()]

    @property
    def is_exclusive(self) -> bool:
        return self.max_holders == 1

    def clean(self) -> None:
        """Refuses making a role single-holder while its assignments overlap."""
        if self.pk is None or self.max_holders != 1:
            return
        rows = sorted(
            RoleAssignment.objects.filter(role_id=self.pk).values_list("cell_id", "since", "until"),
            key=lambda r: (r[0] or 0, r[1]),
        )
        place: int | None = -1
        latest_end: date | None = None  # the latest end so far in this place (None: open-ended)
        for cell_id, since, until in rows:
            if (cell_id or 0) != place:
                place, latest_end = cell_id or 0, until
                continue
            if latest_end is None or latest_end >= since:
                raise ValidationError(
                    {
                        "max_holders": "Some assignments of this role overlap (e.g. from "
                        f"{since}); end them before making it a single-holder role."
                    }
                )
            latest_end = until


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def holdings(self) -> RoleAssignmentQuerySet:
        """Assignments that name a holder: rows of the catalog's rotation roles are left
        out. Those are stored from before the rotation schedule became the only answer
        (``roles.rotation_holders``); they are kept, never shown as holders."""
        return self.exclude(role__scope=RoleScope.ROTATION)


ROTATION_ROLE_REFUSED = (
    "{role} is a rotation role: who holds it comes from the rotation schedule "
    "(the cell's page under Rotations, or /api/rotations/), not from a role assignment."
)


class RoleAssignment(models.Model):
    """A member holding a role, in a cell for cell roles, from ``since`` to ``until``.

    A handover records the replacement (``handed_over_to``) and a transition
    period until ``transition_until`` during which the outgoing holder keeps
    helping; the replacement's own assignment starts the day after ``until``.
    """

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    cell = models.ForeignKey(
        Cell, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    backup = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="backup_for"
    )
    handed_over_to = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="handovers_received"
    )
    transition_until = models.DateField(null=True, blank=True)
    # Copied from the role on save so the database can enforce one holder at a time.
    exclusive = models.BooleanField(default=False, editable=False)
    note = models.CharField(max_length=255, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()
    history = HistoricalRecords()
    # Stored rows clean() leaves out (not a field): the admin's member page sets the
    # rows its POST deletes or edits, whose new values its formset checks.
    exclude_pks: frozenset[int] = frozenset()

    class Meta:
        ordering = ["role__sort_order", "since"]
        indexes = [models.Index(fields=["role", "cell", "since"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="assignment_until_after_since",
                violation_error_message="An assignment cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(transition_until__isnull=True)
                | (Q(until__isnull=False) & Q(transition_until__gte=F("until"))),
                name="assignment_transition_after_until",
                violation_error_message="A transition period needs an end date and must end after it.",
            ),
            models.CheckConstraint(
                condition=~Q(backup=F("member")),
                name="assignment_backup_not_holder",
                violation_error_message="The backup must be someone other than the holder.",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.cell})" if self.cell_id else ""
        return f"{self.role}{where}: {self.member}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.exclusive = self.role.is_exclusive
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        """The rules the forms, the admin and the API share (the database enforces
        the date order, and on PostgreSQL one exclusive holder at a time, too)."""
        errors: dict[str, str] = {}
        if self.since and self.until and self.until < self.since:
            errors["until"] = "An assignment cannot end before it starts."
        if self.transition_until is not None:
            if self.until is None:
                errors["transition_until"] = "A transition period needs the assignment's end date."
            elif self.transition_until < self.until:
                errors["transition_until"] = "The transition cannot end before the assignment does."
        if self.member_id is not None:
            if self.backup_id is not None and self.backup_id == self.member_id:
                errors["backup"] = "The backup must be someone other than the holder."
            if self.handed_over_to_id is not None and self.handed_over_to_id == self.member_id:
                errors["handed_over_to"] = "A role is handed over to someone else."
        role = self._role_or_none()
        if role is not None and role.scope == RoleScope.ROTATION and self._gives_rotation_role():
            raise ValidationError({"role": ROTATION_ROLE_REFUSED.format(role=role.name)})
        if role is not None:
            errors.update(self._scope_errors(role))
            if not errors and role.max_holders and role.max_holders > 1 and self.since:
                held = self.overlapping().count()
                if held >= role.max_holders:
                    errors["since"] = (
                        f"{role.name} has at most {role.max_holders} holders at a time"
                        f"{f' in {self.cell}' if self.cell_id else ''}; {held} already hold it over these dates."
                    )
            if not errors and role.is_exclusive and self.since:
                clash = self.overlapping_holder()
                if clash is not None:
                    where = f"{self.cell} already has" if self.cell_id else "There is already"
                    errors["since"] = (
                        f"{where} a {role.name.lower()} over these dates: {clash.member} "
                        f"from {clash.since}{f' to {clash.until}' if clash.until else ''}. "
                        "End that assignment or record a handover first."
                    )
        if errors:
            raise ValidationError(errors)

    def _gives_rotation_role(self) -> bool:
        """A new assignment, or a stored one moved to the (rotation) role: refused. A row
        stored before the schedule became the only answer may still be ended or noted."""
        if self.pk is None:
            return True
        return not RoleAssignment.objects.filter(pk=self.pk, role_id=self.role_id).exists()

    def _role_or_none(self) -> Role | None:
        if self.role_id is None:
            return None
        return self.role

    def _scope_errors(self, role: Role) -> dict[str, str]:
        errors: dict[str, str] = {}
        cell = self.cell if self.cell_id else None
        if role.scope == RoleScope.CELL and cell is None:
            errors["cell"] = f"{role.name} is a cell role: choose the cell."
        if role.scope == RoleScope.COMPANY and cell is not None:
            errors["cell"] = f"{role.name} is a company-wide role: leave the cell empty."
        if role.generalist_only and cell is not None and not cell.is_generalist:
            errors["cell"] = f"{role.name} exists in generalist cells only; {cell} is a project cell."
        if role.core_only and self.member_id is not None and self.since:
            member_type = self.member.type_on(self.since)
            if member_type != MemberType.CORE:
                errors["member"] = (
                    f"Only core members can be {role.name.lower()}; {self.member} is not core yet."
                )
        return errors

    def overlapping(self) -> models.QuerySet[RoleAssignment]:
        """Other assignments of this role, in the same cell (or company-wide),
        whose dates overlap this one's (``exclude_pks`` left out)."""
        others = RoleAssignment.objects.filter(role_id=self.role_id).exclude(pk=self.pk)
        if self.exclude_pks:
            others = others.exclude(pk__in=self.exclude_pks)
        others = others.filter(cell_id=self.cell_id) if self.cell_id else others.filter(cell__isnull=True)
        others = others.filter(Q(until__isnull=True) | Q(until__gte=self.since))
        if self.until is not None:
            others = others.filter(since__lte=self.until)
        return others

    def overlapping_holder(self) -> RoleAssignment | None:
        """Another holder of this role over overlapping dates, if any."""
        return self.overlapping().select_related("member__user").order_by("since").first()

    def is_current_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or self.until >= day)
