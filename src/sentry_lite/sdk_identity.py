"""The SDK's identity on the wire: its version and the name it reports.

Exported by :mod:`sentry_lite.consts` (as sentry_sdk does); kept in this small module so
that the event and scope code loaded at ``import sentry_lite`` need not load ``consts``
(with its span conventions and option defaults), which loads with the client at ``init``.
"""

from __future__ import annotations

__all__ = ["SDK_NAME", "SDK_PACKAGE", "VERSION"]

VERSION = "0.1.0"
SDK_NAME = "sentry.python"
"""The SDK name on the wire: sentry.python, so ingest treats us as the Python SDK."""
SDK_PACKAGE = "pypi:sentry-lite"
