"""Serializers of the estimation API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from estimation.calculations import VOTE_CHOICES
from estimation.models import EstimationItem, EstimationSession, Vote


class SessionSerializer(serializers.ModelSerializer[EstimationSession]):
    cell: Any = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sprint = serializers.IntegerField(source="sprint.number", read_only=True)
    ticket_count = serializers.IntegerField(read_only=True)
    vote_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = EstimationSession
        fields = [
            "id",
            "cell",
            "sprint",
            "state",
            "closes_on",
            "rule",
            "large_spread_steps",
            "opened_at",
            "closed_at",
            "ticket_count",
            "vote_count",
        ]
        read_only_fields = fields


class ShownVoteSerializer(serializers.Serializer[Any]):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    value = serializers.CharField()
    comment = serializers.CharField()


class SpreadSerializer(serializers.Serializer[Any]):
    votes = serializers.IntegerField()
    low = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    high = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    unsure = serializers.IntegerField()
    too_big = serializers.IntegerField()
    steps = serializers.IntegerField()
    large = serializers.BooleanField()
    median = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class OwnVoteSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    comment = serializers.CharField()


class ItemRowSerializer(serializers.Serializer[Any]):
    """A ticket of the session as the viewer may see it: others' votes only once revealed."""

    key = serializers.CharField()
    summary = serializers.CharField(source="ticket.summary")
    epic = serializers.CharField(source="epic_key")
    newcomer_friendly = serializers.BooleanField()
    voted = serializers.IntegerField()
    expected = serializers.IntegerField()
    revealed = serializers.BooleanField()
    my_vote = OwnVoteSerializer(allow_null=True)
    votes = ShownVoteSerializer(many=True)
    spread = SpreadSerializer(allow_null=True)


class SessionDetailSerializer(serializers.Serializer[Any]):
    session = SessionSerializer()
    tickets = ItemRowSerializer(many=True, source="rows")


class VoteInputSerializer(serializers.Serializer[Any]):
    ticket = serializers.CharField(max_length=32, help_text="The ticket's key.")
    value = serializers.ChoiceField(choices=VOTE_CHOICES)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VoteSerializer(serializers.ModelSerializer[Vote]):
    ticket = serializers.CharField(source="item.ticket.key", read_only=True)

    class Meta:
        model = Vote
        fields = ["ticket", "value", "comment", "updated_at"]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer[EstimationItem]):
    ticket = serializers.CharField(source="ticket.key", read_only=True)
    summary = serializers.CharField(source="ticket.summary", read_only=True)

    class Meta:
        model = EstimationItem
        fields = [
            "ticket",
            "summary",
            "source",
            "keeper_points",
            "final_points",
            "outcome",
            "write_state",
            "written_at",
            "votes_record",
        ]
        read_only_fields = fields
