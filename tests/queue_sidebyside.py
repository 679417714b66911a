"""What the task-queue tests (arq, huey, dramatiq) compare side by side with sentry_sdk.

A scenario module (``tests/<queue>_scenarios.py``) runs twice under one SDK, each time
in a fresh interpreter against a real Redis: ``produce`` enqueues jobs inside a
transaction (or a streamed segment), ``work`` runs a real worker until the queue is
empty. What both sent to one receiver is reduced to the fields both SDKs define: the
events' exceptions, names, task tags and extras (ids as ``<id>``), the transactions'
op/origin/status/data keys and spans, whether each task joined the producer's trace,
the streamed spans and the Crons check-ins.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Tuple

from tests.receiver import Receiver
from tests.sdk_child import run_child

_ID = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f-]{36}$|^[0-9a-f]{8}-|^cron:")
_QUEUE_KEYS = ("arq-job", "huey-job")
_TASK_TAGS = ("arq_task_id", "arq_task_retry", "huey_task_id", "huey_task_retry")


def _id(value: Any) -> Any:
    return "<id>" if isinstance(value, str) and _ID.match(value) else value


def _job_extra(extra: Dict[str, Any]) -> Dict[str, Any]:
    view = {k: extra[k] for k in _QUEUE_KEYS if k in extra}
    if "dramatiq_message_id" in extra:
        view["dramatiq_message_id"] = _id(extra["dramatiq_message_id"])
    return view


def _tags(event: Dict[str, Any]) -> Dict[str, Any]:
    tags = event.get("tags") or {}
    return {k: (v if isinstance(v, bool) else _id(v)) for k, v in tags.items() if k in _TASK_TAGS}


def _dramatiq_context(event: Dict[str, Any]) -> Any:
    context = (event.get("contexts") or {}).get("dramatiq")
    if context is None:
        return None
    data = context.get("data")
    if isinstance(data, dict):
        data = {k: data[k] for k in ("actor_name", "queue_name", "args", "kwargs") if k in data}
    return {"type": context.get("type"), "data": data}


def _own_upload(name: Any) -> bool:
    """sentry_sdk's own envelope upload, recorded as an ``http.client`` span when its
    sending thread happens to run while a job's span is active (timing-dependent)."""
    return isinstance(name, str) and "/envelope/" in name


def _linked(trace: Dict[str, Any], producer: Dict[str, Any]) -> Tuple[bool, bool]:
    """(same trace as the producer, child of one of the producer's submit spans)."""
    same = trace.get("trace_id") == producer.get("trace_id")
    return same, trace.get("parent_span_id") in producer.get("span_ids", ())


def event_view(event: Dict[str, Any], producer: Dict[str, Any]) -> Dict[str, Any]:
    """The fields both SDKs define; a transaction's spans without the ``db`` ones (the
    Redis spans differ on purpose and are compared on their own) and sentry_sdk's uploads."""
    trace = (event.get("contexts") or {}).get("trace") or {}
    view: Dict[str, Any] = {
        "type": event.get("type", "event"),
        "transaction": event.get("transaction"),
        "transaction_info": event.get("transaction_info"),
        "level": event.get("level"),
        "tags": _tags(event),
        "extra": _job_extra(event.get("extra") or {}),
        "dramatiq": _dramatiq_context(event),
        "exceptions": [
            (v.get("type"), v.get("value"), v.get("mechanism"))
            for v in (event.get("exception") or {}).get("values", [])
        ],
        "in_producer_trace": _linked(trace, producer)[0],
    }
    if event.get("type") == "transaction":
        view["op"] = trace.get("op")
        view["origin"] = trace.get("origin")
        view["status"] = trace.get("status")
        view["data"] = sorted((trace.get("data") or {}).keys() & {"messaging.destination.name"})
        view["child_of_submit"] = _linked(trace, producer)[1]
        view["spans"] = [
            (s.get("op"), s.get("description"), s.get("origin"))
            for s in event.get("spans", [])
            if not (s.get("op") or "").startswith("db") and not _own_upload(s.get("description"))
        ]
    return view


def _producer(transactions: List[Dict[str, Any]]) -> Dict[str, Any]:
    for txn in transactions:
        if txn.get("transaction") == "producer":
            trace = txn["contexts"]["trace"]
            spans = [s["span_id"] for s in txn.get("spans", []) if "submit" in s.get("op", "")]
            return {"trace_id": trace["trace_id"], "span_ids": spans}
    return {}


def _check_ins(receiver: Receiver) -> List[Dict[str, Any]]:
    """The Crons check-ins (slug, status, config; how many share each one's id)."""
    check_ins = [item.get_json() for item in receiver.items("check_in")]
    return [
        {
            "slug": c["monitor_slug"],
            "status": c["status"],
            "config": c.get("monitor_config"),
            "pair": sum(1 for o in check_ins if o["check_in_id"] == c["check_in_id"]),
        }
        for c in check_ins
    ]


def _redis_spans(transactions: List[Dict[str, Any]]) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for txn in transactions:
        spans = [s.get("description") for s in txn.get("spans", []) if s.get("op") == "db.redis"]
        out.setdefault(txn.get("transaction", ""), []).extend(spans)
    return out


def run_queue(
    scenarios: str, module: str, redis_port: int, worker_module: Optional[str] = None
) -> Dict[str, Any]:
    """The scenario's events and transactions as views, sorted, with only the queue's own
    spans (``events``); the Redis spans per transaction (``redis_spans``); the check-ins;
    the bodies sent (``bodies``, to look for secrets). ``worker_module``: the worker's
    SDK, when it is not the producer's."""
    receiver = Receiver()
    try:
        for role, sdk in (("produce", module), ("work", worker_module or module)):
            run_child(["-m", scenarios, sdk, receiver.dsn(), str(redis_port), role])
        transactions = [item.get_json() for item in receiver.items("transaction")]
        producer = _producer(transactions)
        views = [event_view(e, producer) for e in [*receiver.events, *transactions]]
        return {
            "events": sorted(views, key=lambda v: json.dumps(v, sort_keys=True, default=str)),
            "redis_spans": _redis_spans(transactions),
            "check_ins": _check_ins(receiver),
            "bodies": b"".join(r.body for r in receiver.requests),
        }
    finally:
        receiver.close()


def run_spans(
    scenarios: str, module: str, redis_port: int, attributes: Tuple[str, ...]
) -> List[Dict[str, Any]]:
    """The streamed spans of the scenario in streaming mode (no ``db`` spans, which the
    event tests compare, and none of the SDK's own uploads)."""
    receiver = Receiver()
    try:
        for role in ("produce", "work"):
            run_child(["-m", scenarios, module, receiver.dsn(), str(redis_port), role, "stream"])
        spans = [s for item in receiver.items("span") for s in item.get_json()["items"]]
        ids = {s["span_id"]: s for s in spans}
        out = []
        for span in spans:
            values = {k: v.get("value") for k, v in span["attributes"].items()}
            if str(values.get("sentry.op", "")).startswith("db"):
                continue
            if _own_upload(span["name"]):
                continue
            parent: Optional[Dict[str, Any]] = ids.get(span.get("parent_span_id") or "")
            out.append(
                {
                    "name": span["name"],
                    "status": span["status"],
                    "segment": span.get("is_segment"),
                    "parent": parent["name"] if parent else None,
                    **{k: _id(values.get(k)) for k in attributes},
                }
            )
        return sorted(out, key=lambda v: json.dumps(v, sort_keys=True, default=str))
    finally:
        receiver.close()


def flush_redis(port: int) -> None:
    """Empty the Redis server, so one run's jobs and keys never reach the next."""
    import redis

    redis.Redis(host="127.0.0.1", port=port).flushall()


def run_both_sdks(scenarios: str, redis_port: int) -> Dict[str, Dict[str, Any]]:
    """``run_queue`` under sentry_sdk, then sentry_lite, each on an empty Redis."""
    out = {}
    for module in ("sentry_sdk", "sentry_lite"):
        flush_redis(redis_port)
        out[module] = run_queue(scenarios, module, redis_port)
    return out
