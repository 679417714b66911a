"""What one AWS API call is: service, operation, region, endpoint, read off the client."""

from __future__ import annotations

from typing import Any, Optional

__all__ = ["AwsCall"]


class AwsCall:
    """The client's metadata for one ``_make_api_call``; a part it cannot read stays None
    (the span is named ``aws.unknown.<Operation>`` then)."""

    __slots__ = (
        "endpoint_url",
        "operation_name",
        "region_name",
        "service_id",
        "service_name",
        "service_slug",
    )

    def __init__(self, client: Any, operation_name: str) -> None:
        self.operation_name = operation_name
        self.service_name: Optional[str] = None  # botocore's: "s3", "bedrock-runtime"
        self.service_id: Optional[str] = None  # the modeled name: "S3", "API Gateway"
        self.service_slug: Optional[str] = None  # hyphenized: "s3", "api-gateway"
        self.region_name: Optional[str] = None
        self.endpoint_url: Optional[str] = None
        meta = getattr(client, "meta", None)
        try:
            service_model = meta.service_model  # type: ignore[union-attr]
            self.service_name = service_model.service_name
            service_id = service_model.service_id
            self.service_id = str(service_id)
            self.service_slug = service_id.hyphenize()
        except Exception:  # noqa: BLE001 - a partial name is better than no span
            pass
        self.region_name = getattr(meta, "region_name", None)
        self.endpoint_url = getattr(meta, "endpoint_url", None)

    @property
    def span_name(self) -> str:
        return f"aws.{self.service_slug or 'unknown'}.{self.operation_name}"
