"""The admin site for role holders as well as staff.

A non-staff member who holds a role keeping a model (``roles.access.ADMIN_TABLE``)
signs in through the portal's login page and sees exactly those models, limited to
the rows of the cells where they act in that role; foreign keys that place a row in
a cell offer only those cells (a posted other cell is refused as an invalid choice).
Model-level permissions come from ``roles.auth.MemberBackend.has_perm``; every
registered ModelAdmin is wrapped in ``CellScopedAdmin`` here, so the apps' admin
modules need no change and their own overrides (read-only models, services on save)
still apply.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from roles.access import ADMIN_TABLE, EVERYWHERE, CellScope, admin_scope, holds_any_admin_role
from roles.models import Cell


def cell_id_of(obj: Model, path: str) -> int | None:
    """The id of the cell ``obj`` belongs to, following ``path`` ("member__cell")."""
    parts = path.split("__")
    target: Any = obj
    for part in parts[:-1]:
        target = getattr(target, part, None)
        if target is None:
            return None
    cell_id: int | None = getattr(target, f"{parts[-1]}_id", None)
    return cell_id


class CellScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Limits a role holder to the rows of their cells; staff are unaffected."""

    def _cell_path(self, request: HttpRequest) -> str | None:
        """The model's path to its cell when ``request.user`` is a role holder limited
        to some cells; ``None`` when no limit applies (staff, rows of no cell)."""
        if request.user.is_staff:
            return None
        kept = ADMIN_TABLE.get(self.model._meta.label_lower)
        return kept.cell_path if kept is not None else None

    def _scope(self, request: HttpRequest, action: str) -> CellScope:
        return admin_scope(request.user, self.model._meta.label_lower, action)

    def _in_scope(self, request: HttpRequest, obj: Model | None, action: str) -> bool:
        path = self._cell_path(request)
        if obj is None or path is None:
            return True
        return cell_id_of(obj, path) in self._scope(request, action)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        path = self._cell_path(request)
        if path is None:
            return qs
        scope = self._scope(request, "view")
        if scope is EVERYWHERE:
            return qs
        return qs.filter(**{f"{path}__in": scope})

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._in_scope(request, obj, "view")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._in_scope(request, obj, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj, "delete")

    def get_autocomplete_fields(self, request: HttpRequest) -> Any:
        """Plain selects for role holders: the autocomplete search reads the related
        model's own admin, which their role may not keep; the select lists the choices
        limited to their cells below."""
        if not request.user.is_staff:
            return ()
        return super().get_autocomplete_fields(request)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = self._cell_path(request)
        if field is None or path is None or field.queryset is None:
            return field
        scope = self._scope(request, "view")
        if scope is EVERYWHERE:
            return field
        first, _, rest = path.partition("__")
        if db_field.name == first:
            field.queryset = field.queryset.filter(**{f"{rest}__in" if rest else "pk__in": scope})
            field.required = True  # an empty cell would move the row out of every cell
        elif db_field.related_model is Cell:
            field.queryset = field.queryset.filter(pk__in=scope)
        return field


class OpsAdminSite(admin.AdminSite):
    site_header = "opencraft_ops admin"
    site_title = "opencraft_ops admin"
    index_title = "What your roles keep"

    def has_permission(self, request: HttpRequest) -> bool:
        # A session of a member who has left never gets here: MemberBackend.get_user
        # refuses it, and holds_any_admin_role ignores ended memberships too.
        user = request.user
        return bool(user.is_active and (user.is_staff or holds_any_admin_role(user)))

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One login page for the whole portal (the one django-axes guards); a member
        already signed in who keeps nothing here gets the refusal page saying why."""
        wanted = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
            wanted = ""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return HttpResponseRedirect(wanted or resolve_url("admin:index"))
            raise PermissionDenied(
                "The admin site is for staff and for holders of a role that keeps records here "
                "(sprint manager, epic planning and sustainability manager, recruitment manager)."
            )
        target = wanted or resolve_url("admin:index")
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': target})}")

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, CellScopedAdmin):
            base = type(base.__name__, (CellScopedAdmin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)
