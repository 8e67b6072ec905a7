from django import template

from roles.models import MemberType

register = template.Library()

_LABELS = dict(MemberType.choices)


@register.filter
def member_type_label(value: str | None) -> str:
    """The human label of a member type value ("short_term" -> "Short-term member")."""
    if not value:
        return "—"
    return str(_LABELS.get(value, value))


@register.filter
def is_section_of(path: str, url: str) -> bool:
    """Whether ``path`` is ``url`` or a page under it (the home page "/" only matches itself)."""
    if not url:
        return False
    if url == "/":
        return path == "/"
    return path == url or path.startswith(url.rstrip("/") + "/")
