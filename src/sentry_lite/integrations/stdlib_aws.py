"""botocore's connections: trace headers added to ``http.client`` requests without
breaking the request's AWS signature.

botocore signs a request (SigV4) before ``http.client`` writes it. For its connection
classes the ``http.client`` patch therefore does not write ``sentry-trace``/``baggage``
right after the request line; it hands them here, and they are written just before the
headers end, except a ``sentry-trace`` the request already has, a ``baggage`` that already
carries Sentry entries (the boto3 integration merged them before signing), and any of the
two the signature covers (``SignedHeaders`` of ``Authorization`` or of a presigned URL).
An unsigned app ``baggage`` without Sentry entries gets ours as a second field.
"""

from __future__ import annotations

from typing import Any, List, Optional, Set, Tuple

from sentry_lite.integration_api import signed_headers_of_authorization, signed_headers_of_url
from sentry_lite.integrations.http_client import TRACE_HEADER_NAMES as _TRACE_HEADERS

__all__ = ["defer_headers", "install_aws_connections"]

_SKIP = "_sentry_lite_headers_to_skip"
_PENDING = "_sentry_lite_pending_headers"


def defer_headers(conn: Any, headers: List[Tuple[str, str]]) -> bool:
    """Keep ``headers`` for ``endheaders`` when ``conn`` is a botocore connection in the
    middle of a request; False for any other connection (write them now)."""
    if getattr(conn, _SKIP, None) is None:
        return False
    setattr(conn, _PENDING, headers)
    return True


def _text(value: Any) -> Optional[str]:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def _note_header(skip: Set[str], header: Any, values: Tuple[Any, ...]) -> None:
    name = _text(header)
    if name is None:
        return
    name = name.lower()
    if name == "sentry-trace":
        skip.add(name)
    value = _text(values[0]) if values else None
    if value is None:
        return
    if name == "baggage" and any(item.strip().startswith("sentry-") for item in value.split(",")):
        skip.add(name)
    elif name == "authorization":
        skip.update(_TRACE_HEADERS & signed_headers_of_authorization(value))


def _wrap(cls: Any) -> None:
    real_putrequest = cls.putrequest
    real_putheader = cls.putheader
    real_endheaders = cls.endheaders
    if getattr(real_endheaders, "_sentry_lite", False):
        return

    def putrequest(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            skip = set(_TRACE_HEADERS & signed_headers_of_url(url or ""))
        except Exception:  # noqa: BLE001
            skip = set()
        setattr(self, _SKIP, skip)
        setattr(self, _PENDING, None)
        try:
            return real_putrequest(self, method, url, *args, **kwargs)
        except BaseException:
            setattr(self, _SKIP, None)  # a reused connection starts clean
            raise

    def putheader(self: Any, header: Any, *values: Any) -> Any:
        rv = real_putheader(self, header, *values)
        skip = getattr(self, _SKIP, None)
        if skip is not None:
            try:
                _note_header(skip, header, values)
            except Exception:  # noqa: BLE001
                pass
        return rv

    def endheaders(self: Any, *args: Any, **kwargs: Any) -> Any:
        pending = getattr(self, _PENDING, None)
        skip = getattr(self, _SKIP, None)
        setattr(self, _PENDING, None)
        setattr(self, _SKIP, None)
        if pending and skip is not None:
            try:
                for name, value in pending:
                    if name.lower() not in skip:
                        real_putheader(self, name, value)
            except Exception:  # noqa: BLE001
                pass
        return real_endheaders(self, *args, **kwargs)

    endheaders._sentry_lite = True  # type: ignore[attr-defined]
    cls.putrequest = putrequest
    cls.putheader = putheader
    cls.endheaders = endheaders


def install_aws_connections() -> None:
    """Patch botocore's HTTP and HTTPS connection classes (once)."""
    from botocore.awsrequest import AWSHTTPConnection, AWSHTTPSConnection

    _wrap(AWSHTTPConnection)
    _wrap(AWSHTTPSConnection)
