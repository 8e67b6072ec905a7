"""The yearly Open edX conference and each member's answer to it: attending or excused,
and the talk they propose or co-present (handbook, "What is expected from everyone")."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from roles.models.organisation import Member

# Members who joined before this day are only encouraged to attend (handbook: "team members
# who joined OpenCraft before July 31st 2018 are only encouraged to attend, not required").
CONFERENCE_REQUIRED_FROM = date(2018, 7, 31)


def conference_required(joined_on: date) -> bool:
    """Whether a member who joined on ``joined_on`` must attend and propose a talk."""
    return joined_on >= CONFERENCE_REQUIRED_FROM


class Conference(models.Model):
    year = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=150)
    starts_on = models.DateField()
    ends_on = models.DateField()
    proposals_due_on = models.DateField(help_text="The last day to submit a talk proposal.")

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")) & Q(proposals_due_on__lte=F("starts_on")),
                name="conference_dates_in_order",
                violation_error_message="A conference ends on or after its start, and proposals "
                "are due on or before it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The conference cannot end before it starts."
        if self.starts_on and self.proposals_due_on and self.proposals_due_on > self.starts_on:
            errors["proposals_due_on"] = "Talk proposals must be due on or before the conference starts."
        if self.starts_on and self.year and self.starts_on.year != self.year:
            errors["year"] = f"The conference starts in {self.starts_on.year}, not {self.year}."
        if errors:
            raise ValidationError(errors)


class TalkStatus(models.TextChoices):
    NONE = "none", "No talk"
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class ConferenceParticipation(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="conference_participations")
    attending = models.BooleanField()
    excused_reason = models.TextField(
        blank=True,
        help_text="The exceptional and important personal circumstances that keep you away.",
    )
    talk_title = models.CharField(max_length=200, blank=True)
    talk_status = models.CharField(max_length=20, choices=TalkStatus.choices, default=TalkStatus.NONE)
    co_presenting_with = models.CharField(
        max_length=200, blank=True, help_text="Who from OpenCraft you co-present a talk with."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["conference", "member"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "member"], name="conference_one_answer_per_member"),
            models.CheckConstraint(
                condition=Q(talk_status="none") | ~Q(talk_title=""),
                name="conference_talk_status_needs_title",
                violation_error_message="A talk that is proposed, accepted or declined needs its title.",
            ),
            models.CheckConstraint(
                condition=Q(excused_reason="") | Q(attending=False),
                name="conference_excused_not_attending",
                violation_error_message="An excused member is not attending.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} at {self.conference}"

    @property
    def excused(self) -> bool:
        return bool(self.excused_reason.strip())

    @property
    def has_talk(self) -> bool:
        """A talk proposed (or accepted), or a co-presentation named."""
        return self.talk_status in (TalkStatus.PROPOSED, TalkStatus.ACCEPTED) or bool(
            self.co_presenting_with.strip()
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.talk_status != TalkStatus.NONE and not self.talk_title.strip():
            errors["talk_title"] = (
                "Give the talk's title: a talk that is proposed, accepted or declined has one."
            )
        if self.excused_reason.strip() and self.attending:
            errors["excused_reason"] = (
                "An excused member is not attending: answer “not attending”, or clear the reason."
            )
        if errors:
            raise ValidationError(errors)
