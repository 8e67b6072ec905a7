from django.urls import path

from duties import views

app_name = "duties"
urlpatterns: list = []

home_urlpatterns = [path("", views.home, name="home")]
