"""asyncpg side by side with sentry_sdk, against a real PostgreSQL server.

Each scenario of ``tests/asyncpg_scenarios.py`` runs in a fresh interpreter per SDK with
its own receiver: spans (transaction mode) or span items (streaming), breadcrumbs and
events are reduced to what the integration decides and compared. Ids, timestamps, thread
ids, the cursor's address in its ``repr`` and SDK identity differ by nature and are
normalised. Parameters never reach the ingest unless recorded on purpose.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Dict, List

import pytest

from tests.asyncpg_scenarios import SECRET
from tests.receiver import Receiver
from tests.sdk_child import run_child
from tests.services import Postgres
from tests.test_data_sidebyside import fill_connection_data
from tests.test_side_by_side import diff

pytest.importorskip("asyncpg")
pytest.importorskip("sentry_sdk")

VOLATILE = {
    "thread.id",
    "sentry.sdk.name",
    "sentry.sdk.version",
    "sentry.sdk.integrations",
    "process.command_args",
    "sentry.segment.id",
}
ADDRESS = re.compile(r"0x[0-9a-f]+")


def _plain(value: Any) -> Any:
    """A value with object addresses (a cursor's ``repr``) and the server's port made equal."""
    if isinstance(value, str):
        return ADDRESS.sub("0x?", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _span(span: Dict[str, Any], ops: Dict[Any, Any]) -> Dict[str, Any]:
    return {
        "op": span.get("op"),
        "description": span.get("description"),
        "origin": span.get("origin"),
        "status": span.get("status"),
        "data": _plain(span.get("data") or {}),
        "parent": ops.get(span.get("parent_span_id"), "?"),
    }


def _streamed(span: Dict[str, Any], names: Dict[Any, Any]) -> Dict[str, Any]:
    attributes = {k: v["value"] for k, v in (span.get("attributes") or {}).items()}
    return {
        "name": span["name"],
        "status": span["status"],
        "is_segment": span.get("is_segment"),
        "parent": names.get(span.get("parent_span_id")),
        "attributes": _plain(attributes),
    }


def reduced(receiver: Receiver) -> Dict[str, Any]:
    out: Dict[str, Any] = {"transactions": [], "events": [], "spans": []}
    for item in receiver.items("transaction"):
        txn = item.get_json()
        spans = txn.get("spans") or []
        ops = {s["span_id"]: s.get("op") for s in spans}
        ops[txn["contexts"]["trace"]["span_id"]] = "root"
        out["transactions"].append(
            {
                "transaction": txn.get("transaction"),
                "status": txn["contexts"]["trace"].get("status"),
                "spans": [_span(s, ops) for s in spans],
            }
        )
    for event in receiver.events:
        crumbs = (event.get("breadcrumbs") or {}).get("values", [])
        out["events"].append(
            {
                "message": event.get("message") or (event.get("logentry") or {}).get("message"),
                "breadcrumbs": [
                    _plain({k: v for k, v in c.items() if k != "timestamp"}) for c in crumbs
                ],
            }
        )
    items = [span for item in receiver.items("span") for span in item.get_json()["items"]]
    names = {span["span_id"]: span["name"] for span in items}
    out["spans"] = [_streamed(span, names) for span in items if "/envelope/" not in span["name"]]
    return out


def _closed_port(value: Any, ports: List[int]) -> Any:
    """The refused connect's port (a free one, per run) as ``"closed"``."""
    if isinstance(value, dict):
        return {
            k: "closed" if k == "server.port" and v in ports else _closed_port(v, ports)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_closed_port(v, ports) for v in value]
    return value


def run(module: str, scenario: str, postgres: Postgres, table: str) -> Any:
    receiver = Receiver()
    try:
        os.environ["SCENARIO_PG_PORT"] = str(postgres.port)
        os.environ["SCENARIO_TABLE"] = table
        out = run_child(["-m", "tests.asyncpg_scenarios", module, receiver.dsn(), scenario])
        bodies = b"".join(r.body for r in receiver.requests)
        closed = [int(line.split()[1]) for line in out.splitlines() if line.startswith("CLOSED")]
        return _closed_port(reduced(receiver), closed), bodies
    finally:
        os.environ.pop("SCENARIO_PG_PORT", None)
        os.environ.pop("SCENARIO_TABLE", None)
        receiver.close()


def improve_simple_queries(sdk: Dict[str, Any]) -> None:
    """A simple query carries its connection's data like every other statement;
    sentry_sdk leaves it out for those only."""
    filled = sum(fill_connection_data(t["spans"]) for t in sdk["transactions"])
    filled += fill_connection_data(sdk["spans"], "attributes")
    assert filled or not (sdk["transactions"] or sdk["spans"]), (
        "sentry_sdk sends connection data on simple queries now: drop this rule"
    )


SCENARIOS = [
    "traced",
    "untraced",
    "record_params",
    "record_params_alone",
    "streamed",
    "streamed_untraced",
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_as_sentry_sdk(scenario: str, postgres: Postgres) -> None:
    table = f"asyncpg_{scenario}"
    lite, lite_bodies = run("sentry_lite", scenario, postgres, table)
    sdk, _ = run("sentry_sdk", scenario, postgres, table)
    improve_simple_queries(sdk)
    problems = diff(lite, sdk)
    assert not problems, "\n".join(problems)
    assert lite["events"], "every scenario captures a message"
    if scenario != "record_params":
        assert SECRET.encode() not in lite_bodies
    else:
        assert SECRET.encode() in lite_bodies


def test_enabled_when_asyncpg_is_imported() -> None:
    """Auto-enabled (as with sentry_sdk) once the app imports asyncpg, not before."""
    code = (
        "import sys, sentry_lite\n"
        "sentry_lite.init(dsn='http://public@127.0.0.1:9/1')\n"
        "assert 'asyncpg' not in sys.modules\n"
        "import asyncpg\n"
        "print(sorted(i for i in sentry_lite.get_client().integrations if i == 'asyncpg'))\n"
    )
    assert run_child(["-c", code]).strip() == "['asyncpg']"


def test_nothing_recorded_when_the_client_does_not_enable_it(
    sentry_init: Callable[..., Any], receiver: Receiver, postgres: Postgres
) -> None:
    import asyncio

    import asyncpg

    import sentry_lite
    from sentry_lite.integrations.asyncpg import AsyncPGIntegration

    sentry_init(integrations=[AsyncPGIntegration()], traces_sample_rate=1.0)
    sentry_init(
        traces_sample_rate=1.0, default_integrations=False, auto_enabling_integrations=False
    )

    async def main() -> None:
        with sentry_lite.start_transaction(name="t"):
            conn = await asyncpg.connect(
                f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"
            )
            assert await conn.fetchval("SELECT $1::int", 7) == 7
            await conn.close()
            sentry_lite.capture_message("m")

    asyncio.run(main())
    sentry_lite.flush(5)
    assert receiver.transactions[0]["spans"] == []
    assert not (receiver.events[0].get("breadcrumbs") or {}).get("values")


def test_too_old_asyncpg_is_not_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncpg

    from sentry_lite.integrations import DidNotEnable
    from sentry_lite.integrations.asyncpg import AsyncPGIntegration

    monkeypatch.setattr(asyncpg, "__version__", "0.22.0")
    execute = asyncpg.Connection.execute
    with pytest.raises(DidNotEnable):
        AsyncPGIntegration.setup_once()
    assert asyncpg.Connection.execute is execute
