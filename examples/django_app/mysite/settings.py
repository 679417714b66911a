"""Settings of the example Django project; sentry-lite is set up here, as usual."""

import os

import sentry_lite as sentry_sdk
from sentry_lite.integrations.django import DjangoIntegration

sentry_sdk.init(
    integrations=[
        DjangoIntegration(
            transaction_style="url",
            middleware_spans=True,
            signals_spans=True,
            # Tutorial code passes an option sentry_sdk does not have: sentry-lite logs
            # a warning and starts the app instead of crashing it.
            signals_to_ignore=["post_save"],
        )
    ],
    traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "1.0")),
    send_default_pii=True,
    release="example-django@1.0",
)

SECRET_KEY = "example-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": []}]
USE_TZ = True
