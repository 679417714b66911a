"""An Ariadne schema under sentry_sdk or sentry_lite: served by a Flask view calling
``ariadne.graphql_sync`` (Ariadne's documented Flask setup) and by its ASGI app mounted
in FastAPI, each asked through the framework's real test client.

Usage: python -m tests.ariadne_scenarios <sdk module> <dsn> <pii|nopii|stream>
The queries: a failing resolver, a named and an anonymous query, a mutation, and a
query that fails validation. Only the import differs between the two SDKs.
"""

import importlib
import json
import sys
from typing import Any, Dict, List

from tests.strawberry_scenarios import QUERIES

TYPE_DEFS = """
type Query { hello(times: Int!): String  error: Int }
type Mutation { addBook(title: String): String }
"""


def build_schema() -> Any:
    from ariadne import MutationType, QueryType, make_executable_schema

    query = QueryType()
    mutation = MutationType()

    @query.field("hello")
    def resolve_hello(_: Any, info: Any, times: int) -> str:
        return "hello " * times

    @query.field("error")
    def resolve_error(_: Any, info: Any) -> int:
        return 1 // 0

    @mutation.field("addBook")
    def resolve_add_book(_: Any, info: Any, title: str) -> str:
        return title.upper()

    return make_executable_schema(TYPE_DEFS, query, mutation)


def run_flask(schema: Any, queries: List[Dict[str, Any]]) -> List[int]:
    from ariadne import graphql_sync
    from flask import Flask, jsonify, request

    app = Flask(__name__)

    @app.post("/graphql")
    def graphql_view() -> Any:
        success, result = graphql_sync(schema, request.get_json(), context_value=request)
        return jsonify(result), 200 if success else 400

    client = app.test_client()
    return [client.post("/graphql", json=body).status_code for body in queries]


def run_fastapi(schema: Any, queries: List[Dict[str, Any]]) -> List[int]:
    from ariadne.asgi import GraphQL
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()
    app.mount("/graphql", GraphQL(schema))
    with TestClient(app) as client:
        return [client.post("/graphql/", json=body).status_code for body in queries]


def main() -> None:
    module, dsn, mode = sys.argv[1:4]
    sdk = importlib.import_module(module)
    ariadne_integration = importlib.import_module(f"{module}.integrations.ariadne")
    flask_integration = importlib.import_module(f"{module}.integrations.flask")
    fastapi_integration = importlib.import_module(f"{module}.integrations.fastapi")
    starlette_integration = importlib.import_module(f"{module}.integrations.starlette")
    # gzip, as tests/receiver.py decodes it (sentry_sdk picks brotli when it is installed)
    extra: Dict[str, Any] = {"_experiments": {"transport_compression_algo": "gzip"}}
    if mode == "stream":
        extra["trace_lifecycle"] = "stream"
    sdk.init(
        dsn=dsn,
        release="ariadne@1",
        traces_sample_rate=1.0,
        send_default_pii=mode != "nopii",
        auto_enabling_integrations=False,  # only what the scenario names
        integrations=[
            ariadne_integration.AriadneIntegration(),
            flask_integration.FlaskIntegration(),
            fastapi_integration.FastApiIntegration(),
            starlette_integration.StarletteIntegration(),
        ],
        **extra,
    )
    schema = build_schema()
    queries = [*QUERIES, {"query": "query Broken { nosuchfield }", "operationName": "Broken"}]
    statuses = [["flask", run_flask(schema, queries)], ["fastapi", run_fastapi(schema, queries)]]
    sdk.flush(5)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
