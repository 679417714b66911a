"""Run one scenario under sentry_sdk or sentry_lite in a fresh interpreter.

Usage: python -m tests.sidebyside <sdk module> <dsn> <scenario>

The scenario code is identical for both SDKs; only the import differs
(``import sentry_lite as sentry_sdk``), which is the drop-in promise.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any, Callable, Dict

SCENARIOS: Dict[str, Callable[[Any], None]] = {}


def scenario(func: Callable[[Any], None]) -> Callable[[Any], None]:
    SCENARIOS[func.__name__] = func
    return func


class ConfigError(Exception):
    pass


def load_config(path: str) -> Dict[str, Any]:
    password = "hunter2"  # noqa: S105 - scrubbed from frame vars
    retries = 3
    try:
        raise FileNotFoundError(path)
    except FileNotFoundError as exc:
        raise ConfigError(f"cannot load {path} after {retries} tries ({len(password)})") from exc


@scenario
def chained_exception(sdk: Any) -> None:
    try:
        load_config("/etc/app.toml")
    except ConfigError:
        sdk.capture_exception()


@scenario
def implicit_context(sdk: Any) -> None:
    try:
        try:
            {}["key"]  # noqa: B018
        except KeyError:
            int("not a number")
    except ValueError as exc:
        sdk.capture_exception(exc)


@scenario
def exception_group(sdk: Any) -> None:
    if sys.version_info < (3, 11):
        sdk.capture_message("no exception groups before 3.11")
        return
    try:
        raise ExceptionGroup(  # noqa: F821
            "many",
            [ValueError("one"), ExceptionGroup("inner", [TypeError("two")])],  # noqa: F821
        )
    except Exception as exc:  # noqa: BLE001
        sdk.capture_exception(exc)


@scenario
def message_with_scope_data(sdk: Any) -> None:
    sdk.set_tag("region", "eu")
    sdk.set_tags({"tier": "gold", "n": 3})
    sdk.set_user({"id": "42", "username": "ada"})
    sdk.set_extra("cart", {"items": [1, 2, 3], "total": 9.5})
    sdk.set_context("app", {"build": "abc", "flags": ["x", "y"]})
    sdk.add_breadcrumb(category="auth", message="logged in", level="info", data={"method": "sso"})
    sdk.add_breadcrumb(category="nav", message="opened cart")
    sdk.capture_message("checkout failed", level="warning", tags={"extra_tag": "v"})


@scenario
def logging_calls(sdk: Any) -> None:
    log = logging.getLogger("shop.orders")
    log.setLevel(logging.INFO)
    log.info("order %s created", 17)
    log.error("payment declined for order %s", 17, extra={"gateway": "acme"})
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        log.exception("could not compute total")


def before_send(event: Dict[str, Any], hint: Dict[str, Any]) -> Any:
    if event.get("message") == "drop me":
        return None
    if "exc_info" in hint and hint["exc_info"][0] is KeyError:
        event.setdefault("tags", {})["edited"] = "yes"
        event["fingerprint"] = ["key-errors"]
    return event


@scenario
def before_send_drop_and_edit(sdk: Any) -> None:
    sdk.capture_message("drop me")
    sdk.capture_message("keep me")
    try:
        {}["missing"]  # noqa: B018
    except KeyError:
        sdk.capture_exception()


class Undeletable:
    def __repr__(self) -> str:
        return "<Undeletable>"

    def __del__(self) -> None:
        raise RuntimeError("cannot clean up")


@scenario
def unraisable_in_del(sdk: Any) -> None:
    """Python cannot raise this one: sys.unraisablehook gets it (the integration is opt-in)."""
    holder = Undeletable()
    del holder


@scenario
def extra_full_of_keys(sdk: Any) -> None:
    """``sys.argv`` comes after the app's extras: cut with them at the databag breadth."""
    with sdk.isolation_scope():
        for n in range(9):
            sdk.set_extra(f"key{n:02d}", n)
        sdk.capture_message("one slot left")
    for n in range(12):
        sdk.set_extra(f"key{n:02d}", n)
    sdk.capture_message("many extras")


@scenario
def argv_denied(sdk: Any) -> None:
    """A denylist naming ``sys.argv`` filters it, with the scrubber's ``_meta`` note."""
    sdk.set_extra("password", "hunter2")
    sdk.capture_message("argv filtered")


INIT_OPTIONS: Dict[str, Dict[str, Any]] = {
    "before_send_drop_and_edit": {"before_send": before_send},
}


NATIVE_BACKTRACE = """Code: 47. DB::Exception: Missing columns: 'x'
0. DB::Exception::Exception(int, bool) @ 0x000000000bfc38a4 in /usr/bin/clickhouse
1. DB::ActionsMatcher::visit(DB::ASTIdentifier const&) @ 0x0000000010b1c648 in /usr/bin/clickhouse
2. start_thread @ 0x0000000000007624
3. ? @ 0x00000000000d162c in /usr/lib/libc.so
(version 23.8.1.2992)"""


@scenario
def native_backtrace_in_message(sdk: Any) -> None:
    """A driver's error carrying the server's GNU backtrace (GnuBacktraceIntegration)."""
    try:
        raise RuntimeError(NATIVE_BACKTRACE)
    except RuntimeError:
        sdk.capture_exception()


def main() -> None:
    module_name, dsn, name = sys.argv[1:4]
    sdk = importlib.import_module(module_name)
    options = {"release": "side@1", "environment": "test", "server_name": "host"}
    options.update(INIT_OPTIONS.get(name, {}))
    if name == "argv_denied":
        scrubber = importlib.import_module(f"{module_name}.scrubber")
        options["event_scrubber"] = scrubber.EventScrubber(denylist=["password", "sys.argv"])
    if name == "unraisable_in_del":
        hook = importlib.import_module(f"{module_name}.integrations.unraisablehook")
        options["integrations"] = [hook.UnraisablehookIntegration()]
    if name == "native_backtrace_in_message":
        gnu = importlib.import_module(f"{module_name}.integrations.gnu_backtrace")
        options["integrations"] = [gnu.GnuBacktraceIntegration()]
    sdk.init(dsn=dsn, **options)
    SCENARIOS[name](sdk)
    sdk.flush(10)


if __name__ == "__main__":
    main()
