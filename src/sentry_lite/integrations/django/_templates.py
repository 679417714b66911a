"""Template rendering: ``template.render`` spans and ``sentry_trace_meta`` in the context.

We patch the Django template backend's ``Template.render``, which every path goes
through (``render()``, ``TemplateResponse``, ``render_to_string``), so views that
imported ``render`` before ``init`` are covered too.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.integration_api import active_integration
from sentry_lite.integrations.django._spans import django_span
from sentry_lite.integrations.web.transactions import trace_meta

__all__ = ["install"]

OP_TEMPLATE = "template.render"
ORIGIN = "auto.http.django"


def _template_description(name: Any) -> Optional[str]:
    if isinstance(name, (list, tuple)):
        return f"[{name[0]}, ...]" if name else None
    return None if name is None else str(name)


def install() -> None:
    from django.template.backends.django import Template  # type: ignore[import-untyped]
    from django.utils.safestring import mark_safe  # type: ignore[import-untyped]

    real_render = Template.render

    def render(self: Any, context: Optional[Dict[str, Any]] = None, request: Any = None) -> Any:
        if active_integration("django") is None:
            return real_render(self, context, request)
        if context is None or "sentry_trace_meta" not in context:
            context = dict(context or {})
            context["sentry_trace_meta"] = mark_safe(trace_meta())  # noqa: S308 - our own tags
        name = getattr(getattr(self, "template", None), "name", None)
        span = django_span(OP_TEMPLATE, _template_description(name), ORIGIN)
        if span is None:
            return real_render(self, context, request)
        with span:
            span.set_data("context", context)
            return real_render(self, context, request)

    Template.render = render
