from django.urls import URLPattern, URLResolver, path

from estimation import views

app_name = "estimation"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.session, name="session"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/add/", views.add_ticket, name="add"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/close/", views.close, name="close"),
]
