"""The ``sentry-lite`` command: ``serve``, ``demo``, ``tail``, ``run`` and ``send-test-event``.

Only argument parsing and process concerns (exit codes, signals, one-line errors) live
here; the work is done by :mod:`sentry_lite.devserver`. A bad argument is one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
from typing import Any, List, NoReturn, Optional

from sentry_lite.consts import VERSION

__all__ = ["main"]

DEFAULT_URL = "http://127.0.0.1:8969"


def _print(text: str = "", err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except (OSError, ValueError):
        pass  # a closed pipe must not turn into a traceback


def _err(text: str) -> None:
    _print(text, err=True)


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as one line (``sentry-lite serve: --port: ...``)."""

    def error(self, message: str) -> NoReturn:
        _err(f"{self.prog}: {message} (see {self.prog} --help)")
        sys.exit(2)


# -- argument types: each refuses a bad value with a one-line reason -----------------


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535; 0 picks a free one)")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a positive number")
    return value


def _db(text: str) -> str:
    if text == ":memory:":
        return text
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"the folder {folder} does not exist")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a database file")
    return text


def _editor(text: str) -> str:
    from sentry_lite.devserver.editor import EDITORS, editor_template

    if editor_template(text) is None:
        names = ", ".join(sorted(EDITORS))
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither an editor ({names}, none) nor a URL template with {{path}}"
        )
    return text


def _url(text: str) -> str:
    from sentry_lite.devserver.local import split_url

    try:
        host, port = split_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return f"http://{host}:{port}"


def _origin(text: str) -> str:
    if not text.startswith(("http://", "https://")) or text.count("/") != 2:
        raise argparse.ArgumentTypeError(f"{text!r} is not an origin like http://localhost:3000")
    return text


# -- commands -----------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:
    from sentry_lite.devserver import DevServer, StoreError, format_line

    def on_item(received: Any, base_url: str) -> None:
        if not args.quiet:
            _print(format_line(received, base_url))

    def on_refused(status: int, path: str, message: str) -> None:
        if not args.quiet:
            _err(f"refused {status} {path}: {message}")

    try:
        server = DevServer(
            args.host,
            args.port,
            args.db,
            public_keys=args.key,
            max_body=int(args.max_body_mb * 1024 * 1024),
            max_store=int(args.max_store_mb * 1024 * 1024),
            on_item=on_item,
            on_refused=on_refused,
            editor=args.editor,
            allow_origins=args.allow_origin,
        )
    except StoreError as exc:
        _err(f"sentry-lite serve: {exc}")
        return 1
    except (OSError, OverflowError) as exc:
        if getattr(exc, "errno", None) == errno.EADDRINUSE:
            _err(
                f"sentry-lite serve: port {args.port} on {args.host} is already in use "
                "(another `sentry-lite serve` or Spotlight?). Use --port 0 for a free port."
            )
        else:
            _err(f"sentry-lite serve: cannot listen on {args.host}:{args.port}: {exc}")
        return 1
    _print(f"sentry-lite {VERSION} dev server listening on {server.url}")
    _print(f"  viewer   : {server.url}/")
    if server.loopback_only:
        _print(f"  DSN      : {server.dsn()}")
    else:
        _print(f"  DSN      : {server.dsn(public=True)}  (on this machine: {server.dsn()})")
    _print(f"  Spotlight: {server.spotlight_url}  (spotlight=True finds port 8969)")
    _print(f"  storage  : {args.db}")
    if not server.loopback_only:
        _err(
            f"  warning: bound to {args.host}: anyone who can reach this machine can read "
            "and send events"
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

    _stop_on_sigterm()
    return run_demo(
        host=args.host,
        port=args.port,
        db=args.db,
        keep_serving=args.keep_serving,
        out=_print,
    )


def _tail(args: argparse.Namespace) -> int:
    from sentry_lite.devserver.tail import Filter, run_tail

    _stop_on_sigterm()
    types = [t.strip() for chunk in args.type or [] for t in chunk.split(",")]
    keep = Filter(
        types,
        args.level,
        args.grep,
        {
            "release": args.release,
            "environment": args.environment,
            "project": args.project,
            "sdk": args.sdk,
        },
    )
    return run_tail(
        args.url, keep, as_json=args.format == "json", start=not args.no_start, out=_print, err=_err
    )


def _run(args: argparse.Namespace) -> int:
    from sentry_lite.devserver.runner import run_command

    command = list(args.cmd)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        _err("sentry-lite run: no command given (usage: sentry-lite run -- python app.py)")
        return 2
    return run_command(
        command,
        args.url,
        keep_dsn=args.keep_dsn,
        quiet=args.quiet,
        keep_serving=args.keep_serving,
        err=_err,
    )


def _send_test_event(args: argparse.Namespace) -> int:
    from sentry_lite.devserver.probe import send_test_event

    dsn = args.dsn or os.environ.get("SENTRY_DSN")
    if not dsn:
        _err("sentry-lite send-test-event: no DSN: pass --dsn or set SENTRY_DSN")
        return 2
    outcome = send_test_event(
        dsn,
        message=args.message,
        timeout=args.timeout,
        ca_certs=args.ca_certs,
        proxy=args.proxy,
    )
    for line in outcome.lines():
        _print(line)
    return 0 if outcome.ok else 1


# -- the parser ---------------------------------------------------------------------


def _filters(command: argparse.ArgumentParser) -> None:
    from sentry_lite.devserver.tail import LEVELS

    command.add_argument(
        "--type",
        action="append",
        metavar="TYPES",
        help="only these item types, comma separated (error, transaction, log, session...)",
    )
    command.add_argument("--level", choices=LEVELS, help="only this level and above")
    command.add_argument("--grep", metavar="TEXT", help="only items whose title has TEXT")
    for name in ("release", "environment", "project", "sdk"):
        command.add_argument(f"--{name}", metavar=name.upper(), help=f"only this {name}")


def _parser() -> argparse.ArgumentParser:
    from sentry_lite.devserver import DEFAULT_HOST, DEFAULT_PORT
    from sentry_lite.devserver.limits import MAX_BODY_BYTES, MAX_STORED_BYTES

    parser = _Parser(
        prog="sentry-lite",
        description="sentry-lite: local receiver and viewer, terminal tail, diagnostics.",
    )
    parser.add_argument("--version", action="version", version=f"sentry-lite {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    serve = commands.add_parser(
        "serve", help="run the local receiver and web viewer (any Sentry SDK can send to it)"
    )
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help="address to bind (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="0 for any free one (default: %(default)s)"
    )
    serve.add_argument(
        "--db", type=_db, default=":memory:", help="SQLite file to keep data in (default: memory)"
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
        type=_positive,
        default=MAX_BODY_BYTES / 2**20,
        help="largest request body, as sent and decompressed (default: %(default)g)",
    )
    serve.add_argument(
        "--max-store-mb",
        type=_positive,
        default=MAX_STORED_BYTES / 2**20,
        help="bytes of data kept, oldest dropped first (default: %(default)g)",
    )
    serve.add_argument(
        "--editor",
        type=_editor,
        default=os.environ.get("SENTRY_LITE_EDITOR") or "vscode",
        help="open-in-editor links: vscode, cursor, pycharm, idea, sublime, zed, ..., none,"
        " or a URL template with {path} and {line} (default: $SENTRY_LITE_EDITOR or vscode)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        type=_origin,
        metavar="ORIGIN",
        help="also let this web origin read the live stream and API (repeatable)",
    )
    serve.add_argument("--quiet", action="store_true", help="do not print a line per item")
    serve.set_defaults(func=_serve)

    demo = commands.add_parser(
        "demo", help="start the receiver, send an error, a log and a trace to it, show where"
    )
    demo.add_argument("--host", default=DEFAULT_HOST)
    demo.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="(default: %(default)s, or a free one)"
    )
    demo.add_argument("--db", type=_db, default=":memory:")
    keep = demo.add_mutually_exclusive_group()
    keep.add_argument(
        "--keep-serving",
        dest="keep_serving",
        action="store_true",
        default=None,
        help="keep the viewer running after the demo until Ctrl-C (default on a terminal)",
    )
    keep.add_argument(
        "--exit",
        dest="keep_serving",
        action="store_false",
        help="exit once the demo ran, even on a terminal",
    )
    demo.set_defaults(func=_demo)

    tail = commands.add_parser(
        "tail", help="print what a receiver gets, live (starts one if none runs)"
    )
    tail.add_argument("--url", type=_url, default=DEFAULT_URL, help="(default: %(default)s)")
    tail.add_argument("--format", choices=("text", "json"), default="text")
    tail.add_argument("--no-start", action="store_true", help="fail instead of starting a receiver")
    _filters(tail)
    tail.set_defaults(func=_tail)

    run = commands.add_parser(
        "run",
        help="run a command with SENTRY_DSN and SENTRY_SPOTLIGHT pointing at a local receiver",
    )
    run.add_argument("--url", type=_url, default=DEFAULT_URL, help="(default: %(default)s)")
    run.add_argument("--keep-dsn", action="store_true", help="leave a SENTRY_DSN already set alone")
    run.add_argument(
        "--keep-serving", action="store_true", help="keep the receiver up after the command"
    )
    run.add_argument("--quiet", action="store_true", help="do not print a line per item")
    run.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD ...")
    run.set_defaults(func=_run)

    test_event = commands.add_parser(
        "send-test-event", help="send one event to a DSN and report exactly what happened"
    )
    test_event.add_argument("--dsn", default=None, help="the DSN to test (default: $SENTRY_DSN)")
    test_event.add_argument("--message", default="sentry-lite test event")
    test_event.add_argument("--timeout", type=_positive, default=10.0, help="(default: 10)")
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
