from django.urls import include, path, re_path

from tests.django_app import views

api = [path("items/<int:pk>/boom", views.boom), re_path(r"^legacy/(?P<slug>\w+)/$", views.ok)]

urlpatterns = [
    path("ok", views.ok),
    path("item/<int:pk>", views.item),
    path("api/", include(api)),
    path("json", views.post_json),
    path("form", views.post_form),
    path("404", views.not_found),
    path("403", views.forbidden),
    path("db", views.db),
    path("template", views.template),
    path("template-response", views.template_response),
    path("signal", views.signal),
    path("user-fail", views.login_and_fail),
    path("capture-own", views.capture_own),
    path("iso/<int:n>", views.isolated),
    path("class", views.ClassView.as_view()),
]
