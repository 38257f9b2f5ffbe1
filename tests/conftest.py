"""Settings for every test: nothing is downloaded (tests that test downloads serve files locally)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _offline():
    """Turn jupytorch's downloads off for the whole session (session fixtures build tasks too);
    a test that checks the download path unsets it with its own monkeypatch."""
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTORCH_OFFLINE", "1")
    yield
    patch.undo()
