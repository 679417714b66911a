"""The feature-flag integrations (OpenFeature, LaunchDarkly, Statsig, Unleash) side by
side with sentry_sdk: the same ``contexts.flags`` on error events (start-up flags, two
concurrent requests that must not see each other's flags, the 100-flag buffer,
``_experiments.max_flags``), the same ``flag.evaluation.*`` span data (first ten per span)
and streamed-span attributes. Real libraries in their offline modes, a real WSGI server,
a real receiver; both SDKs in fresh interpreters (``tests/flags_scenarios.py``).
Then what only sentry-lite promises: an integration off for the active client records
nothing, and a failing recorder never breaks the evaluation."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List

import pytest

import sentry_lite
from tests.receiver import Receiver
from tests.sdk_child import run_child

pytest.importorskip("sentry_sdk")

OWN_INGEST = "/api/42/envelope/"
"""sentry_sdk in streaming mode also makes spans of its own envelope uploads."""

LIBRARIES = {
    "openfeature": "openfeature",
    "launchdarkly": "ldclient",
    "statsig": "statsig",
    "unleash": "UnleashClient",
}
CASES = [(library, "requests_and_spans") for library in LIBRARIES] + [
    ("openfeature", "limit"),
    ("statsig", "max_flags"),
    ("launchdarkly", "streaming"),
]


def _flag_keys(data: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in data.items() if k.startswith("flag.")}


def _reduced(receiver: Receiver) -> Dict[str, Any]:
    errors = []
    for event in receiver.events:
        errors.append(
            {
                "label": event.get("tags", {}).get("request"),
                "exception": event["exception"]["values"][-1]["type"],
                "flags": event.get("contexts", {}).get("flags"),
                "trace data": _flag_keys(event["contexts"]["trace"].get("data", {})),
            }
        )
    transactions = []
    for txn in receiver.transactions:
        transactions.append(
            {
                "name": txn["transaction"],
                "trace data": _flag_keys(txn["contexts"]["trace"].get("data", {})),
                "spans": [
                    [span.get("op"), span.get("description"), _flag_keys(span.get("data", {}))]
                    for span in txn.get("spans", [])
                    if OWN_INGEST not in str(span.get("description"))
                ],
            }
        )
    streamed = []
    for item in receiver.items("span"):
        for span in item.get_json()["items"]:
            if OWN_INGEST not in span["name"]:
                streamed.append([span["name"], _flag_keys(span.get("attributes", {}))])
    return {
        "errors": sorted(errors, key=lambda e: str(e["label"])),
        "transactions": sorted(transactions, key=lambda t: json.dumps(t, sort_keys=True)),
        "streamed": sorted(streamed, key=lambda s: json.dumps(s, sort_keys=True)),
    }


def run(module: str, library: str, scenario: str) -> Dict[str, Any]:
    receiver = Receiver()
    try:
        run_child(["-m", "tests.flags_scenarios", module, receiver.dsn(), library, scenario])
        return _reduced(receiver)
    finally:
        receiver.close()


@pytest.mark.parametrize(("library", "scenario"), CASES)
def test_same_flags_as_sentry_sdk(library: str, scenario: str) -> None:
    pytest.importorskip(LIBRARIES[library])
    with ThreadPoolExecutor(max_workers=2) as pool:
        ref_run = pool.submit(run, "sentry_sdk", library, scenario)
        lite = run("sentry_lite", library, scenario)
        ref = ref_run.result()
    assert lite == ref
    if scenario == "requests_and_spans":
        # What the comparison stands for, spelled out once: each request sees the
        # start-up flags and its own, never the other request's.
        by_label = {e["label"]: e["flags"]["values"] for e in lite["errors"]}
        assert [f["flag"] for f in by_label["first"]][:3] == ["hello", "world", "first"]
        assert "second" not in {f["flag"] for f in by_label["first"]}
        assert [f["flag"] for f in by_label["main"]] == ["world", "hello"]
        (spans,) = [t["spans"] for t in lite["transactions"] if t["name"] == "job"]
        assert len(spans[0][2]) == 10
    elif scenario == "limit":
        (error,) = lite["errors"]
        assert len(error["flags"]["values"]) == 100
        assert error["flags"]["values"][-1] == {"flag": "f010", "result": False}
    elif scenario == "streaming":
        assert len(dict(lite["streamed"])["flags"]) == 12


# -- what only sentry-lite promises -----------------------------------------------------------


def _openfeature_client() -> Any:
    api = pytest.importorskip("openfeature.api")
    from openfeature.provider.in_memory_provider import InMemoryFlag, InMemoryProvider

    api.set_provider(InMemoryProvider({"hello": InMemoryFlag("on", {"on": True})}))
    return api.get_client()


def test_integration_off_for_the_active_client_records_nothing(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    client = _openfeature_client()  # skips without openfeature (Python 3.10+)
    from sentry_lite.integrations.openfeature import OpenFeatureIntegration

    sentry_init(integrations=[OpenFeatureIntegration()])
    with sentry_lite.isolation_scope():
        client.get_boolean_value("hello", False)
        assert sentry_lite.get_isolation_scope().flags.get() == [{"flag": "hello", "result": True}]
    sentry_init()  # the hook stays installed; this client does not enable it
    with sentry_lite.isolation_scope():
        assert client.get_boolean_value("hello", False) is True
        assert sentry_lite.get_isolation_scope().flags.get() == []


def test_a_failing_recorder_never_breaks_the_evaluation(
    sentry_init: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _openfeature_client()  # skips without openfeature (Python 3.10+)
    from sentry_lite.integrations.openfeature import OpenFeatureIntegration
    from sentry_lite.scope.flags import FlagBuffer

    sentry_init(integrations=[OpenFeatureIntegration()])

    def broken(self: Any, flag: str, result: Any) -> None:
        raise RuntimeError("broken buffer")

    monkeypatch.setattr(FlagBuffer, "set", broken)
    assert client.get_boolean_value("hello", False) is True


def test_flags_reach_the_events_of_each_scope(
    sentry_init: Callable[..., Any], receiver: Receiver
) -> None:
    """Flags set on the global, isolation and current scope all reach an error; the
    first scope holding flags sets the capacity, the oldest go first (as sentry_sdk)."""
    from sentry_lite.feature_flags import add_feature_flag

    sentry_init(_experiments={"max_flags": 3})
    sentry_lite.get_global_scope().flags.set("global", True)
    add_feature_flag("a", True)
    add_feature_flag("b", False)
    with sentry_lite.new_scope() as scope:
        scope.flags.set("current", True)
        sentry_lite.capture_message("m")
    sentry_lite.flush()
    receiver.wait_for(1)
    assert receiver.events[0]["contexts"]["flags"]["values"] == [
        {"flag": "a", "result": True},
        {"flag": "b", "result": False},
        {"flag": "current", "result": True},
    ]


def test_evaluations_elsewhere_do_not_leak_between_threads(
    sentry_init: Callable[..., Any],
) -> None:
    from sentry_lite.feature_flags import add_feature_flag

    sentry_init()
    add_feature_flag("shared", True)
    seen: List[Any] = []

    def task(name: str) -> None:
        with sentry_lite.isolation_scope() as scope:
            add_feature_flag(name, True)
            seen.append(sorted(f["flag"] for f in scope.flags.get()))

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(task, ["one", "two"]))
    assert sorted(seen) == [["one", "shared"], ["shared", "two"]]
    assert [f["flag"] for f in sentry_lite.get_isolation_scope().flags.get()] == ["shared"]
