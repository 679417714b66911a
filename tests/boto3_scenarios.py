"""AWS API calls through boto3 under sentry_sdk or sentry_lite, in a fresh interpreter.

Usage: python -m tests.boto3_scenarios <sdk module> <dsn> <scenario>

Each scenario makes the same S3, DynamoDB and Bedrock calls (a listing, an object read
to its end, one closed half-read, a missing key, a retried HEAD, a DynamoDB listing with
the app's own baggage, a DynamoDB service error, a Bedrock ``converse``, a refused
endpoint) against the local AWS stand-in (``tests.aws_upstream``) with fake credentials,
and prints as JSON what that server received. Only the import differs between the runs.
"""

from __future__ import annotations

import importlib
import json
import socket
import sys
import types
from typing import Any, Dict, List

from tests.aws_upstream import start_aws_upstream

RECEIVED: List[Dict[str, Any]] = []

SCENARIOS: Dict[str, Dict[str, Any]] = {
    "transaction": {"traces_sample_rate": 1.0},
    "unsampled": {"traces_sample_rate": 0.0},
    "no_tracing": {},
    "no_parent": {"traces_sample_rate": 1.0},
    "streaming": {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"},
    "streaming_pii": {
        "traces_sample_rate": 1.0,
        "trace_lifecycle": "stream",
        "send_default_pii": True,
    },
    "streaming_no_parent": {"traces_sample_rate": 1.0, "trace_lifecycle": "stream"},
    "no_targets": {"traces_sample_rate": 1.0, "trace_propagation_targets": ["example.org"]},
    "without_boto3": {"traces_sample_rate": 1.0},  # the stdlib integration alone
}


def refused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: nothing listens there


def calls(port: int) -> None:
    import boto3
    import botocore.endpoint
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    # no back-off sleep before the retry (botocore.endpoint sleeps through its `time`)
    botocore.endpoint.time = types.SimpleNamespace(sleep=lambda seconds: None)  # type: ignore[attr-defined]
    session = boto3.Session(
        aws_access_key_id="test-key", aws_secret_access_key="test-secret", region_name="eu-north-1"
    )
    config = Config(
        s3={"addressing_style": "path"}, retries={"total_max_attempts": 2, "mode": "standard"}
    )
    endpoint = f"http://127.0.0.1:{port}"
    s3 = session.client("s3", endpoint_url=endpoint, config=config)
    s3.list_objects_v2(Bucket="bucket", Prefix="foo")
    assert s3.get_object(Bucket="bucket", Key="foo.txt")["Body"].read() == b"hello, world"
    body = s3.get_object(Bucket="bucket", Key="foo.bin")["Body"]
    body.read(2)
    body.close()
    try:
        s3.get_object(Bucket="bucket", Key="missing.txt")
    except ClientError:
        pass
    s3.head_object(Bucket="bucket", Key="flaky.txt")

    dynamodb = session.client("dynamodb", endpoint_url=endpoint, config=config)

    def app_baggage(request: Any, **kwargs: Any) -> None:
        request.headers.add_header("baggage", "vendor=1,sentry-release=stale")

    dynamodb.meta.events.register("before-sign", app_baggage)
    dynamodb.list_tables()
    try:
        dynamodb.describe_table(TableName="nope")
    except ClientError:
        pass

    bedrock = session.client("bedrock-runtime", endpoint_url=endpoint, config=config)
    bedrock.converse(
        modelId="anthropic.claude-3-haiku",
        system=[{"text": "Be brief."}],
        messages=[{"role": "user", "content": [{"text": "Hello"}]}],
        inferenceConfig={"maxTokens": 20, "temperature": 0.5},
    )

    once = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=2)
    down = session.client("sqs", endpoint_url=f"http://127.0.0.1:{refused_port()}", config=once)
    try:
        down.list_queues()
    except BotoCoreError:
        pass


def main() -> None:
    module, dsn, name = sys.argv[1:4]
    sdk = importlib.import_module(module)
    options: Dict[str, Any] = dict(SCENARIOS[name])
    # gzip: sentry_sdk would send brotli when the module is installed (the receiver reads gzip)
    experiments = {"transport_compression_algo": "gzip"}
    # Only boto3 and the defaults: sentry_sdk would import every library it can instrument.
    options["auto_enabling_integrations"] = False
    if name != "without_boto3":
        boto3_module = importlib.import_module(f"{module}.integrations.boto3")
        options["integrations"] = [boto3_module.Boto3Integration()]
    sdk.init(dsn=dsn, release="boto3@1", server_name="host", _experiments=experiments, **options)
    server = start_aws_upstream(RECEIVED)
    if options.get("trace_lifecycle") == "stream" and name != "streaming_no_parent":
        with sdk.traces.start_span(name="job"):
            calls(server.server_port)
    elif "traces_sample_rate" in options and not name.endswith("no_parent"):
        with sdk.start_transaction(name="job", op="task"):
            calls(server.server_port)
    else:
        calls(server.server_port)
    sdk.capture_message("after the calls")  # carries the breadcrumbs
    sdk.flush(5)
    server.shutdown()
    print(json.dumps(RECEIVED))


if __name__ == "__main__":
    main()
