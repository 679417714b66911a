"""Every speed shortcut gives what the general code gives: the same scenario runs with
``sentry_lite.shortcuts`` on and off, and the events sent must be equal byte for byte
(after the wall-clock fields, which differ between two runs, are blanked).

Covered here: the child-span and continued-transaction constructors, the request scope
fork, and through them the whole traced WSGI request path. The serializer and scrubber
shortcuts have their own differential tests beside their modules' tests.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Dict, Iterator, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sentry_lite
from sentry_lite import shortcuts
from sentry_lite.integrations.wsgi import SentryWsgiMiddleware
from tests.conftest import reset_sdk
from tests.receiver import EnvelopeRecorder

WALL_CLOCK = ("timestamp", "start_timestamp", "end_timestamp", "sent_at")
"""``end_timestamp``: of the span items AI spans are split into (``gen_ai.*`` ops)."""
ADDRESS = re.compile(r"0x[0-9a-f]{6,16}")

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=30
) | st.sampled_from(["", "SELECT 1", "<script>", "ünïcode", "a" * 300, "gen_ai.chat"])
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    names,
    st.lists(st.integers(), max_size=3),
)


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("T" if k in WALL_CLOCK else _blank(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value


def _wire(recorder: EnvelopeRecorder) -> str:
    out = []
    for envelope in recorder.envelopes:
        out.append(_blank(dict(envelope.headers)))
        out.extend(_blank(item.get_json()) for item in envelope.items)
    # Frame locals show object addresses; they differ between the two runs' objects.
    return ADDRESS.sub("0x?", json.dumps(out, sort_keys=True, default=repr))


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    reset_sdk()
    yield
    reset_sdk()


def _run(scenario: Dict[str, Any], use_shortcuts: bool) -> str:
    reset_sdk()
    recorder = EnvelopeRecorder()
    random.seed(scenario["seed"])  # ids and sample_rand come from `random`
    previous = shortcuts.enabled
    shortcuts.set_enabled(use_shortcuts)
    try:
        sentry_lite.init(
            transport=recorder,
            traces_sample_rate=scenario["rate"],
            release="r@1",
            default_integrations=False,
            auto_enabling_integrations=False,
        )
        sentry_lite.set_tag("base", "1")
        sentry_lite.add_breadcrumb(message="before the request", timestamp=1.0)

        def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
            sentry_lite.set_tag("request", environ["PATH_INFO"])
            for child in scenario["children"]:
                span = sentry_lite.start_span(op=child["op"], name=child["name"])
                with span:
                    span.set_data("value", child["value"])
                    for grand in child["grandchildren"]:
                        with span.start_child(op=grand, description=grand) as inner:
                            inner.set_tag("t", grand)
            if scenario["fail"]:
                raise ValueError(scenario["message"])
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]

        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": scenario["path"],
            "SERVER_NAME": "example.com",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
        }
        if scenario["incoming"] is not None:
            environ["HTTP_SENTRY_TRACE"] = scenario["incoming"]
            environ["HTTP_BAGGAGE"] = "sentry-release=up@1,sentry-sample_rand=0.25,other=x"
        middleware = SentryWsgiMiddleware(app)
        try:
            list(middleware(environ, lambda status, headers, exc_info=None: None))
        except ValueError:
            pass
        sentry_lite.capture_message("after the request")
        return _wire(recorder)
    finally:
        shortcuts.set_enabled(previous)


scenarios = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**32),
        "rate": st.sampled_from([None, 0.0, 0.5, 1.0]),
        "path": st.sampled_from(["/", "/users/1", "/ünï", "/%ff"]),
        "fail": st.booleans(),
        "message": names,
        "incoming": st.sampled_from(
            [
                None,
                "0" * 31 + "1-" + "0" * 15 + "2-1",
                "0" * 31 + "3-" + "0" * 15 + "4-0",
                "0" * 31 + "5-" + "0" * 15 + "6",
                "garbage",
            ]
        ),
        "children": st.lists(
            st.fixed_dictionaries(
                {
                    "op": names,
                    "name": names,
                    "value": values,
                    "grandchildren": st.lists(names, max_size=2),
                }
            ),
            max_size=4,
        ),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios)
def test_traced_request_is_the_same_without_shortcuts(scenario: Dict[str, Any]) -> None:
    fast = _run(scenario, use_shortcuts=True)
    general = _run(scenario, use_shortcuts=False)
    assert fast == general


def test_the_switch_really_changes_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard against a differential test that compares a path with itself."""
    from sentry_lite.scope.data import ScopeData
    from sentry_lite.tracing import span as span_module
    from sentry_lite.tracing import transaction as transaction_module

    calls: List[str] = []
    real_child = span_module.make_child
    real_fork = ScopeData.fork

    def counting_child(*args: Any) -> Any:
        calls.append("make_child")
        return real_child(*args)

    def counting_fork(self: Any) -> Any:
        calls.append("fork")
        return real_fork(self)

    monkeypatch.setattr(span_module, "make_child", counting_child)
    monkeypatch.setattr(transaction_module, "make_child", counting_child)
    monkeypatch.setattr(ScopeData, "fork", counting_fork)
    scenario: Dict[str, Any] = {
        "seed": 1,
        "rate": 1.0,
        "path": "/",
        "fail": False,
        "message": "",
        "incoming": None,
        "children": [{"op": "db", "name": "q", "value": 1, "grandchildren": []}],
    }
    _run(scenario, use_shortcuts=True)
    with_shortcuts = list(calls)
    calls.clear()
    _run(scenario, use_shortcuts=False)
    assert "make_child" in with_shortcuts and "make_child" not in calls
    assert calls.count("fork") > with_shortcuts.count("fork")
