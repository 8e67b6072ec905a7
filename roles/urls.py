from django.urls import path

from roles import views

app_name = "roles"
urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/time-off/", views.member_time_off_add, name="member-time-off"),
]
