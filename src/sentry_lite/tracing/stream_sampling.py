"""Span streaming's head decisions: is streaming on, is a span ignored, is a segment
sampled.

The sampling rules are those of transactions (``sampling.py``: ``traces_sampler``, else
the parent's decision, else ``traces_sample_rate``; the dice is the trace's
``sample_rand``); what differs is the shape of the sampler's context and that an
unsampled segment reports why (the client-report reason of its dropped spans).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple

from sentry_lite.options import tracing_enabled
from sentry_lite.sdk_loggers import logger
from sentry_lite.tracing.context import PropagationContext
from sentry_lite.tracing.ids import sample_rand_from_trace_id
from sentry_lite.tracing.sampling import valid_rate

if TYPE_CHECKING:  # annotations only: a typing alias costs import time
    Decision = Tuple[Optional[bool], Optional[float], Optional[float], Optional[str]]

__all__ = [
    "DERIVE_SAMPLE_RAND",
    "is_ignored_span",
    "span_streaming_enabled",
    "streaming_sampling_decision",
]


DERIVE_SAMPLE_RAND = -1.0
"""A span's ``sample_rand`` not worked out yet: derived from its trace id (as it would
have been) when its baggage is made."""

"""(sampled, sample_rate, sample_rand, reason when not sampled)."""


def span_streaming_enabled(options: Optional[Mapping[str, Any]]) -> bool:
    """``trace_lifecycle="stream"`` (the top-level option wins over ``_experiments``)."""
    if not options:
        return False
    lifecycle = options.get("trace_lifecycle")
    if lifecycle is not None:
        return bool(lifecycle == "stream")
    return bool((options.get("_experiments") or {}).get("trace_lifecycle") == "stream")


def _ignore_rules(options: Mapping[str, Any]) -> Any:
    rules = options.get("ignore_spans")
    if rules is None:
        experiments = options.get("_experiments")
        if experiments:  # no throwaway dict: asked for every span, unsampled ones too
            rules = experiments.get("ignore_spans")
    return rules


def _matches(rule: Any, value: Any) -> bool:
    if isinstance(rule, re.Pattern):
        return isinstance(value, str) and rule.fullmatch(value) is not None
    return bool(rule == value)


def is_ignored_span(
    options: Mapping[str, Any], name: str, attributes: Optional[Mapping[str, Any]]
) -> bool:
    """Whether ``ignore_spans`` (strings, compiled patterns, or ``{"name", "attributes"}``
    dicts) drops a span with this name and these start attributes."""
    rules = _ignore_rules(options)
    if not rules:
        return False
    try:
        for rule in rules:
            if isinstance(rule, (str, re.Pattern)):
                if _matches(rule, name):
                    return True
                continue
            if not isinstance(rule, dict) or ("name" not in rule and "attributes" not in rule):
                continue
            if "name" in rule and not _matches(rule["name"], name):
                continue
            wanted = rule.get("attributes") or {}
            have = attributes or {}
            if all(key in have and _matches(value, have[key]) for key, value in wanted.items()):
                return True
    except Exception:  # noqa: BLE001 - a broken rule must not break the app
        logger.warning("sentry_lite: ignore_spans could not be applied", exc_info=True)
    return False


def _sampling_context(
    name: str, attributes: Optional[Mapping[str, Any]], context: PropagationContext
) -> Dict[str, Any]:
    data = dict(attributes) if attributes else {}
    sampling_context: Dict[str, Any] = {
        "transaction_context": {
            "trace_id": context.trace_id,
            "span_id": None,
            "parent_span_id": context.parent_span_id,
            "op": data.get("sentry.op"),
            "name": name,
            "description": name,
            "start_timestamp": None,
            "timestamp": None,
            "source": data.get("sentry.segment.name.source"),
            "sampled": None,
            "data": data,
        },
        "parent_sampled": context.parent_sampled,
    }
    if context.custom_sampling_context:
        sampling_context.update(context.custom_sampling_context)
    return sampling_context


def streaming_sampling_decision(
    options: Mapping[str, Any],
    name: str,
    attributes: Optional[Mapping[str, Any]],
    context: PropagationContext,
) -> Decision:
    """The decision for a new segment of ``context``'s trace."""
    if not tracing_enabled(options):
        return context.parent_sampled, None, None, None
    sample_rand = context.sample_rand
    sampler = options.get("traces_sampler")
    if callable(sampler):
        try:
            rate = sampler(_sampling_context(name, attributes, context))
        except Exception:  # noqa: BLE001
            logger.warning("sentry_lite: traces_sampler raised; not sampling", exc_info=True)
            return False, None, None, "callback_error"
    elif context.parent_sampled is not None:
        rate = context.parent_sampled
    else:
        rate = options.get("traces_sample_rate")
    if not valid_rate(rate):
        logger.warning("sentry_lite: invalid traces sample rate %r; not sampling", rate)
        return False, None, None, "sample_rate"
    rate = float(rate)
    if not rate or rate >= 1.0:  # the dice decides nothing: not rolled yet (seeding ~5 us)
        rand = DERIVE_SAMPLE_RAND if sample_rand is None else sample_rand
        if rate:
            return True, rate, rand, None
        return False, 0.0, rand, "sample_rate"
    if sample_rand is None:
        sample_rand = sample_rand_from_trace_id(context.trace_id)
    if sample_rand < rate:
        return True, rate, sample_rand, None
    return False, rate, sample_rand, "sample_rate"
