"""StrawberryIntegration side by side with sentry_sdk: a sync schema on Flask and an
async one on FastAPI, asked through the frameworks' real test clients; the same error
events (mechanism, transaction named after the operation, request and response data
with and without ``send_default_pii``), the same transactions with their GraphQL spans,
the same streamed spans in ``trace_lifecycle="stream"`` mode, and with tracing off the
same operation-named errors."""

from __future__ import annotations

import pytest

from tests.graphql_sidebyside import run
from tests.test_side_by_side import diff

pytest.importorskip("strawberry")
pytest.importorskip("fastapi")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.strawberry_scenarios"


@pytest.mark.parametrize("mode", ["pii", "nopii", "stream", "untraced"])
def test_same_as_sentry_sdk(mode: str) -> None:
    lite = run(SCENARIOS, "sentry_lite", mode)
    sdk = run(SCENARIOS, "sentry_sdk", mode)
    assert sdk["statuses"] == [["flask", [200] * 4], ["fastapi", [200] * 4]]
    assert len(sdk["errors"]) == 2  # the failing resolver, once per app
    if mode == "stream":
        ops = {s["attributes"].get("sentry.op") for s in sdk["streamed"]}
        assert {"graphql.query", "graphql.mutation", "graphql.resolve", "graphql.parse"} <= ops
    elif mode == "untraced":  # no transactions; errors still named after the operation
        assert sdk["transactions"] == []
        assert {e["transaction"] for e in sdk["errors"]} == {"ErrorQuery"}
    else:
        assert len(sdk["transactions"]) == 8
    if mode == "pii":
        event = lite["errors"][0]
        assert event["transaction"] == "ErrorQuery"
        assert event["exceptions"][-1][2] == {"type": "strawberry", "handled": False}
        assert event["api_target"] == "graphql"
        assert event["response"]["data"]["errors"][0]["path"] == ["error"]
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
