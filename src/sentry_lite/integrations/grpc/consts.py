"""The origin of the gRPC integration's spans and transactions (sentry_sdk's name)."""

SPAN_ORIGIN = "auto.grpc.grpc"
