from django.urls import path

from roles import findings_views, views

app_name = "roles"
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/time-off/", views.member_time_off_add, name="member-time-off"),
    path("members/<int:pk>/conference/", views.member_conference_save, name="member-conference"),
    path("conference/", views.conference_answers, name="conference"),
    path("findings/<int:pk>/", findings_views.finding_detail, name="finding"),
    path("findings/<int:pk>/acknowledge/", findings_views.finding_acknowledge, name="finding-acknowledge"),
    path("findings/<int:pk>/snooze/", findings_views.finding_snooze, name="finding-snooze"),
    path("findings/recheck/", findings_views.findings_recheck, name="findings-recheck"),
]
