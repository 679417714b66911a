"""What the web integrations (WSGI, ASGI and the frameworks on them) share.

``config`` reads their options, ``request_data`` builds the event's ``request``
section, ``request_state`` reports each failure once, ``transactions`` finishes and
names the request's transaction. Everything is built on ``sentry_lite.integration_api``.
"""
