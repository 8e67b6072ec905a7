"""The admin app with the portal's own site (``roles.admin_site.OpsAdminSite``), which
lets role holders in. Kept apart from ``roles.admin_site``: INSTALLED_APPS imports
this module before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class OpsAdminConfig(AdminConfig):
    default_site = "roles.admin_site.OpsAdminSite"
