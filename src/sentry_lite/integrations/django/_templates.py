"""Template rendering: ``template.render`` spans and ``sentry_trace_meta`` in the context."""

from __future__ import annotations

from typing import Any, Dict, Optional

from sentry_lite.integrations._request import child_span, trace_meta
from sentry_lite.integrations.active import active_integration

__all__ = ["install"]

OP_TEMPLATE = "template.render"
ORIGIN = "auto.http.django"


def _template_description(name: Any) -> Optional[str]:
    if isinstance(name, (list, tuple)):
        return f"[{name[0]}, ...]" if name else None
    return None if name is None else str(name)


def install() -> None:
    import django.shortcuts  # type: ignore[import-untyped]
    from django.template.response import SimpleTemplateResponse  # type: ignore[import-untyped]
    from django.utils.safestring import mark_safe  # type: ignore[import-untyped]

    real_rendered_content = SimpleTemplateResponse.rendered_content

    def rendered_content(self: Any) -> str:
        getter = real_rendered_content.fget
        assert getter is not None
        if active_integration("django") is None:
            return getter(self)  # type: ignore[no-any-return]
        span = child_span(OP_TEMPLATE, _template_description(self.template_name), ORIGIN)
        if span is None:
            return getter(self)  # type: ignore[no-any-return]
        with span:
            span.set_data("context", self.context_data)
            return getter(self)  # type: ignore[no-any-return]

    SimpleTemplateResponse.rendered_content = property(rendered_content)
    real_render = django.shortcuts.render

    def render(
        request: Any,
        template_name: Any,
        context: Optional[Dict[str, Any]] = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if active_integration("django") is None:
            return real_render(request, template_name, context, *args, **kwargs)
        context = context or {}
        if "sentry_trace_meta" not in context:
            context["sentry_trace_meta"] = mark_safe(trace_meta())
        span = child_span(OP_TEMPLATE, _template_description(template_name), ORIGIN)
        if span is None:
            return real_render(request, template_name, context, *args, **kwargs)
        with span:
            span.set_data("context", context)
            return real_render(request, template_name, context, *args, **kwargs)

    render.__wrapped__ = real_render  # type: ignore[attr-defined]
    django.shortcuts.render = render
