"""Kolada open-data adapter (API v3, cache, offline) and cost benchmarks.

An rfm plugin (``rfm kolada …``) and a Python API other plugins use::

    from rfm_kolada import KoladaClient, benchmark, steg

    with KoladaClient(offline=False) as client:
        print(steg(client, "2380", "ifo", 2012).steg3)      # 44.87… for Östersund (seed 002)

Källa: Kolada. Kolada revises data without notice; every result carries the fetches it used.
"""

from __future__ import annotations

__version__ = "0.1.0"

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
