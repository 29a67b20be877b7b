"""Shared test helpers. Plugin-author fixtures (rfm_cli, rfm_registry, tenant_file) come from
rfm.testing through its pytest11 entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA
