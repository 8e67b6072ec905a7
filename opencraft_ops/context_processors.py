from typing import Any, NamedTuple

from django.http import HttpRequest
from django.urls import reverse

# (url name, label). Every app adds its page here; the base template renders it.
NAVIGATION: list[tuple[str, str]] = [
    ("home", "My work"),
    ("roles:directory", "Directory"),
    ("sprints:my_board", "Sprint board"),
    ("epics:epics", "Epics"),
    ("estimation:index", "Estimation"),
    ("duties:health", "Cell health"),
    ("sustainability:index", "Sustainability"),
    ("rotations:index", "Rotations"),
]


class NavItem(NamedTuple):
    url: str
    label: str
    current: bool  # the page shown is this section's or one under it


def _is_section_of(path: str, url: str) -> bool:
    """Whether ``path`` is ``url`` or a page under it (the home page "/" only matches itself)."""
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url.rstrip("/") + "/")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu with the current section marked. Lazy: a page that renders no menu
    (an API answer, a redirect) reverses nothing."""

    def items() -> list[NavItem]:
        result = []
        for name, label in NAVIGATION:
            url = reverse(name)
            result.append(NavItem(url=url, label=label, current=_is_section_of(request.path, url)))
        return result

    return {"navigation": items}
