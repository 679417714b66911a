"""Turning Python state (exceptions, frames, arbitrary objects) into event data."""
