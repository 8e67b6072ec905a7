from collections.abc import Callable
from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse


def _staff(user: User | AnonymousUser) -> bool:
    return bool(user.is_staff)


class Section(NamedTuple):
    """One entry of the main menu: the page it opens, its label, the other paths that
    belong to it (a page under ``/org/`` is the directory's) and who sees it (``None``:
    every signed-in user; it must match who may open the page)."""

    url_name: str
    label: str
    prefixes: tuple[str, ...] = ()
    visible: Callable[[User | AnonymousUser], bool] | None = None


# Every app adds its page here; the base template renders it.
NAVIGATION: list[Section] = [
    Section("home", "My work", ("/duties/",)),
    Section("roles:directory", "Directory", ("/org/",)),
    Section("sprints:my_board", "Sprint board"),
    Section("epics:epics", "Epics"),
    Section("estimation:index", "Estimation"),
    Section("duties:health", "Cell health", ("/handbook/",)),
    Section("sustainability:index", "Sustainability"),
    Section("rotations:index", "Rotations"),
    # The sync page refuses everyone but staff (sync.views._require_staff).
    Section("sync:status", "Sync", visible=_staff),
]


class NavItem(NamedTuple):
    url: str
    label: str
    current: bool  # the page shown is this section's or one under it


def _match(path: str, prefix: str) -> int:
    """How closely ``path`` belongs under ``prefix``: the prefix's length, 0 for not at
    all. The home page "/" only matches itself."""
    if prefix == "/":
        return 1 if path == "/" else 0
    if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
        return len(prefix)
    return 0


def current_section(path: str, sections: list[tuple[str, tuple[str, ...]]]) -> int | None:
    """The index of the one section ``path`` belongs to: the longest matching path wins
    (``/duties/health/`` is Cell health, ``/duties/7/`` is My work), so at most one
    menu item is ever current."""
    best, best_len = None, 0
    for index, (url, prefixes) in enumerate(sections):
        length = max(_match(path, p) for p in (url, *prefixes))
        if length > best_len:
            best, best_len = index, length
    return best


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu with the current section marked. Lazy: a page that renders no menu
    (an API answer, a redirect) reverses nothing."""

    def items() -> list[NavItem]:
        user = getattr(request, "user", None)
        shown = [s for s in NAVIGATION if s.visible is None or (user is not None and s.visible(user))]
        urls = [reverse(s.url_name) for s in shown]
        current = current_section(request.path, [(u, s.prefixes) for u, s in zip(urls, shown, strict=True)])
        return [
            NavItem(url=url, label=s.label, current=index == current)
            for index, (url, s) in enumerate(zip(urls, shown, strict=True))
        ]

    return {"navigation": items}
