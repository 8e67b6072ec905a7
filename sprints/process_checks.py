"""Process checks of the sprints app. Epic rules live in their own module."""

from sprints import epic_process_checks  # noqa: F401
