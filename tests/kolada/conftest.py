"""Fixtures: a local Kolada-shaped server, clients and CLI calls pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from rfm_kolada import KoladaClient
from tests.kolada.server import KoladaState, serve


@pytest.fixture
def kolada() -> Iterator[KoladaState]:
    yield from serve()


@pytest.fixture
def make_client(kolada: KoladaState, tmp_path: Path) -> Callable[..., KoladaClient]:
    """A client of the local server with its own cache; fast (50 requests/s, short backoff)."""

    def make(**options: object) -> KoladaClient:
        settings: dict[str, object] = {
            "cache_dir": tmp_path / "cache",
            "max_per_second": 50.0,
            "backoff": 0.05,
            "timeout": 5.0,
        }
        settings.update(options)
        return KoladaClient(kolada.base_url, **settings)  # type: ignore[arg-type]

    return make


@pytest.fixture
def kolada_cli(rfm_cli, kolada: KoladaState, tmp_path: Path) -> Callable[..., Result]:
    """``rfm kolada --base-url <local> --cache-dir <tmp> ARGS…``."""

    def invoke(*args: str, offline: bool = False) -> Result:
        head = ["kolada", "--base-url", kolada.base_url, "--cache-dir", str(tmp_path / "rfm-cache")]
        return rfm_cli(*head, *(["--offline"] if offline else []), *args)

    return invoke
