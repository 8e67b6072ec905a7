from django.urls import URLPattern, URLResolver, path

from sprints import views

app_name = "sprints"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.my_board, name="my_board"),
    path("newcomers/<int:member_id>/", views.newcomer, name="newcomer"),
    path("spillovers/<int:pk>/explain/", views.explain_spillover, name="explain_spillover"),
    path("<slug:cell_slug>/board/", views.board, name="board"),
    path("<slug:cell_slug>/board/<int:member_id>/", views.member_board, name="member_board"),
    path("<slug:cell_slug>/board/<int:member_id>/updates/", views.record_update, name="record_update"),
    path("<slug:cell_slug>/injections/<str:key>/accept/", views.accept_injection, name="accept_injection"),
    path("<slug:cell_slug>/wrap-up/", views.wrap_up, name="wrap_up"),
    path("<slug:cell_slug>/complete/", views.complete, name="complete"),
    path("<slug:cell_slug>/complete/status/", views.complete_status, name="complete_status"),
]
