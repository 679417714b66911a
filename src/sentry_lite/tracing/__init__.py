"""Tracing: spans, transactions, sampling and trace propagation."""
