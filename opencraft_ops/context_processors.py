from typing import Any

from django.http import HttpRequest

# (url name, label). Every app adds its page here; the base template renders it.
NAVIGATION: list[tuple[str, str]] = [
    ("home", "My work"),
    ("roles:directory", "Directory"),
    ("sprints:my_board", "Sprint board"),
    ("sprints:epics", "Epics"),
    ("duties:health", "Cell health"),
    ("sustainability:index", "Sustainability"),
    ("rotations:index", "Rotations"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"navigation": NAVIGATION}
