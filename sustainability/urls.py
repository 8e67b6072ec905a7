from django.urls import URLPattern, URLResolver, path

from sustainability import views

app_name = "sustainability"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("company/", views.company_dashboard, name="company"),
    path("cells/<slug:slug>/", views.cell_dashboard, name="cell"),
    path("cells/<slug:slug>/preview/", views.preview_report, name="preview"),
    path("cells/<slug:slug>/accounts-review/", views.accounts_review_latest, name="accounts-review-latest"),
    path("cells/<slug:slug>/accounts-review/<str:month>/", views.accounts_review, name="accounts-review"),
    path("<slug:slug>/quarterly/<int:year>/<int:quarter>/", views.quarterly_report, name="quarterly"),
    path("accounts/<str:key>/worklogs/", views.account_worklogs, name="account-worklogs"),
    path("import/", views.csv_import, name="import"),
]
