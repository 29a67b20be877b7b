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
from hypothesis import HealthCheck, settings  # noqa: E402

# The tenant_file fixture rewrites every file on each call, so sharing it across examples is safe.
_SHARED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, suppress_health_check=_SHARED
)
settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=_SHARED)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "dev"))
