"""``sentry_sdk.utils``' public names, for code and libraries that import them.

A facade only: each name is the function or class of the module that does the job
(events, tracing, dsn, release...), or a thin adapter where sentry_sdk's signature
differs from ours (the client options default to the active client's).
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from types import FrameType
from typing import Any, Callable, Dict, Optional, Tuple, TypeVar, Union

from sentry_lite.dsn import BadDsn, Dsn
from sentry_lite.events.chain import iter_stacks, walk_exception_chain
from sentry_lite.events.contexts import installed_modules
from sentry_lite.events.exceptions import event_from_exception as _event_from_exception
from sentry_lite.events.exceptions import exc_info_from_error, get_error_message, safe_str
from sentry_lite.events.frames import filename_for_module, frame_options
from sentry_lite.events.frames import serialize_frame as _serialize_frame
from sentry_lite.events.frames import stack_frames as _stack_frames
from sentry_lite.events.meta import FILTERED
from sentry_lite.events.reprs import safe_repr
from sentry_lite.events.safe_serialize import safe_serialize
from sentry_lite.events.urls import Components, ParsedUrl, parse_url, sanitize_url
from sentry_lite.internal_errors import capture_internal_exception, capture_internal_exceptions
from sentry_lite.release import default_release, git_head
from sentry_lite.scope import Scope
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.decorator import qualname_from_function
from sentry_lite.tracing.propagation import is_sentry_url
from sentry_lite.types import Event, ExcInfo, Hint
from sentry_lite.value_checks import env_to_bool, is_valid_sample_rate, match_regex_list

__all__ = [
    "SENSITIVE_DATA_SUBSTITUTE",
    "BadDsn",
    "Components",
    "Dsn",
    "ParsedUrl",
    "capture_internal_exception",
    "capture_internal_exceptions",
    "current_stacktrace",
    "datetime_from_isoformat",
    "env_to_bool",
    "event_from_exception",
    "event_hint_with_exc_info",
    "exc_info_from_error",
    "filename_for_module",
    "format_timestamp",
    "get_current_thread_meta",
    "get_default_release",
    "get_error_message",
    "get_git_revision",
    "is_sentry_url",
    "is_valid_sample_rate",
    "iter_stacks",
    "logger",
    "match_regex_list",
    "parse_url",
    "qualname_from_function",
    "reraise",
    "safe_repr",
    "safe_serialize",
    "safe_str",
    "sanitize_url",
    "serialize_frame",
    "to_string",
    "transaction_from_function",
    "walk_exception_chain",
]

"""The SDK's own log (``debug=True`` shows it): sentry_sdk's ``utils.logger``."""

SENSITIVE_DATA_SUBSTITUTE = FILTERED

transaction_from_function = qualname_from_function

R = TypeVar("R")


def event_from_exception(
    exc_info: Union[BaseException, ExcInfo],
    client_options: Optional[Dict[str, Any]] = None,
    mechanism: Optional[Dict[str, Any]] = None,
) -> Tuple[Event, Hint]:
    """An error event and its hint for ``exc_info`` (options default to the active client's)."""
    if client_options is None:
        client_options = Scope.get_client().options
    return _event_from_exception(exc_info, client_options, mechanism)


def event_hint_with_exc_info(exc_info: Optional[ExcInfo] = None) -> Dict[str, Any]:
    """A hint carrying ``exc_info`` (the exception being handled when not given)."""
    import sys

    return {"exc_info": exc_info if exc_info is not None else sys.exc_info()}


def serialize_frame(
    frame: FrameType,
    tb_lineno: Optional[int] = None,
    include_local_variables: bool = True,
    include_source_context: bool = True,
    max_value_length: Optional[int] = None,
    custom_repr: Optional[Callable[[Any], Optional[str]]] = None,
) -> Dict[str, Any]:
    """One stack frame as the event shows it."""
    opts = frame_options(
        {
            "include_local_variables": include_local_variables,
            "include_source_context": include_source_context,
            "max_value_length": max_value_length,
            "custom_repr": custom_repr,
        }
    )
    return _serialize_frame(frame, tb_lineno, opts)


def current_stacktrace(
    include_local_variables: bool = True,
    include_source_context: bool = True,
    max_value_length: Optional[int] = None,
) -> Dict[str, Any]:
    """The calling thread's stack trace, SDK frames left out."""
    import sys

    opts = frame_options(
        {
            "include_local_variables": include_local_variables,
            "include_source_context": include_source_context,
            "max_value_length": max_value_length,
        }
    )
    return {"frames": _stack_frames(sys._getframe(1), opts)}


def format_timestamp(value: datetime) -> str:
    """An ISO 8601 UTC timestamp with microseconds and a ``Z`` (the wire format)."""
    utc = value.astimezone(timezone.utc) if value.tzinfo else value
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def datetime_from_isoformat(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or an offset; naive means local), in UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(timezone.utc)


def get_default_release() -> Optional[str]:
    """``SENTRY_RELEASE``, the git HEAD, or a CI/platform variable."""
    return default_release()


def get_git_revision() -> Optional[str]:
    """The commit checked out in the working directory's repository, if any."""
    import os

    try:
        return git_head(os.getcwd())
    except OSError:
        return None


def get_current_thread_meta(
    thread: Optional[threading.Thread] = None,
) -> Tuple[Optional[int], Optional[str]]:
    """(id, name) of ``thread``, else of the running thread, else of the main thread."""
    for candidate in (thread, threading.current_thread(), threading.main_thread()):
        ident = getattr(candidate, "ident", None)
        if ident is not None:
            return ident, getattr(candidate, "name", None)
    return None, None


def to_string(value: str) -> str:
    try:
        return str(value)
    except UnicodeDecodeError:
        return repr(value)[1:-1]


def reraise(tp: Any, value: Optional[BaseException], tb: Any = None) -> Any:
    """Raise ``value`` again with traceback ``tb``."""
    assert value is not None
    if value.__traceback__ is not tb:
        raise value.with_traceback(tb)
    raise value


def _get_installed_modules() -> Dict[str, str]:
    return installed_modules()


def _is_localhost(host: str) -> bool:
    return host.split(":")[0] in ("localhost", "127.0.0.1", "::1", "[::1]")


# -- botocore: the headers an AWS SigV4 signature covers (sentry_sdk's private names) --
from sentry_lite.tracing import aws_sigv4 as _aws_sigv4  # noqa: E402

_get_aws_sigv4_signed_headers_from_authorization_header = _aws_sigv4.signed_headers_of_authorization
_get_aws_sigv4_signed_headers_from_url_query_string = _aws_sigv4.signed_headers_of_url
