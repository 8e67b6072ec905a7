from django.urls import path

from sync import views

app_name = "sync"
urlpatterns = [
    path("", views.status, name="status"),
    path("run/<str:source>/", views.run_now, name="run"),
    path("check/", views.check, name="check"),
]
