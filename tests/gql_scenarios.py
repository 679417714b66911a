"""The gql client under sentry_sdk or sentry_lite, asking a real GraphQL endpoint on a
free 127.0.0.1 port (a plain HTTP server answering as a GraphQL server would).

Usage: python -m tests.gql_scenarios <sdk module> <dsn> <pii|nopii>
A query the server answers with an error (gql raises ``TransportQueryError``), then a
query that succeeds followed by a message event, through a transport whose URL holds
credentials and a query string. Only the import differs between the two SDKs.
"""

import importlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict


class GraphQLHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if "error" in body["query"]:
            answer: Dict[str, Any] = {
                "data": None,
                "errors": [{"message": "no such book", "path": ["error"]}],
            }
        else:
            answer = {"data": {"hello": "hello"}}
        raw = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def main() -> None:
    module, dsn, mode = sys.argv[1:4]
    sdk = importlib.import_module(module)
    gql_integration = importlib.import_module(f"{module}.integrations.gql")
    sdk.init(
        dsn=dsn,
        release="gql@1",
        send_default_pii=mode != "nopii",
        auto_enabling_integrations=False,  # only what the scenario names
        integrations=[gql_integration.GQLIntegration()],
        # gzip, as tests/receiver.py decodes it (sentry_sdk picks brotli when installed)
        _experiments={"transport_compression_algo": "gzip"},
    )
    from gql import Client, gql
    from gql.transport.exceptions import TransportQueryError
    from gql.transport.requests import RequestsHTTPTransport

    server = ThreadingHTTPServer(("127.0.0.1", 0), GraphQLHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://reader:secret@127.0.0.1:{server.server_port}/graphql?token=abc&v=2"
    client = Client(transport=RequestsHTTPTransport(url=url))
    outcomes = []
    with sdk.isolation_scope():
        try:
            client.execute(gql("query BookQuery($id: ID) { error(id: $id) }"))
            outcomes.append("no error")
        except TransportQueryError:
            outcomes.append("TransportQueryError")
    with sdk.isolation_scope():
        outcomes.append(json.dumps(client.execute(gql("query Greeting { hello }"))))
        sdk.capture_message("after the query")
    sdk.flush(5)
    server.shutdown()
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main()
