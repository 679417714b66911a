"""Flask: each request in its own scope, errors reported once, transactions by route.

``Flask.__call__`` runs through the shared WSGI core; the route name, the body, cookies
and the Flask-Login user are read from the werkzeug request only when an event is
captured. ``got_request_exception`` reports the original error; when the app's own
``@app.errorhandler(500)`` reports the ``InternalServerError`` wrapper again, that
second report is dropped, so one failure is one event.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import (
    SOURCE_FOR_STYLE,
    Options,
    Scope,
    active_integration,
)
from sentry_lite.integrations import DidNotEnable, Integration
from sentry_lite.integrations.web.config import (
    DEFAULT_HTTP_METHODS_TO_CAPTURE,
    check_style,
    warn_unknown,
)
from sentry_lite.integrations.web.request_data import (
    collects_request_body,
    collects_user_info,
    form_data,
    request_cookies,
    set_body,
)
from sentry_lite.integrations.web.request_state import (
    RequestState,
    capture_exception_event,
    current_request,
)
from sentry_lite.integrations.web.transactions import (
    name_before_view,
    name_transaction,
    trace_meta,
)
from sentry_lite.integrations.wsgi import Environ, WsgiConfig, WsgiRequestState, run_wsgi
from sentry_lite.types import Event

try:
    from flask import Flask
    from flask.signals import before_render_template, got_request_exception
except ImportError as exc:  # pragma: no cover - exercised without flask installed
    raise DidNotEnable("Flask is not installed") from exc

__all__ = ["FlaskIntegration"]

TRANSACTION_STYLE_VALUES = ("endpoint", "url")


class FlaskIntegration(Integration):
    identifier = "flask"
    origin = f"auto.http.{identifier}"

    def __init__(
        self,
        transaction_style: str = "endpoint",
        http_methods_to_capture: Tuple[str, ...] = DEFAULT_HTTP_METHODS_TO_CAPTURE,
        **unknown: Any,
    ) -> None:
        warn_unknown("FlaskIntegration", unknown)
        self.transaction_style = check_style(
            "FlaskIntegration", transaction_style, TRANSACTION_STYLE_VALUES, "endpoint"
        )
        self.config = _FlaskConfig(self.transaction_style, http_methods_to_capture)
        self.http_methods_to_capture = self.config.http_methods_to_capture

    @staticmethod
    def setup_once() -> None:
        if getattr(Flask.__call__, "_sentry_lite", False):
            return
        got_request_exception.connect(_got_request_exception, weak=False)
        before_render_template.connect(_add_trace_meta, weak=False)
        original = Flask.__call__

        def sentry_lite_flask_call(self: Flask, environ: Environ, start_response: Any) -> Any:
            client = Scope.get_client()
            integration = active_integration(FlaskIntegration.identifier, client)
            if integration is None:
                return original(self, environ, start_response)
            return run_wsgi(integration.config, self.wsgi_app, environ, start_response, client)

        original_preprocess = Flask.preprocess_request

        def sentry_lite_preprocess_request(self: Flask) -> Any:
            # Right after ``request_started`` (where sentry_sdk names it), before the
            # app's before_request functions and its view. A method, not a blinker
            # receiver: a receiver costs every request of every app ~4 µs in blinker.
            state = current_request.get()
            if state is not None and state.transaction is not None:
                try:
                    _name_routed_request(state)
                except Exception:  # noqa: BLE001 - never fail the request for a name
                    pass
            return original_preprocess(self)

        sentry_lite_flask_call._sentry_lite = True  # type: ignore[attr-defined]
        Flask.__call__ = sentry_lite_flask_call  # type: ignore[method-assign]
        Flask.preprocess_request = sentry_lite_preprocess_request  # type: ignore[method-assign]


class _FlaskConfig(WsgiConfig):
    mechanism = "wsgi"

    def __init__(self, style: str, methods: Tuple[str, ...]) -> None:
        WsgiConfig.__init__(self, False, FlaskIntegration.origin, methods)
        self.style = style
        self.source = SOURCE_FOR_STYLE[style]

    def name(self, environ: Environ) -> Optional[Tuple[str, str]]:
        request = environ.get("werkzeug.request")
        rule = getattr(request, "url_rule", None)
        if rule is None:
            return None
        name = rule.endpoint if self.style == "endpoint" else rule.rule
        return (name, self.source) if name else None

    def extract(
        self, event: Event, request: Dict[str, Any], environ: Environ, options: Options
    ) -> None:
        flask_request = environ.get("werkzeug.request")
        if flask_request is None:
            state = current_request.get()
            if isinstance(state, WsgiRequestState) and state.environ is environ:
                flask_request = state.framework
        if flask_request is None:
            WsgiConfig.extract(self, event, request, environ, options)
            return
        try:
            cookies = request_cookies(
                lambda: {
                    k: v[0] if isinstance(v, list) and len(v) == 1 else v
                    for k, v in flask_request.cookies.items()
                },
                options,
            )
            if cookies:
                request["cookies"] = cookies
        except Exception:
            pass
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if collects_request_body(options):
            set_body(event, request, options, length, lambda: _read_body(event, flask_request))
        if collects_user_info(options):
            _add_login_user(event)

    def on_response(self, environ: Environ, state: WsgiRequestState) -> None:
        # Flask clears ``werkzeug.request`` when its request context ends, before the
        # transaction is sent: the request state keeps it for the body (and dies with it).
        request = environ.get("werkzeug.request")
        if request is not None:
            state.framework = request
        if collects_user_info(Scope.get_client().options):
            user = _login_user()
            if user:
                Scope.get_isolation_scope().set_user(user)


def _read_body(event: Event, request: Any) -> Tuple[Optional[Any], bool]:
    """Werkzeug caches what it reads, so reading here never takes the body from the app.

    A body of unknown length (chunked) is only used if the app already read it: we do
    not read an unbounded stream for an event.
    """
    declared = request.environ.get("CONTENT_LENGTH")
    if not declared and "_cached_data" not in request.__dict__ and "form" not in request.__dict__:
        return None, False
    raw = None
    try:
        raw = request.get_data()
    except Exception:
        pass
    form = files = None
    try:
        form = request.form
        files = request.files
    except Exception:
        pass
    if form or files:
        return form_data(event, form, files), bool(raw)
    try:
        if request.is_json:
            return request.get_json(silent=True), bool(raw)
    except Exception:
        pass
    return None, bool(raw)


def _login_user() -> Dict[str, Any]:
    """Flask-Login's current user (id, and email/username where the model has them)."""
    flask_login = sys.modules.get("flask_login")
    if flask_login is None:
        return {}
    try:
        user = flask_login.current_user
        if user is None:
            return {}
        props: Dict[str, Any] = {}
        try:
            user_id = user.get_id()
            if user_id is not None:
                props["id"] = user_id
        except AttributeError:
            pass
        for attr in ("email", "username"):
            try:
                value = getattr(user, attr)
            except Exception:
                continue
            if value is not None:
                props[attr] = value
        return props
    except Exception:
        return {}


def _add_login_user(event: Event) -> None:
    props = _login_user()
    if not props:
        return
    user = event.get("user")
    user = dict(user) if isinstance(user, dict) else {}
    for key, value in props.items():
        user.setdefault(key, value)
    event["user"] = user


def _got_request_exception(sender: Any, exception: BaseException, **kwargs: Any) -> None:
    """Flask is about to answer 500 (or re-raise): report the original exception."""
    if active_integration(FlaskIntegration.identifier) is None:
        return
    state = current_request.get()
    exc_info = (type(exception), exception, exception.__traceback__)
    if isinstance(state, WsgiRequestState):
        state.capture(exc_info, "flask")
        if state.transaction is not None:
            # The route is known only while Flask's request context lives; a raising
            # app never calls start_response, where the transaction is otherwise named.
            named = state.config.name(state.environ)
            if named is not None:
                name_transaction(state.transaction, state.config.generic_name, *named)
    else:
        capture_exception_event(exc_info, "flask", False, None)


def _add_trace_meta(sender: Any, template: Any, context: Dict[str, Any], **kwargs: Any) -> None:
    if "sentry_trace" in context or active_integration(FlaskIntegration.identifier) is None:
        return
    try:
        from markupsafe import Markup

        meta = Markup(trace_meta())
        context["sentry_trace"] = meta  # the name sentry_sdk 1.x templates use
        context["sentry_trace_meta"] = meta
    except Exception:
        pass


def _name_routed_request(state: RequestState) -> None:
    """Name the request's transaction (and, streaming, set ``http.route``) once Flask has
    matched the route, before the view: what it sends carries the route's name."""
    if not isinstance(state, WsgiRequestState):
        return
    environ = state.environ
    rule = getattr(environ.get("werkzeug.request"), "url_rule", None)
    name_before_view(environ, getattr(rule, "rule", None))
