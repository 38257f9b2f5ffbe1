"""Settings for every test: nothing is downloaded (tests that test downloads serve files locally)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    """Turn jupytorch's downloads off; a test that checks the download path unsets it."""
    monkeypatch.setenv("JUPYTORCH_OFFLINE", "1")
