"""A small Django project for the integration tests (settings, urls, views, a model)."""
