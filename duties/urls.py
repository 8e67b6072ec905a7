from django.urls import path

from duties import views

app_name = "duties"
urlpatterns = [
    path("health/", views.cell_health, name="health"),
    path("triage/", views.triage_form, name="triage"),
    path("clock/", views.clock_form, name="clock"),
    path("<int:pk>/", views.duty_detail, name="detail"),
    path("<int:pk>/complete/", views.duty_complete, name="complete"),
    path("<int:pk>/notes/", views.duty_notes, name="notes"),
    path("items/<int:pk>/tick/", views.item_tick, name="tick"),
    path("digest/", views.digest_toggle, name="digest"),
]

home_urlpatterns = [path("", views.home, name="home")]
