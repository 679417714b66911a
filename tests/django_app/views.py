"""Views exercising errors, request data, SQL, templates, signals and the user."""

import json
import time

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.dispatch import Signal
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views import View

import sentry_lite
from tests.django_app.models import Item

custom_signal = Signal()


def ok(request):
    return HttpResponse("ok")


def item(request, pk):
    sentry_lite.set_tag("item", pk)
    return HttpResponse(f"item {pk}")


def boom(request, pk):
    local_secret = "hunter2"  # noqa: F841 - checked in frame vars
    raise ValueError(f"boom {pk}")


def post_json(request):
    data = json.loads(request.body or b"{}")
    if data.get("fail"):
        raise RuntimeError("bad payload")
    return JsonResponse(data)


def post_form(request):
    if request.POST.get("fail"):
        raise RuntimeError("bad form")
    return HttpResponse("ok")


def not_found(request):
    raise Http404("nope")


def forbidden(request):
    raise PermissionDenied("no")


def db(request):
    Item.objects.create(name="a")
    names = [i.name for i in Item.objects.all()]
    if request.GET.get("fail"):
        raise LookupError("db fail")
    return HttpResponse(",".join(names))


def template(request):
    return render(request, "page.html", {"title": "hello"})


def template_response(request):
    return TemplateResponse(request, "page.html", {"title": "tr"})


def signal(request):
    custom_signal.send(sender=None)
    return HttpResponse("sent")


def login_and_fail(request):
    user, _ = User.objects.get_or_create(username="alice", defaults={"email": "a@example.com"})
    request.user = user
    raise KeyError("user fail")


def capture_own(request):
    try:
        raise ValueError("handled here")
    except ValueError as exc:
        sentry_lite.capture_exception(exc)
    return HttpResponse("captured")


def isolated(request, n):
    sentry_lite.set_user({"id": str(n)})
    sentry_lite.set_tag("n", str(n))
    sentry_lite.add_breadcrumb(message=f"crumb {n}")
    time.sleep(0.001)  # let other threads interleave
    raise ValueError(f"iso {n}")


class ClassView(View):
    def get(self, request):
        raise ValueError("class view")
