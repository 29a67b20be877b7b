"""Kolada open-data adapter (API v3, cache, offline) and cost benchmarks.

An rfm plugin (``rfm kolada …``) and a Python API other plugins use::

    from rfm_kolada import KoladaClient, benchmark, steg

    with KoladaClient(offline=False) as client:
        print(steg(client, "2380", "ifo", 2012).steg3)      # 44.87… for Östersund (seed 002)

Källa: Kolada. Kolada revises data without notice; every result carries the fetches it used.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rfm_kolada.benchmark import (
        AREAS,
        Benchmark,
        BenchmarkRow,
        Steg,
        benchmark,
        kommungrupp,
        resolve_municipality,
        steg,
    )
    from rfm_kolada.client import Fetch, KoladaClient, MunicipalityGroup
    from rfm_kolada.errors import (
        KoladaError,
        KoladaPagingError,
        KoladaRequestError,
        KoladaUnavailable,
        MissingValue,
        NotInCache,
        UnknownKoladaId,
    )

_MODULES = {
    "benchmark": (
        "AREAS",
        "Benchmark",
        "BenchmarkRow",
        "Steg",
        "benchmark",
        "kommungrupp",
        "resolve_municipality",
        "steg",
    ),
    "client": ("Fetch", "KoladaClient", "MunicipalityGroup"),
    "errors": (
        "KoladaError",
        "KoladaPagingError",
        "KoladaRequestError",
        "KoladaUnavailable",
        "MissingValue",
        "NotInCache",
        "UnknownKoladaId",
    ),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Import a public name on first use: loading the plugin (for ``rfm --help``) stays light."""
    if name not in _WHERE:
        raise AttributeError(f"module 'rfm_kolada' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"rfm_kolada.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AREAS",
    "Benchmark",
    "BenchmarkRow",
    "Fetch",
    "KoladaClient",
    "KoladaError",
    "KoladaPagingError",
    "KoladaRequestError",
    "KoladaUnavailable",
    "MissingValue",
    "MunicipalityGroup",
    "NotInCache",
    "Steg",
    "UnknownKoladaId",
    "__version__",
    "benchmark",
    "kommungrupp",
    "resolve_municipality",
    "steg",
]
