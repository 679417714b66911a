"""The answers an integration's "may I send this value?" helper gives.

Each data or queue integration asks in exactly one function (``argument_values`` in
Redis, ``_task_arguments`` in Celery, ``_job_arguments`` in RQ, ``_may_send_params``
in SQLAlchemy), so a finer privacy setting changes one place per integration.
"""

from __future__ import annotations

__all__ = ["FILTER", "OMIT", "SEND"]

SEND = "send"
"""Send the value itself."""
FILTER = "filter"
"""Send ``[Filtered]`` in its place (sentry_sdk without ``send_default_pii``)."""
OMIT = "omit"
"""Leave the field out (sentry_sdk's ``data_collection`` switched off for it)."""
