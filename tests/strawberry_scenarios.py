"""Strawberry apps under sentry_sdk or sentry_lite: a sync schema served by Flask
(``strawberry.flask.views.GraphQLView``) and an async one by FastAPI (``GraphQLRouter``),
each asked through the framework's real test client.

Usage: python -m tests.strawberry_scenarios <sdk module> <dsn> <pii|nopii|stream|untraced|unsampled>
Per app: a named query whose resolver raises, a named query that succeeds, an anonymous
query and a named mutation. Only the import differs between the two SDKs.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any, Dict, List

QUERIES = [
    {"query": "query ErrorQuery { error }", "operationName": "ErrorQuery"},
    {"query": "query GreetingQuery($n: Int!) { hello(times: $n) }", "variables": {"n": 2}},
    {"query": "{ hello(times: 1) }"},
    {"query": 'mutation AddBook { addBook(title: "Dune") }', "operationName": "AddBook"},
]


def build_types(strawberry: Any) -> Any:
    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self, times: int) -> str:
            return "hello " * times

        @strawberry.field
        def error(self) -> int:
            return 1 // 0

    @strawberry.type
    class Mutation:
        @strawberry.mutation
        def add_book(self, title: str) -> str:
            return title.upper()

    return Query, Mutation


def run_flask(strawberry: Any) -> List[int]:
    from flask import Flask
    from strawberry.flask.views import GraphQLView

    query, mutation = build_types(strawberry)
    app = Flask(__name__)
    schema = strawberry.Schema(query, mutation)
    app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql_view", schema=schema))
    client = app.test_client()
    return [client.post("/graphql", json=body).status_code for body in QUERIES]


def run_fastapi(strawberry: Any) -> List[int]:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from strawberry.fastapi import GraphQLRouter

    query, mutation = build_types(strawberry)
    app = FastAPI()
    app.include_router(GraphQLRouter(strawberry.Schema(query, mutation)), prefix="/graphql")
    with TestClient(app) as client:
        return [client.post("/graphql", json=body).status_code for body in QUERIES]


def main() -> None:
    module, dsn, mode = sys.argv[1:4]
    sdk = importlib.import_module(module)
    integrations = importlib.import_module(f"{module}.integrations.strawberry")
    flask_integration = importlib.import_module(f"{module}.integrations.flask")
    fastapi_integration = importlib.import_module(f"{module}.integrations.fastapi")
    starlette_integration = importlib.import_module(f"{module}.integrations.starlette")
    # gzip, as tests/receiver.py decodes it (sentry_sdk picks brotli when it is installed)
    extra: Dict[str, Any] = {"_experiments": {"transport_compression_algo": "gzip"}}
    if mode.startswith("stream"):
        extra["trace_lifecycle"] = "stream"
    import strawberry

    statuses = []
    for name, runner, async_execution, framework in (
        ("flask", run_flask, False, [flask_integration.FlaskIntegration()]),
        (
            "fastapi",
            run_fastapi,
            True,
            [
                fastapi_integration.FastApiIntegration(),
                starlette_integration.StarletteIntegration(),
            ],
        ),
    ):
        sdk.init(
            dsn=dsn,
            release="strawberry@1",
            traces_sample_rate={"untraced": None, "unsampled": 0.0, "stream-unsampled": 0.0}.get(
                mode, 1.0
            ),
            send_default_pii=mode != "nopii",
            auto_enabling_integrations=False,  # only what the scenario names
            integrations=[
                integrations.StrawberryIntegration(async_execution=async_execution),
                *framework,
            ],
            **extra,
        )
        statuses.append([name, runner(strawberry)])
        sdk.flush(5)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
