"""The child spans Django's hooks open (signal receivers, middleware, templates, SQL).

A request can open dozens of them, so this is the short path: ``child_span`` of the
integration API is one lookup of the running span and a direct ``start_child``.
"""

from __future__ import annotations

from sentry_lite.integration_api import child_span as django_span

__all__ = ["django_span"]
