from django.urls import URLPattern, URLResolver

app_name = "sprints"
urlpatterns: list[URLPattern | URLResolver] = []
