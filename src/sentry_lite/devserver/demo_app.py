"""A tiny shop that fails, logs and traces: the app ``sentry-lite demo`` runs.

``sentry-lite demo`` loads this file as the module ``shop`` (not as part of
``sentry_lite``, whose own frames are hidden from stack traces), so its frames show up
in-app with their source and local variables.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any, Dict

log = logging.getLogger("shop.checkout")

PRICES = {"apple": 0.5, "pear": 0.75, "bread": 2.2}


def price_of(cart: Dict[str, int]) -> float:
    total = 0.0
    for item, quantity in cart.items():
        unit_price = PRICES[item]  # "durian" is not on the price list: KeyError
        total += unit_price * quantity
    return total


def checkout(cart: Dict[str, int], customer: Dict[str, str]) -> float:
    try:
        return price_of(cart)
    except KeyError as exc:
        raise ValueError(
            f"cannot price the cart of {customer['name']}: unknown item {exc}"
        ) from exc


def _span(sdk: Any, op: str, description: str) -> Any:
    """A tracing span when the SDK has tracing, a no-op context otherwise."""
    start_span = getattr(sdk, "start_span", None)
    if start_span is None:
        return contextlib.nullcontext()
    try:
        return start_span(op=op, description=description)
    except Exception:
        return contextlib.nullcontext()


def _transaction(sdk: Any, name: str) -> Any:
    start_transaction = getattr(sdk, "start_transaction", None)
    if start_transaction is None:
        return contextlib.nullcontext()
    try:
        return start_transaction(op="task", name=name)
    except Exception:
        return contextlib.nullcontext()


def run(sdk: Any) -> None:
    """Do one checkout with ``sdk`` (the ``sentry_lite`` module, or ``sentry_sdk``)."""
    customer = {"id": "42", "name": "Ada"}
    sdk.set_user({"id": customer["id"], "username": customer["name"]})
    sdk.set_tag("shop.region", "eu-west")
    sdk.add_breadcrumb(category="ui.click", message="clicked 'Pay now'", level="info")
    with _transaction(sdk, "shop.checkout"):
        with _span(sdk, "db.query", "SELECT item, quantity FROM carts WHERE id = 7"):
            time.sleep(0.02)  # stands in for the database round trip
            cart = {"apple": 3, "bread": 1, "durian": 1}
        log.warning("stock is low for %s", "apple")  # becomes a breadcrumb
        try:
            with _span(sdk, "function", "checkout"):
                checkout(cart, customer)
        except ValueError:
            sdk.capture_exception()
        with _span(sdk, "http.client", "POST https://payments.example/charge"):
            time.sleep(0.05)  # stands in for a slow payment provider
            log.error("payment provider timed out after %d ms", 3000)  # becomes an event
