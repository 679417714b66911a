"""The viewer's pages, one module per page; :mod:`sentry_lite.devserver.routes` maps
URLs to them."""
