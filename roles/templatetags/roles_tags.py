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
