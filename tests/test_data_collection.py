"""``data_collection``: the same real Flask/Starlette request under sentry_sdk and
sentry_lite gives the same request/user data for every mode; plus the resolution rules."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from typing import Any, Dict, List

import pytest

from sentry_lite.data_collection import (
    FILTER,
    OMIT,
    SEND,
    decision,
    filter_query_string,
    resolve,
)
from tests.data_collection_scenarios import CASES
from tests.receiver import Receiver

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def received(module: str, framework: str, case: str) -> List[Dict[str, Any]]:
    receiver = Receiver()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.data_collection_scenarios",
                module,
                *(receiver.dsn(), framework, case),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        return list(receiver.events)
    finally:
        receiver.close()


def privacy_view(event: Dict[str, Any]) -> Dict[str, Any]:
    """What data_collection decides: the request parts and the user."""
    request = event.get("request", {})
    headers = {k.lower(): v for k, v in (request.get("headers") or {}).items()}
    headers.pop("content-length", None)  # differs by client library, not by SDK
    headers.pop("user-agent", None)
    # sentry_sdk's httpx integration adds its trace headers to the test client's request
    headers.pop("sentry-trace", None)
    headers.pop("baggage", None)
    return {
        "headers": headers,
        "has_query_string": "query_string" in request,
        "query_string": request.get("query_string"),
        "cookies": request.get("cookies"),
        "data": request.get("data"),
        "user": event.get("user"),
        "remote_addr": (request.get("env") or {}).get("REMOTE_ADDR"),
    }


DATA_COLLECTION_CASES = [c for c in CASES if c not in ("legacy_no_pii", "legacy_pii", "multipart")]


@pytest.mark.parametrize("framework", ["flask", "starlette"])
def test_multipart_form_body_as_sentry_sdk(framework: str) -> None:
    """A multipart form the app parsed: fields sent, secrets filtered, the file noted."""
    pytest.importorskip(framework)
    (expected,) = received("sentry_sdk", framework, "multipart")
    (actual,) = received("sentry_lite", framework, "multipart")
    assert actual["request"]["data"] == expected["request"]["data"]
    assert actual["request"]["data"]["photo"] == ""
    assert (
        actual["_meta"]["request"]["data"]["photo"] == expected["_meta"]["request"]["data"]["photo"]
    )


@pytest.mark.parametrize("case", DATA_COLLECTION_CASES)
@pytest.mark.parametrize("framework", ["flask", "starlette"])
def test_same_request_data_as_sentry_sdk(framework: str, case: str) -> None:
    pytest.importorskip(framework)
    expected = [privacy_view(e) for e in received("sentry_sdk", framework, case)]
    actual = [privacy_view(e) for e in received("sentry_lite", framework, case)]
    assert len(expected) == 1
    assert actual == expected


def test_legacy_without_pii_keeps_personal_data_out() -> None:
    (view,) = [privacy_view(e) for e in received("sentry_lite", "flask", "legacy_no_pii")]
    assert view["cookies"] is None and view["user"] is None and view["remote_addr"] is None
    assert view["data"] == {"name": "rex", "password": "[Filtered]"}


def test_resolution_rules() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = {"data_collection": resolve({})}
        pii = {"data_collection": resolve({"send_default_pii": True})}
        explicit = {"data_collection": resolve({"data_collection": {"queues": False}})}
    assert decision(legacy, "user_info") == FILTER
    assert decision(pii, "queues") == SEND
    assert decision(explicit, "queues") == OMIT
    assert decision(explicit, "user_info") == SEND
    assert decision(explicit, "http_bodies:incoming_request") == SEND
    experimental = {"data_collection": resolve({"_experiments": {"data_collection": {}}})}
    assert experimental["data_collection"]["provided_by_user"] is True


def test_send_default_pii_with_data_collection_warns_deprecation() -> None:
    with pytest.warns(DeprecationWarning, match="send_default_pii"):
        resolve({"send_default_pii": True, "data_collection": {}})


def test_invalid_mode_warns_and_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    resolved = resolve({"data_collection": {"cookies": {"mode": "sometimes"}}})
    assert resolved["cookies"] == {"mode": "denylist"}
    assert "sometimes" in caplog.text


def test_query_string_is_reencoded() -> None:
    assert filter_query_string("a=1&auth=x", {"mode": "denylist"}) == "a=1&auth=%5BFiltered%5D"
    assert filter_query_string("a=1", {"mode": "off"}) is None


def test_stack_frame_variables_decide_and_filter_frame_locals(
    sentry_init: Any, receiver: Receiver
) -> None:
    """sentry_sdk 2.75: with ``data_collection``, ``stack_frame_variables`` wins over
    ``include_local_variables`` and its denylist filters locals by name (the default
    sensitive terms and the user's). Before, locals were sent unfiltered: the scrubber
    does not run when ``data_collection`` is set."""
    import sentry_lite

    sentry_init(
        include_local_variables=False,
        data_collection={"stack_frame_variables": {"mode": "denylist", "terms": ["nickname"]}},
    )

    def fail() -> None:
        safe_value = "not sensitive"  # noqa: F841
        password = "hunter2"  # noqa: F841
        nickname = "Bugsy"  # noqa: F841
        raise ValueError("boom")

    try:
        fail()
    except ValueError:
        sentry_lite.capture_exception()
    sentry_lite.flush(5)
    (event,) = receiver.events
    frame_vars = event["exception"]["values"][0]["stacktrace"]["frames"][-1]["vars"]
    assert frame_vars == {
        "safe_value": "'not sensitive'",
        "password": "'[Filtered]'",
        "nickname": "'[Filtered]'",
    }


def test_stack_frame_variables_rule_holds_for_the_full_stack(
    sentry_init: Any, receiver: Receiver
) -> None:
    """``add_full_stack=True`` adds the caller frames of a caught error: their locals
    follow the same ``stack_frame_variables`` rule (they went out unfiltered)."""
    import sentry_lite

    sentry_init(
        add_full_stack=True,
        data_collection={"stack_frame_variables": {"mode": "denylist", "terms": []}},
    )

    def catch() -> None:
        try:
            raise ValueError("boom")
        except ValueError:
            sentry_lite.capture_exception()

    def caller() -> None:
        api_token = "tok-123"  # noqa: F841
        catch()

    caller()
    sentry_lite.flush(5)
    (event,) = receiver.events
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    seen = [f["vars"]["api_token"] for f in frames if "api_token" in f.get("vars", {})]
    assert seen == ["'[Filtered]'"]
