"""Helpers for the devserver tests: a `sentry-lite serve` subprocess and a headless
Chromium driven over the DevTools protocol (standard library only)."""
