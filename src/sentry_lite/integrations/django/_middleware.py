"""``DjangoIntegration(middleware_spans=True)``: a ``middleware.django`` span per call.

Middleware classes are wrapped when Django loads them, and only if the option is on at
that moment, so apps that leave it off (the default) run Django's own objects unchanged.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from sentry_lite.integration_api import active_integration
from sentry_lite.integrations.django._spans import django_span
from sentry_lite.integrations.web.config import qualname

__all__ = ["install"]

OP_MIDDLEWARE = "middleware.django"
ORIGIN = "auto.http.django"
_HOOKS = (
    "process_request",
    "process_view",
    "process_template_response",
    "process_response",
    "process_exception",
)


def _spanned(method: Callable[..., Any], middleware_name: str) -> Callable[..., Any]:
    description = f"{middleware_name}.{getattr(method, '__name__', 'call')}"
    function_name = qualname(method) or description

    @functools.wraps(method)
    def sentry_lite_middleware_method(*args: Any, **kwargs: Any) -> Any:
        span = django_span(OP_MIDDLEWARE, description, ORIGIN)
        if span is None:
            return method(*args, **kwargs)
        with span:
            span.set_tag("django.function_name", function_name)
            span.set_tag("django.middleware_name", middleware_name)
            return method(*args, **kwargs)

    return sentry_lite_middleware_method


def _wrap_class(middleware: Any, name: str) -> Any:
    if not getattr(middleware, "sync_capable", True):
        return middleware

    class SentryLiteMiddleware:
        sync_capable = True
        async_capable = False

        def __init__(self, get_response: Any = None, *args: Any, **kwargs: Any) -> None:
            if get_response is not None:
                self._inner = middleware(get_response, *args, **kwargs)
            else:
                self._inner = middleware(*args, **kwargs)
            self._call = _spanned(self._inner.__call__, name)

        def __getattr__(self, attr: str) -> Any:
            if attr not in _HOOKS:
                raise AttributeError(attr)
            wrapped = _spanned(getattr(self._inner, attr), name)
            self.__dict__[attr] = wrapped
            return wrapped

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return self._call(*args, **kwargs)

    for attr in ("__name__", "__module__", "__qualname__"):
        if hasattr(middleware, attr):
            setattr(SentryLiteMiddleware, attr, getattr(middleware, attr))
    return SentryLiteMiddleware


def install() -> None:
    from django.core.handlers import base  # type: ignore[import-untyped]

    real_import_string = base.import_string
    real_load = base.BaseHandler.load_middleware
    loading = {"on": False}

    def import_string(dotted_path: str) -> Any:
        value = real_import_string(dotted_path)
        if loading["on"]:
            return _wrap_class(value, dotted_path)
        return value

    def load_middleware(self: Any, *args: Any, **kwargs: Any) -> Any:
        integration = active_integration("django")
        wanted = integration is not None and integration.middleware_spans
        loading["on"] = wanted
        try:
            return real_load(self, *args, **kwargs)
        finally:
            loading["on"] = False

    base.import_string = import_string
    base.BaseHandler.load_middleware = load_middleware
