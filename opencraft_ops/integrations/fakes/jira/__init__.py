"""A fake JIRA (REST v2 + Agile 1.0) speaking the payloads the ``jira`` package reads.

- ``app``: :class:`FakeJira`, its data (boards, sprints, issues, comments), the request routing,
  the bot user's time zone and the lost-answer faults (:class:`LostAnswer`);
- ``search``: the bounded JQL our client writes, paged as Server (startAt) or Cloud (token);
- ``agile``: boards, sprints (create, full and partial update with JIRA's state rules), moves;
- ``render``: the JSON of issues, sprints and boards.
"""

from opencraft_ops.integrations.fakes.jira.app import OPERATIONS, FakeJira, LostAnswer

__all__ = ["OPERATIONS", "FakeJira", "LostAnswer"]
