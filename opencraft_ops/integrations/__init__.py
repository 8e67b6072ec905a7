"""Clients for JIRA and Tempo (HTTP, typed DTOs) and fake servers for tests and the demo.

They import no Django model; ``opencraft_ops.integrations.config`` builds them from settings.
"""
