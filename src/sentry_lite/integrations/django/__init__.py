"""Django: WSGI and ASGI requests through the shared cores, errors reported once.

Patched once, at setup: the WSGI and ASGI handlers (isolation, request data,
transactions), ``BaseHandler.get_response`` (to find the request object later),
``response_for_exception`` (errors Django answers itself, reported when their status is
in ``failed_request_status_codes``) and ``got_request_exception`` (errors Django gives up
on: always reported, ``handled=False``). Spans for SQL through the cursor, template
rendering, signal receivers and (optionally) middleware live in sibling modules.
Route names, the body, cookies and ``request.user`` are read when an event is captured.
"""

from __future__ import annotations

import json
import sys
import weakref
from typing import Any, Callable, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    FILTERED,
    Options,
    active_integration,
    annotate,
    data_collection_configured,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.asgi import AsgiConfig, AsgiScope, run_asgi
from sentry_lite.integrations.django._names import simplify_route, transaction_name
from sentry_lite.integrations.web.config import (
    DEFAULT_FAILED_REQUEST_STATUS_CODES,
    DEFAULT_HTTP_METHODS_TO_CAPTURE,
    check_style,
    failed_codes,
    failed_status,
    warn_unknown,
)
from sentry_lite.integrations.web.request_data import (
    body_within_bounds,
    collects_request_body,
    collects_user_info,
    form_data,
    is_json_content_type,
    request_cookies,
    set_body,
)
from sentry_lite.integrations.web.request_state import (
    RequestState,
    capture_exception_event,
    current_request,
)
from sentry_lite.integrations.web.transactions import name_before_view
from sentry_lite.integrations.wsgi import Environ, WsgiConfig, run_request, run_wsgi
from sentry_lite.types import Event

try:
    from django import VERSION as DJANGO_VERSION  # type: ignore[import-untyped]
    from django.conf import settings as django_settings  # type: ignore[import-untyped]
    from django.core import signals  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover
    raise DidNotEnable("Django is not installed") from exc

__all__ = ["DjangoIntegration", "simplify_route", "transaction_name"]

TRANSACTION_STYLE_VALUES = ("function_name", "url")
MECHANISM = "django"


class DjangoIntegration(Integration):
    identifier = "django"
    origin = f"auto.http.{identifier}"
    origin_db = f"auto.db.{identifier}"

    def __init__(
        self,
        transaction_style: str = "url",
        middleware_spans: bool = False,
        signals_spans: bool = True,
        cache_spans: bool = False,
        db_transaction_spans: bool = False,
        signals_denylist: Optional[Any] = None,
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
        *,
        failed_request_status_codes: Any = DEFAULT_FAILED_REQUEST_STATUS_CODES,
        **unknown: Any,
    ) -> None:
        warn_unknown("DjangoIntegration", unknown)
        self.transaction_style = check_style(
            "DjangoIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "url"
        )
        self.middleware_spans = bool(middleware_spans)
        self.signals_spans = bool(signals_spans)
        self.cache_spans = bool(cache_spans)
        self.db_transaction_spans = bool(db_transaction_spans)
        self.signals_denylist = list(signals_denylist or [])
        self.failed_request_status_codes = failed_codes(failed_request_status_codes)
        self.wsgi_config = _DjangoWsgiConfig(self.transaction_style, http_methods_to_capture)
        self.asgi_config = _DjangoAsgiConfig(self.transaction_style, http_methods_to_capture)
        self.http_methods_to_capture = self.wsgi_config.http_methods_to_capture

    @staticmethod
    def setup_once() -> None:
        from sentry_lite.integrations.django import _db, _middleware, _signals, _templates
        from sentry_lite.integrations.logging import ignore_logger

        # Django logs the errors it answers; we report them ourselves, once.
        ignore_logger("django.server")
        ignore_logger("django.request")
        _patch_wsgi_handler()
        _patch_asgi_handler()
        _patch_get_response()
        _patch_resolve_request()
        _patch_response_for_exception()
        signals.got_request_exception.connect(
            _got_request_exception, weak=False, dispatch_uid="sentry_lite"
        )
        _db.install()
        _templates.install()
        _signals.install()
        _middleware.install()

    def setup_with_options(self, options: Dict[str, Any]) -> None:
        from sentry_lite.integrations.django.spotlight import add_spotlight_middleware

        add_spotlight_middleware(options)


def _integration() -> Optional[DjangoIntegration]:
    return active_integration(DjangoIntegration.identifier)


# -- request lookup ---------------------------------------------------------------------


def _request_from(_mapping: Any = None) -> Any:
    """The Django request of the request being handled in this context, if still alive."""
    state = current_request.get()
    ref = state.framework if state is not None else None
    return ref() if ref is not None else None


def _remember(request: Any) -> None:
    """Let the lazy event processor find the Django request (weakly: no cycle)."""
    state = current_request.get()
    if state is not None and state.framework is None:
        try:
            state.framework = weakref.ref(request)
        except TypeError:
            pass


def _state_of(_request: Any = None) -> Optional[RequestState]:
    return current_request.get()


# -- request data ---------------------------------------------------------------------


_BODY_STATE = frozenset({"_body", "_post", "_files"})
"""Attributes a Django request holds its body and form in, once read (or set by the app)."""


def _extract(
    event: Event,
    request_data: Dict[str, Any],
    request: Any,
    options: Options,
    wsgi: bool = False,
) -> None:
    """``wsgi``: a ``WSGIRequest``, which has no body without a ``CONTENT_LENGTH``."""
    try:
        if data_collection_configured(options):
            cookies = request_cookies(lambda: dict(request.COOKIES), options)
            if cookies:
                request_data["cookies"] = cookies
        elif options.send_default_pii:
            request_data["cookies"] = _cookies(event, request)
    except Exception:
        pass
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        length = 0
    # Django's WSGI body stream stops at CONTENT_LENGTH: with none there is no body (and
    # no form) unless the app set one itself, so there is nothing to read or note.
    nothing = (
        wsgi
        and length <= 0
        and body_within_bounds(options, length)
        and not _BODY_STATE.intersection(vars(request))
    )
    if not nothing and collects_request_body(options):
        set_body(event, request_data, options, length, lambda: _read_body(event, request))
    if collects_user_info(options):
        user = _user_info(request)
        if user:
            current = event.get("user")
            merged = dict(current) if isinstance(current, dict) else {}
            for key, value in user.items():
                merged.setdefault(key, value)
            event["user"] = merged


def _cookies(event: Event, request: Any) -> Dict[str, Any]:
    private = {django_settings.CSRF_COOKIE_NAME, django_settings.SESSION_COOKIE_NAME}
    out: Dict[str, Any] = {}
    for key, value in request.COOKIES.items():
        if key in private:
            out[key] = FILTERED
            annotate(event, ["request", "cookies", key], rem=[["!config", "s"]])
        else:
            out[key] = value
    return out


def _read_body(event: Event, request: Any) -> Tuple[Optional[Any], bool]:
    raw = None
    try:
        raw = request.body  # cached by Django; raises if the app streamed it already
    except Exception:
        pass
    form = files = None
    try:
        form = request.POST
        files = request.FILES
    except Exception:
        pass
    if form or files:
        return form_data(event, form, files), bool(raw)
    if raw and is_json_content_type(request.META.get("CONTENT_TYPE")):
        try:
            return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw), True
        except ValueError:
            pass
    return None, bool(raw)


def _user_info(request: Any) -> Dict[str, Any]:
    """``request.user`` when authenticated: id, email, username (as sentry_sdk)."""
    try:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {}
    except Exception:
        return {}
    info: Dict[str, Any] = {}
    for key, get in (
        ("id", lambda: str(user.pk)),
        ("email", lambda: user.email),
        ("username", lambda: user.get_username()),
    ):
        try:
            value = get()
        except Exception:
            continue
        if value is not None:
            info[key] = value
    return info


class _DjangoWsgiConfig(WsgiConfig):
    def __init__(self, style: str, methods: Tuple[str, ...]) -> None:
        WsgiConfig.__init__(self, False, DjangoIntegration.origin, methods)
        self.style = style

    @property
    def use_x_forwarded_for(self) -> bool:
        try:
            return bool(django_settings.USE_X_FORWARDED_HOST)
        except Exception:
            return False

    @use_x_forwarded_for.setter
    def use_x_forwarded_for(self, value: bool) -> None:
        pass

    def name(self, environ: Environ) -> Optional[Tuple[str, str]]:
        return transaction_name(_request_from(environ), self.style)

    def extract(
        self, event: Event, request: Dict[str, Any], environ: Environ, options: Options
    ) -> None:
        django_request = _request_from(environ)
        if django_request is None:
            WsgiConfig.extract(self, event, request, environ, options)
            return
        wsgi = _wsgi_request is not None and isinstance(django_request, _wsgi_request)
        _extract(event, request, django_request, options, wsgi)


class _DjangoAsgiConfig(AsgiConfig):
    generic_name = "generic ASGI request"

    def __init__(self, style: str, methods: Tuple[str, ...]) -> None:
        AsgiConfig.__init__(self, "endpoint", "asgi", DjangoIntegration.origin, methods)
        self.style = style

    def name(self, scope: AsgiScope) -> Tuple[str, str]:
        named = transaction_name(_request_from(scope), self.style)
        return named if named is not None else AsgiConfig.name(self, scope)

    def extract(
        self, event: Event, request: Dict[str, Any], scope: AsgiScope, options: Options
    ) -> None:
        django_request = _request_from(scope)
        if django_request is not None:
            request.pop("cookies", None)
            _extract(event, request, django_request, options)


# -- patches ----------------------------------------------------------------------------


_wsgi_request: Optional[type] = None
"""Django's ``WSGIRequest``, whose body stream ends at ``CONTENT_LENGTH`` (set at setup)."""


def _patch_wsgi_handler() -> None:
    global _wsgi_request
    from django.core.handlers.wsgi import WSGIHandler, WSGIRequest  # type: ignore[import-untyped]

    _wsgi_request = WSGIRequest

    original = WSGIHandler.__call__

    def sentry_lite_wsgi_handler(self: Any, environ: Environ, start_response: Any) -> Any:
        integration = _integration()
        if integration is None:
            return original(self, environ, start_response)
        return run_wsgi(
            integration.wsgi_config,
            original.__get__(self, WSGIHandler),
            environ,
            start_response,
        )

    WSGIHandler.__call__ = sentry_lite_wsgi_handler


def _patch_asgi_handler() -> None:
    try:
        from django.core.handlers.asgi import ASGIHandler  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover
        return
    original = ASGIHandler.__call__

    async def sentry_lite_asgi_handler(self: Any, scope: AsgiScope, receive: Any, send: Any) -> Any:
        integration = _integration()
        if integration is None:
            return await original(self, scope, receive, send)
        return await run_asgi(
            integration.asgi_config, original.__get__(self, ASGIHandler), scope, receive, send
        )

    ASGIHandler.__call__ = sentry_lite_asgi_handler


def _patch_get_response() -> None:
    from django.core.handlers.base import BaseHandler  # type: ignore[import-untyped]

    original = BaseHandler.get_response

    def sentry_lite_get_response(self: Any, request: Any) -> Any:
        state = current_request.get()
        if state is not None:
            if state.framework is None:
                _remember(request)
            return original(self, request)
        integration = _integration()
        meta = getattr(request, "META", None)
        if integration is not None and isinstance(meta, dict):
            # Reached without WSGIHandler (Django's test client): one request still.
            def call() -> Any:
                _remember(request)
                return original(self, request)

            return run_request(integration.wsgi_config, meta, call)
        return original(self, request)

    BaseHandler.get_response = sentry_lite_get_response
    original_async = getattr(BaseHandler, "get_response_async", None)
    if original_async is not None:

        async def sentry_lite_get_response_async(self: Any, request: Any) -> Any:
            _remember(request)
            return await original_async(self, request)

        BaseHandler.get_response_async = sentry_lite_get_response_async


def _patch_resolve_request() -> None:
    """Name the request's transaction once Django has resolved the view, before the
    view runs: what it sends (baggage on outgoing calls) carries the route's name."""
    from django.core.handlers.base import BaseHandler

    original = getattr(BaseHandler, "resolve_request", None)
    if original is None:  # pragma: no cover - Django before 3.1: named when it ends
        return

    def sentry_lite_resolve_request(self: Any, request: Any) -> Any:
        match = original(self, request)
        if current_request.get() is not None:
            name_before_view(getattr(request, "META", None))
        return match

    BaseHandler.resolve_request = sentry_lite_resolve_request


def _got_request_exception(request: Any = None, **kwargs: Any) -> None:
    """Django gave up on the request (a 500): report the exception being handled."""
    if _integration() is None:
        return
    exc_info = sys.exc_info()
    if exc_info[1] is None:
        return
    state = _state_of(request) if request is not None else None
    if state is not None:
        state.capture(exc_info, MECHANISM)
    else:
        capture_exception_event(exc_info, MECHANISM, False, None)


def _patch_response_for_exception() -> None:
    try:
        from django.core.handlers import exception as handlers  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover
        return
    original: Optional[Callable[..., Any]] = getattr(handlers, "response_for_exception", None)
    if original is None:
        return
    real = original

    def sentry_lite_response_for_exception(request: Any, exc: Exception) -> Any:
        response = real(request, exc)
        integration = _integration()
        if integration is None:
            return response
        try:
            status = getattr(response, "status_code", None)
            if failed_status(status, integration.failed_request_status_codes):
                exc_info = (type(exc), exc, exc.__traceback__)
                state = _state_of(request)
                if state is not None:
                    state.capture(exc_info, MECHANISM, handled=True)
                else:
                    capture_exception_event(exc_info, MECHANISM, True, None)
        except Exception:
            pass
        return response

    handlers.response_for_exception = sentry_lite_response_for_exception


DJANGO_VERSION_INFO = DJANGO_VERSION
