"""The SDK's own threads run in an empty context: started while the app is inside a
span, the sending thread's connections to the ingest are not recorded as the app's spans
(sentry_sdk records its envelope uploads in that span; docs/migration.md). The app's own
connection in the same span still is. Failed before: the ingest's ``socket.dns`` and
``socket.connection`` spans showed up in the app's transaction or segment."""

from __future__ import annotations

from typing import List

import pytest

from tests.receiver import Receiver
from tests.sdk_child import run_child


@pytest.mark.parametrize("mode", ["transaction", "stream"])
def test_sdk_connections_are_not_the_apps_spans(mode: str) -> None:
    receiver = Receiver()
    try:
        out = run_child(["-m", "tests.own_threads_scenario", receiver.dsn(), mode])
        app_port = out.strip().splitlines()[-1]
        names: List[str] = []
        for item in receiver.items("transaction"):
            names += [span.get("description") for span in item.get_json().get("spans", [])]
        for item in receiver.items("span"):
            names += [span["name"] for span in item.get_json()["items"] if span["name"] != "job"]
        ingest_port = receiver.dsn().rsplit(":", 1)[1].split("/", 1)[0]
        assert f"127.0.0.1:{app_port}" in names  # the app's own connection is recorded
        assert not [n for n in names if n.endswith(f":{ingest_port}")], names
    finally:
        receiver.close()
