"""The answers of the privacy predicate (``integration_api.may_collect``).

Each data or queue integration asks in exactly one function (``argument_values`` in
Redis, ``_task_arguments`` in Celery, ``_job_arguments`` in RQ, ``_may_send_params``
in SQLAlchemy, :func:`add_task_arguments` here for arq and huey), so a privacy setting
changes one place per integration.
"""

from __future__ import annotations

from typing import Any, Dict

from sentry_lite.integration_api import FILTER, FILTERED, OMIT, SEND, may_collect

__all__ = ["FILTER", "OMIT", "SEND", "add_task_arguments"]


def add_task_arguments(job: Dict[str, Any], args: Any, kwargs: Any) -> None:
    """A queued job's ``args``/``kwargs`` into its ``extra`` entry (``arq-job``,
    ``huey-job``), as ``data_collection.queues`` (or ``send_default_pii``) allows:
    sent, ``[Filtered]``, or left out."""
    values = may_collect("queues")
    if values == SEND:
        job["args"] = args
        job["kwargs"] = kwargs
    elif values == FILTER:
        job["args"] = FILTERED
        job["kwargs"] = FILTERED
