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


@register.simple_tag(takes_context=True)
def member_link(context: dict, member: object) -> str:
    """The member's name, linked to their page when the viewer may open it
    (own cell, people outside the cells, or a viewer who sees every cell).
    Needs ``viewer_cell_id`` and ``sees_all`` in the context; costs no query."""
    from django.urls import reverse
    from django.utils.html import format_html

    name = getattr(member, "name", str(member))
    cell_id = getattr(member, "cell_id", None)
    pk = getattr(member, "pk", None)
    if pk is not None and (
        context.get("sees_all") or cell_id is None or cell_id == context.get("viewer_cell_id")
    ):
        return format_html('<a href="{}">{}</a>', reverse("roles:member", args=[pk]), name)
    return format_html("{}", name)


@register.simple_tag(takes_context=True)
def absence_kind(context: dict, time_off: object, member: object) -> str:
    """The kind of ``member``'s time off as the viewer may read it: its label for the
    member, their cell's sprint manager and epic planning and sustainability manager
    and staff; "away" for everyone else (roles.access)."""
    from roles.access import AWAY, sees_absence_detail

    if sees_absence_detail(context["request"].user, member):
        return str(time_off.get_kind_display())  # type: ignore[attr-defined]
    return AWAY


@register.simple_tag(takes_context=True)
def absence_note(context: dict, time_off: object, member: object) -> str:
    """The note of ``member``'s time off for those who may read it, else nothing."""
    from roles.access import sees_absence_detail

    if sees_absence_detail(context["request"].user, member):
        return str(getattr(time_off, "note", ""))
    return ""


@register.simple_tag(takes_context=True)
def admin_link_allowed(context: dict) -> bool:
    """Whether the menu shows the admin link: staff, and members holding a role that
    keeps records there (roles.access.may_use_admin; no query on most pages)."""
    from roles.access import may_use_admin

    request = context.get("request")
    return request is not None and may_use_admin(request)


@register.simple_tag(takes_context=True)
def finding_link(context: dict, finding: object) -> str:
    """A process finding's message, linked to its page only when the viewer may open
    it: the finding is about the viewer's own cell, or the viewer sees every cell
    (``viewer_cell_id`` and ``sees_all`` in the context, as for ``member_link``)."""
    from django.utils.html import format_html

    message = getattr(finding, "message", "")
    url = getattr(finding, "url", "")
    cell_id = getattr(finding, "cell_id", None)
    if url and (
        context.get("sees_all") or (cell_id is not None and cell_id == context.get("viewer_cell_id"))
    ):
        return format_html('<a href="{}">{}</a>', url, message)
    return format_html("{}", message)
