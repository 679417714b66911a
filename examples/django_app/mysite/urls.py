from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path


def index(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return JsonResponse({"one": one})


def article(request, slug):
    return HttpResponse(f"article {slug}")


def crash(request):
    raise RuntimeError("the example view failed")


urlpatterns = [
    path("", index),
    path("articles/<slug:slug>/", article),
    path("crash/", crash),
]
