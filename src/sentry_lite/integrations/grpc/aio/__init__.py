"""The ``grpc.aio`` interceptors (sentry_sdk's module path)."""

from sentry_lite.integrations.grpc.aio.client import ClientInterceptor
from sentry_lite.integrations.grpc.aio.server import ServerInterceptor

__all__ = ["ClientInterceptor", "ServerInterceptor"]
