"""Tests that need several packages at once (run by the `all` tox environment only)."""

from __future__ import annotations

import pytest

from tests.kolada.conftest import kolada, kolada_cli, make_client  # noqa: F401


@pytest.fixture
def kolada_env(kolada, tmp_path, monkeypatch):  # noqa: F811
    """rfm's Kolada calls go to the local server, with a fresh cache."""
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    return kolada
