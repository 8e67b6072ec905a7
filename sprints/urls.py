from django.urls import URLPattern, URLResolver, include, path

app_name = "sprints"
urlpatterns: list[URLPattern | URLResolver] = [
    path("epics/", include("sprints.epic_urls")),
]
