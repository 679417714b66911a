"""GrapheneIntegration side by side with sentry_sdk: one schema run by a Flask view
(``Schema.execute``) and a FastAPI endpoint (``Schema.execute_async``) through the
frameworks' real test clients; the same error events (mechanism ``graphene``,
``api_target``, request data kept or dropped by ``send_default_pii``), the same
``graphql.query``/``graphql.mutation`` spans and the same streamed spans."""

from __future__ import annotations

import pytest

from tests.graphql_sidebyside import run
from tests.test_side_by_side import diff

pytest.importorskip("graphene")
pytest.importorskip("fastapi")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.graphene_scenarios"


@pytest.mark.parametrize("mode", ["pii", "nopii", "stream"])
def test_same_as_sentry_sdk(mode: str) -> None:
    lite = run(SCENARIOS, "sentry_lite", mode)
    sdk = run(SCENARIOS, "sentry_sdk", mode)
    assert sdk["statuses"] == [["flask", [200] * 4], ["fastapi", [200] * 4]]
    assert len(sdk["errors"]) == 2  # the failing resolver, once per app
    assert sdk["errors"][0]["exceptions"][-1][2] == {"type": "graphene", "handled": False}
    if mode == "stream":
        ops = {s["attributes"].get("sentry.op") for s in sdk["streamed"]}
        assert {"graphql.query", "graphql.mutation"} <= ops
    else:
        assert len(sdk["transactions"]) == 8
        spans = [s for t in sdk["transactions"] for s in t["spans"]]
        assert len(spans) == 8
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
