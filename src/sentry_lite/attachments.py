"""File attachments added to a scope and sent as envelope items with the event."""

from __future__ import annotations

import mimetypes
import os
from typing import Callable, Optional, Union

from sentry_lite.envelope import Item
from sentry_lite.sdk_loggers import logger

__all__ = ["Attachment"]


class Attachment:
    def __init__(
        self,
        bytes: Optional[Union[bytes, Callable[[], bytes]]] = None,  # noqa: A002
        filename: Optional[str] = None,
        path: Optional[str] = None,
        content_type: Optional[str] = None,
        add_to_transactions: bool = False,
    ) -> None:
        if bytes is None and path is None:
            raise TypeError("path or raw bytes required for attachment")
        if filename is None and path is not None:
            filename = os.path.basename(path)
        if filename is None:
            raise TypeError("filename is required for attachment")
        if content_type is None:
            content_type = mimetypes.guess_type(filename)[0]
        self.bytes = bytes
        self.filename = filename
        self.path = path
        self.content_type = content_type
        self.add_to_transactions = add_to_transactions

    def to_item(self) -> Item:
        """Read the data now (on the worker) and build the envelope item."""
        payload = self.bytes
        try:
            if payload is None:
                assert self.path is not None
                with open(self.path, "rb") as fh:
                    payload = fh.read()
            elif callable(payload):
                payload = payload()
        except Exception:  # noqa: BLE001 - as sentry_sdk: the item stays, empty
            logger.warning(
                "sentry_lite: could not read attachment %r", self.filename, exc_info=True
            )
            payload = b""
        headers = {"filename": self.filename, "attachment_type": "event.attachment"}
        if self.content_type:
            headers["content_type"] = self.content_type
        return Item(payload, "attachment", headers)
