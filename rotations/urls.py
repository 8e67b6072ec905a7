from django.urls import path

from rotations import views

app_name = "rotations"
urlpatterns = [
    path("", views.index, name="index"),
    path("feeds/", views.feed_list, name="feeds"),
    path("feeds/<int:pk>/revoke/", views.feed_revoke, name="feed-revoke"),
    path("feeds/<int:pk>/regenerate/", views.feed_regenerate, name="feed-regenerate"),
    path("ical/<str:token>.ics", views.ical, name="ical"),
    path("<slug:slug>/", views.grid, name="grid"),
    path("<slug:slug>/slots/<int:pk>/change/", views.change_slot, name="change"),
    path("<slug:slug>/slots/<int:pk>/remove/", views.remove_slot, name="remove"),
    path("<slug:slug>/slots/fill/", views.fill_slot, name="fill"),
    path("<slug:slug>/swap/", views.swap, name="swap"),
    path("<slug:slug>/backup/", views.backup, name="backup"),
    path("<slug:slug>/generate/", views.generate, name="generate"),
]
