from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from roles.models import Cell


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    cells = Cell.objects.order_by("name")
    return render(request, "roles/directory.html", {"cells": cells})
