"""What the AI client integrations (OpenAI, Anthropic) share: the ``gen_ai`` span, its
data written the way sentry_sdk 2.75 writes it, and the one "may prompts go out?" answer.

The span of one model call is a child of the running transaction, or a transaction of
its own when none runs (sentry_sdk does the same, so a call from a script is still
seen); in ``trace_lifecycle="stream"`` mode a streamed span. Prompts and responses are
personal data: sent when ``data_collection`` says so, else only with
``send_default_pii=True`` and the integration's ``include_prompts=True``.
"""

from __future__ import annotations

import inspect
import json
import logging
from copy import deepcopy
from typing import Any, Dict, List, Optional

from sentry_lite.integration_api import (
    Scope,
    active_span,
    add_global_event_processor,
    annotate,
    capture_caught,
    data_collection_configured,
    span_streaming_enabled,
    start_span,
)

__all__ = [
    "ai_span",
    "capture_ai_error",
    "is_given",
    "may_record",
    "normalize_roles",
    "set_normalized",
    "tools_allowed",
    "truncated_embedding_inputs",
    "truncated_messages",
]

logger = logging.getLogger("sentry_lite")

MAX_MESSAGES_BYTES = 20_000
"""Embedding inputs kept (newest first) when inputs are truncated."""
MAX_MESSAGE_CHARS = 10_000
"""Characters of the one message kept when prompts are truncated."""
BLOB_SUBSTITUTE = "[Blob substitute]"
"""What a base64 image or file in a prompt is replaced with."""

_ROLES = {"human": "user", "ai": "assistant", "tool_call": "tool"}
"""Roles of other SDKs' messages, under the gen_ai names (``user``, ``assistant``, ...)."""


# -- the span --------------------------------------------------------------------------------


def ai_span(op: str, name: str, origin: str, data: Dict[str, Any]) -> Any:
    """The started span of one model call (entered), with ``data`` set on it."""
    if span_streaming_enabled(Scope.get_client().options):
        span = start_span(op=op, name=name, origin=origin)
    else:
        running = active_span()
        if running is not None and running.containing_transaction is not None:
            span = start_span(op=op, name=name, origin=origin)
        else:  # no transaction: the call is one
            span = Scope.get_current_scope().start_transaction(op=op, name=name, origin=origin)
        span.__enter__()
    for key, value in data.items():
        span.set_data(key, value)
    return span


def capture_ai_error(error: BaseException, mechanism: str) -> None:
    """Report an error the client raised (unhandled, as sentry_sdk marks it)."""
    capture_caught(error, mechanism, handled=False)


# -- privacy -------------------------------------------------------------------------------


def may_record(kind: str, include_prompts: bool) -> bool:
    """May ``kind`` (``inputs``: prompts; ``outputs``: responses) go on the span?"""
    options = Scope.get_client().options
    if data_collection_configured(options):
        return bool(_gen_ai_setting(options).get(kind))
    return bool(options.get("send_default_pii")) and bool(include_prompts)


def tools_allowed() -> bool:
    """Tool definitions: sent unless ``data_collection`` withholds inputs (they were
    always sent before ``data_collection`` existed, and sentry_sdk still does)."""
    options = Scope.get_client().options
    if data_collection_configured(options):
        return bool(_gen_ai_setting(options).get("inputs"))
    return True


def _gen_ai_setting(options: Any) -> Dict[str, Any]:
    resolved = options.get("data_collection")
    setting = resolved.get("gen_ai") if isinstance(resolved, dict) else None
    return setting if isinstance(setting, dict) else {}


def _truncates(options: Any) -> bool:
    """Prompts are cut to the last message only when gen_ai spans travel inside the
    transaction (``stream_gen_ai_spans=False``, no span streaming), as in sentry_sdk."""
    return not options.get("stream_gen_ai_spans", True) and not span_streaming_enabled(options)


# -- values ----------------------------------------------------------------------------------


def is_given(value: Any) -> bool:
    """False for the clients' ``NOT_GIVEN``/``omit`` placeholders."""
    return value is not None and type(value).__name__ not in ("NotGiven", "Omit")


def _normalized(value: Any, unpack: bool) -> Any:
    if hasattr(value, "model_dump"):  # pydantic models of the clients
        if inspect.isclass(value):
            return f"<ClassType: {value.__name__}>"
        try:
            return _normalized(value.model_dump(), unpack)
        except Exception:  # noqa: BLE001
            return value if isinstance(value, (int, float, bool, str)) else str(value)
    if isinstance(value, list):
        if unpack and len(value) == 1:
            return _normalized(value[0], unpack)
        return [_normalized(item, unpack) for item in value]
    if isinstance(value, dict):
        return {key: _normalized(item, unpack) for key, item in value.items()}
    return value if isinstance(value, (int, float, bool, str)) else str(value)


def set_normalized(span: Any, key: str, value: Any, unpack: bool = True) -> None:
    """``value`` as plain JSON data: scalars as they are, the rest JSON-encoded
    (``unpack``: a one-item list is its item)."""
    value = _normalized(value, unpack)
    span.set_data(key, value if isinstance(value, (int, float, bool, str)) else json.dumps(value))


def normalize_roles(messages: List[Any]) -> List[Any]:
    """Shallow copies of the messages with roles under their gen_ai names."""
    out: List[Any] = []
    for message in messages:
        if isinstance(message, dict) and "role" in message:
            message = dict(message)
            message["role"] = _ROLES.get(message["role"], message["role"])
        out.append(message)
    return out


# -- truncation (stream_gen_ai_spans=False) ----------------------------------------------------

_original_counts: Dict[str, int] = {}
"""span id -> messages the app sent, for the ``_meta`` note on the truncated prompt."""
_MAX_PENDING = 1000


def truncated_messages(span: Any, messages: List[Any]) -> Optional[List[Any]]:
    """The prompt messages to record: all of them, or, when truncation applies, the last
    one cut to ``MAX_MESSAGE_CHARS`` with the original count noted (None: nothing)."""
    if not _truncates(Scope.get_client().options):
        return messages
    if not messages:
        return None
    messages = _without_blobs(messages)
    last = _cut_content(deepcopy(messages[-1]), MAX_MESSAGE_CHARS)
    if len(messages) > 1:
        _note_count(span, len(messages))
    return [last]


def truncated_embedding_inputs(span: Any, inputs: List[Any]) -> Optional[List[Any]]:
    """Embedding inputs to record: the newest that fit ``MAX_MESSAGES_BYTES``."""
    if not _truncates(Scope.get_client().options):
        return inputs
    if not inputs:
        return None
    inputs = _without_blobs(inputs)
    if _size(inputs) <= MAX_MESSAGES_BYTES:
        return inputs
    total, first = 0, 0
    for index in range(len(inputs) - 1, -1, -1):
        total += _size(inputs[index])
        if total > MAX_MESSAGES_BYTES:
            first = index + 1
            break
    if first >= len(inputs):
        first = len(inputs) - 1
    kept = inputs[first:]
    if len(kept) == 1:
        kept[0] = _cut_content(deepcopy(kept[0]), MAX_MESSAGE_CHARS)
    if first > 0:
        _note_count(span, len(inputs))
    return kept


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def _cut_content(message: Any, limit: int) -> Any:
    if not isinstance(message, dict) or "content" not in message:
        return message
    content = message["content"]
    if isinstance(content, str):
        if len(content) > limit:
            message["content"] = content[:limit] + "..."
    elif isinstance(content, list):
        remaining = limit
        for item in content:
            text = item.get("text") if isinstance(item, dict) else None
            if isinstance(text, str):
                if len(text) > remaining:
                    item["text"] = text[:remaining] + "..."
                    remaining = 0
                else:
                    remaining -= len(text)
    return message


def _is_blob(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    if item.get("type") == "blob":
        return True
    if item.get("type") != "image_url":
        return False
    url = item.get("image_url")
    url = url.get("url", "") if isinstance(url, dict) else (url or "")
    return isinstance(url, str) and url.startswith("data:") and ";base64," in url


def _without_blobs(messages: List[Any]) -> List[Any]:
    def has_blob(message: Any) -> bool:
        content = message.get("content") if isinstance(message, dict) else None
        return isinstance(content, list) and any(_is_blob(item) for item in content)

    if not any(has_blob(message) for message in messages):
        return messages
    messages = deepcopy(messages)
    for message in messages:
        if not has_blob(message):
            continue
        for item in message["content"]:
            if not _is_blob(item):
                continue
            if item.get("type") == "blob":
                item["content"] = BLOB_SUBSTITUTE
            elif isinstance(item["image_url"], dict):
                item["image_url"]["url"] = BLOB_SUBSTITUTE
            else:
                item["image_url"] = BLOB_SUBSTITUTE
    return messages


def _note_count(span: Any, count: int) -> None:
    span_id = getattr(span, "span_id", None)
    if not span_id:
        return
    if len(_original_counts) >= _MAX_PENDING:  # transactions that were never sent
        _original_counts.pop(next(iter(_original_counts)))
    _original_counts[span_id] = count
    _install_annotator()


_annotator_installed = False


def _install_annotator() -> None:
    global _annotator_installed
    if not _annotator_installed:
        _annotator_installed = True
        add_global_event_processor(_annotate_counts)


def _annotate_counts(event: Dict[str, Any], hint: Any) -> Dict[str, Any]:
    """``_meta`` ``len`` of a truncated prompt: how many messages the app sent."""
    if not _original_counts or event.get("type") != "transaction":
        return event
    try:
        for index, span in enumerate(event.get("spans") or ()):
            if not isinstance(span, dict):
                continue
            count = _original_counts.pop(str(span.get("span_id")), None)
            if count is not None and "gen_ai.request.messages" in (span.get("data") or {}):
                annotate(event, ("spans", index, "data", "gen_ai.request.messages"), len=count)
    except Exception:  # noqa: BLE001
        logger.debug("sentry_lite: could not annotate a truncated prompt", exc_info=True)
    return event
