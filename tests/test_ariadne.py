"""AriadneIntegration side by side with sentry_sdk: one schema served by a Flask view
(``ariadne.graphql_sync``) and by Ariadne's ASGI app mounted in FastAPI, through the
frameworks' real test clients; the same error events for a failing resolver and for a
query that fails validation (mechanism ``ariadne``, the operation as ``request.data``,
the response in ``contexts.response``, both only with ``send_default_pii``), and the
same transactions and streamed segments (Ariadne adds no spans, in either SDK)."""

from __future__ import annotations

import pytest

from tests.graphql_sidebyside import run
from tests.test_side_by_side import diff

pytest.importorskip("ariadne")
pytest.importorskip("fastapi")
pytest.importorskip("sentry_sdk")

SCENARIOS = "tests.ariadne_scenarios"


@pytest.mark.parametrize("mode", ["pii", "nopii", "stream"])
def test_same_as_sentry_sdk(mode: str) -> None:
    lite = run(SCENARIOS, "sentry_lite", mode)
    sdk = run(SCENARIOS, "sentry_sdk", mode)
    assert sdk["statuses"] == [["flask", [200] * 4 + [400]], ["fastapi", [200] * 4 + [400]]]
    assert len(sdk["errors"]) == 4  # the failing resolver and the invalid query, per app
    with_response = [e for e in sdk["errors"] if e["response"]]
    assert len(with_response) == (0 if mode == "nopii" else 4)
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
