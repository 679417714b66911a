"""A Pyramid app under sentry_sdk or sentry_lite, requests made through its WSGI entry.

Usage: python -m tests.pyramid_scenarios <sdk module> <dsn> [stream]
A view that raises, one that raises ``HTTPNotFound`` (an answer, not a failure), one that
raises an error its exception view turns into a 500 page, and a JSON POST whose view
reports a message. Only the import differs between the runs.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from tests.bottle_scenarios import call


class Handled(Exception):
    pass


def main() -> None:
    module, dsn = sys.argv[1:3]
    streaming = sys.argv[3:] == ["stream"]
    sdk = importlib.import_module(module)
    integration = importlib.import_module(f"{module}.integrations.pyramid").PyramidIntegration
    sdk.init(
        dsn=dsn,
        release="pyramid@1",
        traces_sample_rate=1.0,
        send_default_pii=True,
        integrations=[integration()],
        **({"trace_lifecycle": "stream"} if streaming else {}),
    )
    from pyramid.config import Configurator
    from pyramid.httpexceptions import HTTPNotFound
    from pyramid.response import Response

    def user(request: Any) -> Any:
        user_id = int(request.matchdict["user_id"])
        return Response(f"ratio {10 / (user_id - user_id)}")

    def missing(request: Any) -> Any:
        raise HTTPNotFound()

    def handled(request: Any) -> Any:
        raise Handled("the exception view answers this one")

    def handled_view(exc: Any, request: Any) -> Any:
        return Response("sorry", status=500)

    def orders(request: Any) -> Any:
        sdk.capture_message(f"order of {request.json_body['count']}")
        return Response("ok")

    class SecurityPolicy:
        def authenticated_userid(self, request: Any) -> str:
            return "user-42"

        def identity(self, request: Any) -> str:
            return "user-42"

        def permits(self, request: Any, context: Any, permission: Any) -> bool:
            return True

    with Configurator() as config:
        config.set_security_policy(SecurityPolicy())
        config.add_route("user", "/users/{user_id}")
        config.add_view(user, route_name="user")
        config.add_route("missing", "/missing")
        config.add_view(missing, route_name="missing")
        config.add_route("handled", "/handled")
        config.add_view(handled, route_name="handled")
        config.add_exception_view(handled_view, context=Handled)
        config.add_route("orders", "/orders")
        config.add_view(orders, route_name="orders", request_method="POST")
        app = config.make_wsgi_app()

    statuses = []
    for method, path, body, query in (
        ("GET", "/users/7", b"", "page=2"),
        ("GET", "/missing", b"", ""),
        ("GET", "/handled", b"", ""),
        ("POST", "/orders", b'{"item": "book", "count": 2}', ""),
    ):
        try:
            statuses.append(call(app, method, path, body=body, query=query))
        except ZeroDivisionError:
            statuses.append("raised")
    sdk.flush(5)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
