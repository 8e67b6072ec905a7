from django.urls import path

from roles import findings_views, views

app_name = "roles"
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/time-off/", views.member_time_off_add, name="member-time-off"),
    path(
        "members/<int:pk>/commitment-request/",
        views.member_commitment_request,
        name="member-commitment-request",
    ),
    path("commitment-requests/", views.commitment_requests, name="commitment-requests"),
    path(
        "commitment-requests/<int:pk>/withdraw/",
        views.commitment_request_withdraw,
        name="commitment-request-withdraw",
    ),
    path(
        "commitment-requests/<int:pk>/approve/",
        views.commitment_request_decide,
        {"decision": "approve"},
        name="commitment-request-approve",
    ),
    path(
        "commitment-requests/<int:pk>/decline/",
        views.commitment_request_decide,
        {"decision": "decline"},
        name="commitment-request-decline",
    ),
    path("members/<int:pk>/conference/", views.member_conference_save, name="member-conference"),
    path("conference/", views.conference_answers, name="conference"),
    path("findings/<int:pk>/", findings_views.finding_detail, name="finding"),
    path("findings/<int:pk>/acknowledge/", findings_views.finding_acknowledge, name="finding-acknowledge"),
    path("findings/<int:pk>/snooze/", findings_views.finding_snooze, name="finding-snooze"),
    path("findings/recheck/", findings_views.findings_recheck, name="findings-recheck"),
]
