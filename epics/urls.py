"""Epic pages, mounted under /epics/ (the old /epics/ paths redirect here)."""

from django.urls import URLPattern, URLResolver, path

from epics import views

app_name = "epics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.epics_index, name="epics"),
    path("cell/<slug:slug>/", views.epic_board, name="epic-board"),
    path("cell/<slug:slug>/planning/", views.epic_planning, name="epic-planning"),
    path("updates/<int:pk>/", views.epic_update_detail, name="epic-update"),
    path("updates/<int:pk>/post/", views.epic_update_post, name="epic-update-post"),
    path("updates/<int:pk>/acknowledge/", views.epic_update_acknowledge, name="epic-update-acknowledge"),
    path("<str:key>/", views.epic_page, name="epic"),
    path("<str:key>/status/", views.epic_transition, name="epic-transition"),
    path("<str:key>/milestones/", views.epic_milestone_add, name="epic-milestone-add"),
    path("<str:key>/milestones/<int:pk>/", views.epic_milestone_toggle, name="epic-milestone"),
    path("<str:key>/budget/", views.epic_budget_add, name="epic-budget-add"),
    path("<str:key>/budget-kind/", views.epic_budget_kind, name="epic-budget-kind"),
    path("<str:key>/update/", views.epic_update_form, name="epic-update-form"),
]
