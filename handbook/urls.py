from django.urls import path

from handbook import views

app_name = "handbook"
urlpatterns = [path("", views.rules_page, name="rules")]
