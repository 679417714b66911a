"""Django transaction names: the URL route simplified (``/items/{pk}/``) or the view's
qualified name, cached per route since the same few routes come back on every request."""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Tuple

from sentry_lite.integration_api import SOURCE_FOR_STYLE
from sentry_lite.integrations.web.config import SOURCE_URL, qualname
from sentry_lite.limits import MAX_CACHED_ROUTES

_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]+\)+")
_OPTIONAL_GROUP = re.compile(r"\(\?:([^)]+)\)")
_OTHER_GROUP = re.compile(r"\([^)]+\)")
_EITHER = re.compile(r"\[([^\]]+)\|([^\]]+)\]")
_CONVERTER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


_route_names: Dict[str, str] = {}


def simplify_route(route: str) -> str:
    """``api/items/<int:pk>/`` or ``^items/(?P<pk>\\d+)/$`` -> ``/api/items/{pk}/``."""
    name = _route_names.get(route)
    if name is None:
        name = _simplify(route)
        if len(_route_names) < MAX_CACHED_ROUTES:
            _route_names[route] = name
    return name


def _simplify(route: str) -> str:
    out = _OPTIONAL_GROUP.sub(lambda m: m.group(1), route)
    out = _NAMED_GROUP.sub(lambda m: "{" + m.group(1) + "}", out)
    out = _CONVERTER.sub(lambda m: "{" + m.group(1) + "}", out)
    out = _OTHER_GROUP.sub("{var}", out)
    out = _EITHER.sub(lambda m: m.group(1), out)
    for token in ("^", "$", "?", "\\A", "\\Z", "\\"):
        out = out.replace(token, "")
    out = out.replace("//", "/")
    return out if out.startswith("/") else "/" + out


def _resolver_match(request: Any) -> Any:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match
    try:
        from django.urls import resolve  # type: ignore[import-untyped]

        return resolve(request.path_info, getattr(request, "urlconf", None))
    except Exception:
        return None


def transaction_name(request: Any, style: str) -> Optional[Tuple[str, str]]:
    if request is None:
        return None
    match = _resolver_match(request)
    name: Optional[str] = None
    if match is not None:
        if style == "function_name":
            func = match.func
            name = qualname(getattr(func, "view_class", func))
        else:
            route = getattr(match, "route", None)
            if route:
                name = simplify_route(str(route))
    if name:
        return name, SOURCE_FOR_STYLE[style]
    path = getattr(request, "path_info", None)
    return (str(path), SOURCE_URL) if path else None
