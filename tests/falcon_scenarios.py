"""A Falcon app under sentry_sdk or sentry_lite, requests made through its WSGI entry.

Usage: python -m tests.falcon_scenarios <sdk module> <dsn> [stream]
A responder that raises (Falcon answers 500 itself), one that raises a 503 and one a
404 (an answer, not a failure), and a JSON POST the responder reads and reports a
message from. Only the import differs between the runs.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from tests.bottle_scenarios import call


def main() -> None:
    module, dsn = sys.argv[1:3]
    streaming = sys.argv[3:] == ["stream"]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.falcon").FalconIntegration
    sdk.init(
        dsn=dsn,
        release="falcon@1",
        traces_sample_rate=1.0,
        send_default_pii=True,
        integrations=[integration()],
        **({"trace_lifecycle": "stream"} if streaming else {}),
    )
    import falcon

    class Users:
        def on_get(self, req: Any, resp: Any, user_id: int) -> None:
            ratio = 10 / (user_id - user_id)
            resp.media = {"ratio": ratio}

    class Busy:
        def on_get(self, req: Any, resp: Any) -> None:
            raise falcon.HTTPServiceUnavailable(title="try later")

    class Missing:
        def on_get(self, req: Any, resp: Any) -> None:
            raise falcon.HTTPNotFound()

    class Orders:
        def on_post(self, req: Any, resp: Any) -> None:
            order = req.get_media()
            sdk.capture_message(f"order of {order['count']}")
            resp.media = {"ok": True}

    app = falcon.App()
    app.add_route("/users/{user_id:int}", Users())
    app.add_route("/busy", Busy())
    app.add_route("/missing", Missing())
    app.add_route("/orders", Orders())
    statuses = [
        call(app, "GET", "/users/7", query="page=2"),
        call(app, "GET", "/busy"),
        call(app, "GET", "/missing"),
        call(app, "POST", "/orders", body=b'{"item": "book", "count": 2}'),
    ]
    sdk.flush(5)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
