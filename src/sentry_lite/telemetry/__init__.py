"""Attribute-based telemetry (Sentry Logs, trace metrics) and the batchers that send it.

Items are kept as the small dicts sentry_sdk's ``before_send_log``/``before_send_metric``
see; they are turned into their wire form (typed attributes, ``version: 2`` containers)
on the batcher's thread, never on the app thread.
"""
