"""The W3C ``baggage`` header and the Sentry items in it (the dynamic sampling context).

Sentry items (``sentry-trace_id=...``, ``sentry-sample_rand=...``) travel with the trace
so every service samples it alike; other vendors' items are passed through untouched.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

__all__ = ["SENTRY_PREFIX", "Baggage"]

SENTRY_PREFIX = "sentry-"


class Baggage:
    """The W3C ``baggage`` header split into Sentry items (the DSC) and everything else.

    A baggage is *frozen* (``mutable=False``) once it carries Sentry items: the head of
    the trace decided them, and downstream services must pass them on unchanged.
    """

    __slots__ = ("mutable", "sentry_items", "third_party_items")

    def __init__(
        self, sentry_items: Dict[str, str], third_party_items: str = "", mutable: bool = True
    ) -> None:
        self.sentry_items = sentry_items
        self.third_party_items = third_party_items
        self.mutable = mutable

    @classmethod
    def from_incoming_header(cls, header: Optional[str]) -> Baggage:
        sentry_items: Dict[str, str] = {}
        third_party = []
        mutable = True
        for raw in (header or "").split(","):
            item = raw.strip()
            if "=" not in item:
                continue
            key, _, value = item.partition("=")
            key = key.strip()
            if key.startswith(SENTRY_PREFIX):
                # urllib.parse (with ipaddress) costs ~3 ms of `import sentry_lite`;
                # only a request that carries baggage needs it.
                from urllib.parse import unquote

                try:
                    sentry_items[unquote(key[len(SENTRY_PREFIX) :])] = unquote(value.strip())
                except Exception:
                    continue
                mutable = False
            else:
                third_party.append(item)
        return cls(sentry_items, ",".join(third_party), mutable)

    def freeze(self) -> None:
        self.mutable = False

    def dynamic_sampling_context(self) -> Dict[str, str]:
        return dict(self.sentry_items)

    def serialize(self, include_third_party: bool = False) -> str:
        from urllib.parse import quote  # loaded on first use, as in ``from_incoming_header``

        items = [
            SENTRY_PREFIX + quote(key) + "=" + quote(str(value))
            for key, value in self.sentry_items.items()
        ]
        if include_third_party and self.third_party_items:
            items.append(self.third_party_items)
        return ",".join(items)

    @staticmethod
    def strip_sentry_baggage(header: str) -> str:
        return ",".join(
            item for item in header.split(",") if not item.strip().startswith(SENTRY_PREFIX)
        )

    def sample_rand(self) -> Optional[float]:
        """The incoming ``sample_rand`` if it is a number in [0, 1)."""
        value = _to_float(self.sentry_items.get("sample_rand"))
        return value if value is not None and 0.0 <= value < 1.0 else None

    def sample_rate(self) -> Optional[float]:
        return _to_float(self.sentry_items.get("sample_rate"))

    def __repr__(self) -> str:
        return f'<Baggage "{self.serialize(include_third_party=True)}", mutable={self.mutable}>'


def _to_float(value: Any) -> Optional[float]:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
