"""The ``sentry-lite`` command: ``serve``, ``demo`` and ``send-test-event``.

Only argument parsing and process concerns (exit codes, signals) live here; the work is
done by :mod:`sentry_lite.devserver`.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
from typing import Any, List, Optional

from sentry_lite.consts import VERSION

__all__ = ["main"]


def _print(text: str = "", err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        pass  # a closed pipe must not turn into a traceback


def _serve(args: argparse.Namespace) -> int:
    from sentry_lite.devserver import DevServer, format_line

    def on_item(received: Any, base_url: str) -> None:
        if not args.quiet:
            _print(format_line(received, base_url))

    def on_refused(status: int, path: str, message: str) -> None:
        if not args.quiet:
            _print(f"refused {status} {path}: {message}", err=True)

    try:
        server = DevServer(
            args.host,
            args.port,
            args.db,
            public_keys=args.key,
            max_body=int(args.max_body_mb * 1024 * 1024),
            on_item=on_item,
            on_refused=on_refused,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _print(
                f"sentry-lite: port {args.port} on {args.host} is already in use "
                "(another `sentry-lite serve` or Spotlight?). Use --port 0 for a free port.",
                err=True,
            )
        else:
            _print(f"sentry-lite: cannot listen on {args.host}:{args.port}: {exc}", err=True)
        return 1
    _print(f"sentry-lite {VERSION} dev server listening on {server.url}")
    _print(f"  viewer : {server.url}/")
    _print(f"  DSN    : {server.dsn()}")
    _print(f"  storage: {args.db}")
    if not server.loopback_only:
        _print(
            f"  warning: bound to {args.host}: anyone who can reach this machine can read "
            "and send events",
            err=True,
        )
    _print("Waiting for events (Ctrl-C to stop)...")
    _stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    _print("sentry-lite dev server stopped")
    return 0


def _stop_on_sigterm() -> None:
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # not the main thread, or an exotic platform
        pass


def _demo(args: argparse.Namespace) -> int:
    from sentry_lite.devserver.demo import run_demo

    if args.keep_serving:
        _stop_on_sigterm()
    return run_demo(
        host=args.host,
        port=args.port,
        db=args.db,
        keep_serving=args.keep_serving,
        out=_print,
    )


def _send_test_event(args: argparse.Namespace) -> int:
    from sentry_lite.devserver.probe import send_test_event

    outcome = send_test_event(
        args.dsn,
        message=args.message,
        timeout=args.timeout,
        ca_certs=args.ca_certs,
        proxy=args.proxy,
    )
    for line in outcome.lines():
        _print(line)
    return 0 if outcome.ok else 1


def _parser() -> argparse.ArgumentParser:
    from sentry_lite.devserver import DEFAULT_HOST, DEFAULT_PORT

    parser = argparse.ArgumentParser(
        prog="sentry-lite", description="sentry-lite: local receiver, viewer and diagnostics."
    )
    parser.add_argument("--version", action="version", version=f"sentry-lite {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="run the local receiver and web viewer (any Sentry SDK can send to it)"
    )
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)"
    )
    serve.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port, 0 for any free one (default: %(default)s)",
    )
    serve.add_argument(
        "--db", default=":memory:", help="SQLite file to keep events in (default: %(default)s)"
    )
    serve.add_argument(
        "--key",
        action="append",
        default=None,
        metavar="PUBLIC_KEY",
        help="accept only this DSN public key (repeatable; default: any key)",
    )
    serve.add_argument(
        "--max-body-mb",
        type=float,
        default=20.0,
        help="largest request body (default: %(default)s)",
    )
    serve.add_argument("--quiet", action="store_true", help="do not print a line per item")
    serve.set_defaults(func=_serve)

    demo = commands.add_parser(
        "demo", help="start the receiver, send an error, a log and a trace to it, show where"
    )
    demo.add_argument("--host", default=DEFAULT_HOST)
    demo.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port (default: %(default)s, or a free one if that is taken)",
    )
    demo.add_argument("--db", default=":memory:")
    demo.add_argument(
        "--keep-serving",
        action="store_true",
        help="keep the viewer running after the demo (Ctrl-C to stop)",
    )
    demo.set_defaults(func=_demo)

    test_event = commands.add_parser(
        "send-test-event", help="send one event to a DSN and report exactly what happened"
    )
    test_event.add_argument("--dsn", required=True, help="the DSN to test")
    test_event.add_argument("--message", default="sentry-lite test event")
    test_event.add_argument("--timeout", type=float, default=10.0, help="seconds (default: 10)")
    test_event.add_argument("--ca-certs", default=None, help="CA bundle (default: certifi's)")
    test_event.add_argument(
        "--proxy", default=None, help="proxy URL (default: HTTPS_PROXY / HTTP_PROXY)"
    )
    test_event.set_defaults(func=_send_test_event)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
