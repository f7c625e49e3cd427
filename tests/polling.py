"""Waiting for a condition in tests that watch other processes: polled until it holds, with a
generous limit so that a loaded machine only makes a test slower, never fail."""

from __future__ import annotations

import time

PATIENCE = 120.0  # seconds: the most a step may take on a loaded machine (polled, never slept)


def wait_for(condition, what: str, limit: float = PATIENCE, interval: float = 0.05):
    """The first true value of `condition()`; fails naming `what` after `limit` seconds."""
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"gave up after {limit:g} s waiting for {what}"
        time.sleep(interval)
