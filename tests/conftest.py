"""Shared test helpers. Plugin-author fixtures (rfm_cli, rfm_registry, tenant_file) come from
rfm.testing through its pytest11 entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir() -> Path:
    return DATA


# Hypothesis: no per-example deadline (CI machines vary); a fixed number of examples per test.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", max_examples=150, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "dev"))
