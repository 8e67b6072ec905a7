"""Builds the clients from settings. Without a base URL a source is off, and says so."""

from __future__ import annotations

from django.conf import settings

from opencraft_ops.integrations.http import NotConfigured, RetryPolicy
from opencraft_ops.integrations.jira import JiraClient, JiraFieldNames
from opencraft_ops.integrations.tempo import TempoClient


def tempo_configured() -> bool:
    return bool(settings.TEMPO_BASE_URL and settings.TEMPO_API_TOKEN)


def jira_configured() -> bool:
    return bool(settings.JIRA_BASE_URL)


def retry_policy() -> RetryPolicy:
    return RetryPolicy(max_delay=float(settings.HTTP_MAX_RETRY_DELAY_SECONDS))


def tempo_client() -> TempoClient:
    """Raises ``NotConfigured`` naming the missing setting when Tempo is off."""
    return TempoClient(
        base_url=settings.TEMPO_BASE_URL,
        token=settings.TEMPO_API_TOKEN,
        timeout=settings.HTTP_TIMEOUT_SECONDS,
        policy=retry_policy(),
    )


def jira_client() -> JiraClient:
    """Raises ``NotConfigured`` when JIRA is off (JIRA_BASE_URL empty)."""
    if not settings.JIRA_BASE_URL:
        raise NotConfigured("JIRA sync is off: JIRA_BASE_URL is not set.", service="JIRA")
    return JiraClient(
        server=settings.JIRA_BASE_URL,
        user=settings.JIRA_USER,
        token=settings.JIRA_API_TOKEN,
        field_names=JiraFieldNames(
            story_points=settings.JIRA_FIELD_STORY_POINTS,
            sprint=settings.JIRA_FIELD_SPRINT,
            reviewer=settings.JIRA_FIELD_REVIEWER,
            account=settings.JIRA_FIELD_ACCOUNT,
            epic_link=settings.JIRA_FIELD_EPIC_LINK,
        ),
        timeout=settings.HTTP_TIMEOUT_SECONDS,
        policy=retry_policy(),
    )
