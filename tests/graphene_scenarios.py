"""A Graphene schema under sentry_sdk or sentry_lite, run by a Flask view
(``Schema.execute``) and a FastAPI endpoint (``Schema.execute_async``), each asked
through the framework's real test client.

Usage: python -m tests.graphene_scenarios <sdk module> <dsn> <pii|nopii|stream>
The queries are tests.strawberry_scenarios.QUERIES: a failing resolver, a named and an
anonymous query, and a mutation. Only the import differs between the two SDKs.
"""

import importlib
import json
import sys
from typing import Any, Dict, List

from tests.strawberry_scenarios import QUERIES


def build_schema() -> Any:
    import graphene

    class Query(graphene.ObjectType):
        hello = graphene.String(times=graphene.Int(required=True))
        error = graphene.Int()

        def resolve_hello(self, info: Any, times: int) -> str:
            return "hello " * times

        def resolve_error(self, info: Any) -> int:
            return 1 // 0

    class AddBook(graphene.Mutation):
        class Arguments:
            title = graphene.String()

        ok = graphene.Boolean()

        def mutate(self, info: Any, title: str) -> "AddBook":
            return AddBook(ok=bool(title))

    class Mutation(graphene.ObjectType):
        add_book = AddBook.Field()

    return graphene.Schema(query=Query, mutation=Mutation)


def arguments(body: Dict[str, Any]) -> Dict[str, Any]:
    return {"operation_name": body.get("operationName"), "variable_values": body.get("variables")}


def result_json(result: Any) -> Dict[str, Any]:
    out: Dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return out


def run_flask(schema: Any, queries: List[Dict[str, Any]]) -> List[int]:
    from flask import Flask, request

    app = Flask(__name__)

    @app.post("/graphql")
    def graphql_view() -> Any:
        body = request.get_json()
        return result_json(schema.execute(body["query"], **arguments(body)))

    client = app.test_client()
    return [client.post("/graphql", json=body).status_code for body in queries]


def run_fastapi(schema: Any, queries: List[Dict[str, Any]]) -> List[int]:
    from fastapi import FastAPI, Request
    from fastapi.testclient import TestClient

    app = FastAPI()

    @app.post("/graphql")
    async def graphql_endpoint(request: Request) -> Any:
        body = await request.json()
        return result_json(await schema.execute_async(body["query"], **arguments(body)))

    with TestClient(app) as client:
        return [client.post("/graphql", json=body).status_code for body in queries]


def main() -> None:
    module, dsn, mode = sys.argv[1:4]
    sdk = importlib.import_module(module)
    graphene_integration = importlib.import_module(f"{module}.integrations.graphene")
    flask_integration = importlib.import_module(f"{module}.integrations.flask")
    fastapi_integration = importlib.import_module(f"{module}.integrations.fastapi")
    starlette_integration = importlib.import_module(f"{module}.integrations.starlette")
    # gzip, as tests/receiver.py decodes it (sentry_sdk picks brotli when it is installed)
    extra: Dict[str, Any] = {"_experiments": {"transport_compression_algo": "gzip"}}
    if mode == "stream":
        extra["trace_lifecycle"] = "stream"
    sdk.init(
        dsn=dsn,
        release="graphene@1",
        traces_sample_rate=None if mode == "untraced" else 1.0,
        send_default_pii=mode != "nopii",
        auto_enabling_integrations=False,  # only what the scenario names
        integrations=[
            graphene_integration.GrapheneIntegration(),
            flask_integration.FlaskIntegration(),
            fastapi_integration.FastApiIntegration(),
            starlette_integration.StarletteIntegration(),
        ],
        **extra,
    )
    schema = build_schema()
    queries = [
        *QUERIES[:3],
        {"query": 'mutation AddBook { addBook(title: "Dune") { ok } }', "operationName": "AddBook"},
    ]
    statuses = [["flask", run_flask(schema, queries)], ["fastapi", run_fastapi(schema, queries)]]
    sdk.flush(5)
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
