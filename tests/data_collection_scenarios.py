"""Run one ``data_collection`` scenario under sentry_sdk or sentry_lite, in a fresh
interpreter: a real Flask or Starlette app fails on a request carrying headers, cookies,
a query string and a JSON body; the receiver sees what each SDK collected.

Usage: python -m tests.data_collection_scenarios <sdk module> <dsn> <framework> <case>
"""

from __future__ import annotations

import importlib
import sys
import warnings
from typing import Any, Dict

CASES: Dict[str, Dict[str, Any]] = {
    "legacy_no_pii": {},
    "legacy_pii": {"send_default_pii": True},
    "defaults": {"data_collection": {}},
    "allowlist": {
        "data_collection": {
            "http_headers": {"request": {"mode": "allowlist", "terms": ["custom"]}},
            "url_query_params": {"mode": "allowlist", "terms": ["toy"]},
            "cookies": {"mode": "allowlist", "terms": ["flavour"]},
        }
    },
    "denylist_terms": {
        "data_collection": {
            "http_headers": {"request": {"mode": "denylist", "terms": ["custom"]}},
            "url_query_params": {"mode": "denylist", "terms": ["toy"]},
            "cookies": {"mode": "denylist", "terms": ["flavour"]},
        }
    },
    "all_off": {
        "data_collection": {
            "user_info": False,
            "http_headers": {"request": {"mode": "off"}},
            "url_query_params": {"mode": "off"},
            "cookies": {"mode": "off"},
            "http_bodies": [],
        }
    },
    "wins_over_pii": {"send_default_pii": True, "data_collection": {"user_info": False}},
    # not a data_collection case: a multipart form (with a file) as the request body
    "multipart": {"max_request_body_size": "always"},
}
MULTIPART = (
    b'--fd72\r\nContent-Disposition: form-data; name="username"\r\n\r\nJane\r\n'
    b'--fd72\r\nContent-Disposition: form-data; name="password"\r\n\r\nhello123\r\n'
    b'--fd72\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n'
    b"Content-Type: image/jpg\r\n\r\nAAAA\r\n--fd72--\r\n"
)
MULTIPART_TYPE = "multipart/form-data; boundary=fd72"

URL = "/fail?toy=ball&color=red&auth=secret"
HEADERS = {
    "X-Custom-Header": "passthrough",
    "X-Forwarded-For": "1.2.3.4",
    "Authorization": "Bearer abc",
    "Cookie": "flavour=choc; sessionid=s3cret; theme=dark",
}
BODY = {"name": "rex", "password": "hunter2"}


def flask_request(case: str) -> None:
    from flask import Flask, request

    app = Flask("dc")

    @app.route("/fail", methods=["POST"])
    def fail() -> str:
        if case == "multipart":
            request.form  # noqa: B018
        else:
            request.get_json()
        raise ZeroDivisionError("boom")

    client = app.test_client()
    if case == "multipart":
        client.post(URL, data=MULTIPART, headers={"Content-Type": MULTIPART_TYPE})
        return
    client.post(URL, json=BODY, headers=HEADERS, environ_base={"REMOTE_ADDR": "10.0.0.9"})


def starlette_request(case: str) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.routing import Route
    from starlette.testclient import TestClient

    async def fail(request: Request) -> Any:
        if case == "multipart":
            await request.form()
        else:
            await request.json()
        raise ZeroDivisionError("boom")

    app = Starlette(routes=[Route("/fail", fail, methods=["POST"])])
    client = TestClient(app, raise_server_exceptions=False)
    if case == "multipart":
        client.post(URL, content=MULTIPART, headers={"Content-Type": MULTIPART_TYPE})
        return
    client.post(URL, json=BODY, headers=HEADERS)


def main() -> None:
    module_name, dsn, framework, case = sys.argv[1:5]
    sdk = importlib.import_module(module_name)
    integrations = importlib.import_module(f"{module_name}.integrations.{framework}")
    integration = getattr(integrations, f"{framework.capitalize()}Integration")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sdk.init(dsn=dsn, integrations=[integration()], **CASES[case])
    try:
        (flask_request if framework == "flask" else starlette_request)(case)
    except ZeroDivisionError:
        pass
    sdk.flush(10)


if __name__ == "__main__":
    main()
