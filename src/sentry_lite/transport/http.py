"""HTTP delivery of envelopes to a Sentry-protocol ingest with urllib3 and certifi."""

from __future__ import annotations

import gzip
import logging
from typing import Any, Callable, Dict, Optional

import certifi
import urllib3

from sentry_lite.consts import USER_AGENT
from sentry_lite.dsn import Dsn
from sentry_lite.envelope import Envelope, Item
from sentry_lite.transport.base import Transport
from sentry_lite.transport.worker import BackgroundWorker

logger = logging.getLogger("sentry_lite.errors")

__all__ = ["HttpTransport"]

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 30.0


class HttpTransport(Transport):
    def __init__(self, options: Dict[str, Any]) -> None:
        super().__init__(options)
        dsn = options["dsn"]
        self.dsn = dsn if isinstance(dsn, Dsn) else Dsn(str(dsn))
        self._url = self.dsn.envelope_url
        self._auth = self.dsn.auth_header(USER_AGENT)
        self._compression = 9 if options.get("_compression_level") is None else int(
            options["_compression_level"]
        )
        self._worker = BackgroundWorker(queue_size=int(options.get("transport_queue_size") or 100))
        self._pool: Optional[urllib3.PoolManager] = None

    def _get_pool(self) -> urllib3.PoolManager:
        if self._pool is None:
            self._pool = urllib3.PoolManager(
                num_pools=2,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.options.get("ca_certs") or certifi.where(),
                timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
                retries=False,
            )
        return self._pool

    def capture_envelope(self, envelope: Envelope) -> None:
        if not self._worker.submit(lambda: self._send(envelope)):
            for item in envelope.items:
                self.record_lost_event("queue_overflow", item=item)

    def _send(self, envelope: Envelope) -> None:
        body = envelope.serialize()
        headers = {
            "Content-Type": "application/x-sentry-envelope",
            "X-Sentry-Auth": self._auth,
            "User-Agent": USER_AGENT,
        }
        if self._compression > 0:
            body = gzip.compress(body, self._compression)
            headers["Content-Encoding"] = "gzip"
        try:
            response = self._get_pool().request(
                "POST", self._url, body=body, headers=headers, preload_content=True
            )
        except Exception as exc:  # noqa: BLE001
            logger.debug("sentry_lite: network error sending envelope: %s", exc)
            self._lost(envelope, "network_error")
            return
        if response.status >= 300:
            logger.debug("sentry_lite: ingest answered %s", response.status)
            self._lost(envelope, "send_error")

    def _lost(self, envelope: Envelope, reason: str) -> None:
        for item in envelope.items:
            self.record_lost_event(reason, item=item)

    def record_lost_event(
        self,
        reason: str,
        data_category: Optional[str] = None,
        item: Optional[Item] = None,
        *,
        quantity: int = 1,
    ) -> None:
        pass

    def flush(
        self, timeout: float, callback: Optional[Callable[[int, float], None]] = None
    ) -> None:
        if timeout <= 0:
            return
        pending = self._worker.pending()
        if pending and callback is not None:
            callback(pending, timeout)
        self._worker.flush(timeout)

    def kill(self) -> None:
        self._worker.kill()
