"""GQLIntegration side by side with sentry_sdk: the gql client (requests transport)
asking a real GraphQL endpoint on 127.0.0.1. The server's error is reported as
``TransportQueryError`` (mechanism ``gql``); that event and a later message of the same
isolation scope name the GraphQL request (URL without credentials, query values
withheld, document and operation only with ``send_default_pii``), in both SDKs."""

from __future__ import annotations

import re
from typing import Any, Dict

import pytest

from tests.graphql_sidebyside import run
from tests.test_side_by_side import diff

pytest.importorskip("gql")
pytest.importorskip("requests_toolbelt")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.gql_scenarios"


def without_port(result: Dict[str, Any]) -> Dict[str, Any]:
    for event in result["errors"]:
        event["url"] = re.sub(r":\d+/", ":PORT/", event["url"] or "")
    return result


@pytest.mark.parametrize("mode", ["pii", "nopii"])
def test_same_as_sentry_sdk(mode: str) -> None:
    lite = without_port(run(SCENARIOS, "sentry_lite", mode))
    sdk = without_port(run(SCENARIOS, "sentry_sdk", mode))
    assert sdk["statuses"] == ["TransportQueryError", '{"hello": "hello"}']
    error, message = sorted(sdk["errors"], key=lambda e: e["message"] or "")
    assert error["exceptions"][0][2] == {"type": "gql", "handled": False}
    assert error["url"] == "http://[Filtered]:[Filtered]@127.0.0.1:PORT/graphql"
    assert error["query_string"] == "token=[Filtered]&v=[Filtered]"
    assert message["api_target"] == "graphql"
    assert (error["request_data"] is None) == (mode == "nopii")
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
