"""Shared by the tests that open rfm's outputs in LibreOffice and Chromium."""

from __future__ import annotations

import pytest

import rfm


@pytest.fixture(scope="module")
def registry() -> rfm.Registry:
    """Every installed plugin's tenants (Vaggeryd, Stockholm, Östersund), loaded once."""
    return rfm.PluginHost().registry
