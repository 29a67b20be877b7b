"""What the pages show, computed with the engine and cached: runs, comparisons, frames.

Every figure comes from :func:`rfm.engine.run` on the tenant with the what-if as a scenario
(:func:`rfm.serve.whatif.whatif_tenant`), exactly as ``rfm run`` computes a scenario of a
tenant file. Results are cached by everything that decides them (tenant, decided scenario,
changes, years), so twenty people looking at the same what-if cost one run, and a page that
only links to a drill-down costs none.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import attrs
import polars as pl

from rfm.archive import RunArchive
from rfm.engine import RunResult, compare, compare_totals, run
from rfm.errors import ConfigError, RfmError
from rfm.registry import Registry
from rfm.serve.whatif import WHATIF, Change, whatif_tenant
from rfm.tenants.tenant import Tenant

T = TypeVar("T")
MAX_FRAME_YEARS = 3
"""Frame build-ups shown at once (each is a run of two years)."""


@attrs.define
class Served:
    """A tenant the server was started with, and where its saved work goes."""

    tenant: Tenant
    extends: str
    """How a saved scenario file names it: the installed tenant's id, or the file's name."""
    save_folder: Path
    """Where saved scenario files go (the tenant file's folder, or the folder given at start)."""
    archive: Path
    """The tenant's run archive (as ``rfm run --save`` finds it)."""
    years: tuple[int, ...]
    """The budget years shown until a visitor chooses others."""
    config: Path | None = None
    """The tenant file it was read from (None: an installed tenant)."""
    version: int = 0
    """Counts saved scenarios: cached results of an older version are not reused."""


class Cache:
    """A small thread-safe LRU cache of computed results."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                found: T = self._items[key]
                return found
        value = make()  # outside the lock: two threads may compute the same once each
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


@attrs.frozen
class Comparison:
    """The what-if against the decided scenario, another scenario or an archived run."""

    frame: pl.DataFrame
    """model, recipient, year, a, b, diff, diff_share (rfm.engine.compare)."""
    label: str
    scenario: str | None
    """The scenario B is (for links to its drill-down); None for an archived run."""
    run_id: int | None = None
    """The archived run B is (for links to its archived rows)."""


class Computer:
    """Runs, comparisons and frame build-ups of the served tenants, cached."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.cache = Cache()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rfm-serve-frames")

    def prepare(
        self, served: Served, base: str | None, changes: Sequence[Change], years: Sequence[int]
    ) -> RunResult:
        """The what-if's run, with its frame build-ups computed beside it (on another core),
        so the page that follows finds both in the cache."""
        frames = self._pool.submit(self.frames, served, base, changes, years)
        try:
            return self.whatif(served, base, changes, years)
        finally:
            frames.result()

    def whatif(
        self, served: Served, base: str | None, changes: Sequence[Change], years: Sequence[int]
    ) -> RunResult:
        """The what-if's run (the decided scenario itself when there are no changes)."""
        key = ("whatif", served.tenant.id, served.version, base, tuple(changes), tuple(years))

        def make() -> RunResult:
            tenant = whatif_tenant(served.tenant, base, changes)
            return run(tenant, self.registry, years, scenario=WHATIF)

        return self.cache.get(key, make)

    def decided(self, served: Served, scenario: str | None, years: Sequence[int]) -> RunResult:
        key = ("decided", served.tenant.id, served.version, scenario, tuple(years))
        return self.cache.get(
            key, lambda: run(served.tenant, self.registry, years, scenario=scenario)
        )

    def comparison(
        self, served: Served, result: RunResult, base: str | None, against: str
    ) -> Comparison:
        """``result`` against ``against``: ``""`` the decided scenario ``base``,
        ``scenario:NAME`` another scenario, ``run:ID`` an archived run (cached by the result,
        and for a run by the archive's size and time, so a new run in it is seen)."""
        stamp = served.archive.stat().st_mtime_ns if served.archive.is_file() else 0
        key = ("comparison", id(result), served.version, base, against, stamp)
        found = self.cache.get(
            key, lambda: (result, self._comparison(served, result, base, against))
        )
        if found[0] is not result:  # another result that had the same id() before
            found = (result, self._comparison(served, result, base, against))
            self.cache.put(key, found)
        return found[1]

    def _comparison(
        self, served: Served, result: RunResult, base: str | None, against: str
    ) -> Comparison:
        tenant = served.tenant
        years = list(result.years)
        if against.startswith("run:"):
            run_id = _run_id(against)
            store = RunArchive(served.archive)
            store.check_owner(tenant.id)
            decided = store.run(run_id)
            outside = [y for y in years if y not in decided.years]
            if outside:
                raise ConfigError(
                    f"archived run {run_id} holds the years "
                    f"{', '.join(map(str, decided.years))}, not {', '.join(map(str, outside))}; "
                    "compare years the run holds"
                )
            reported = sorted(set(result.lineage["model"].unique().to_list()))
            rows = store.lineage(run_id).filter(
                pl.col("model").is_in(reported) & pl.col("year").is_in(years)
            )
            frame = compare_totals(result.totals(["model", "recipient", "year"]), rows)
            label = f"körning {run_id} ({decided.label or decided.scenario})"
            return Comparison(frame, label, None, run_id)
        name = against.removeprefix("scenario:") if against else base
        other = self.decided(served, name, years)
        return Comparison(compare(result, other), other.scenario.name, other.scenario.name)

    def frames(
        self, served: Served, base: str | None, changes: Sequence[Change], years: Sequence[int]
    ) -> list[tuple[int, Any]]:
        """(year, build-up or the error that says why there is none) for the years whose
        previous frame the tenant's ``[frame]`` data hold (at most :data:`MAX_FRAME_YEARS`)."""
        tenant = served.tenant
        if tenant.frame is None:
            return []
        from rfm.frame_buildup import build_frame

        have = self.frame_years(served)
        chosen = [y for y in years if y - 1 in have][:MAX_FRAME_YEARS]
        key = ("frames", tenant.id, served.version, base, tuple(changes), tuple(chosen))

        def make() -> list[tuple[int, Any]]:
            out: list[tuple[int, Any]] = []
            whatif = whatif_tenant(tenant, base, changes)
            for year in chosen:
                try:
                    out.append((year, build_frame(whatif, self.registry, year, scenario=WHATIF)))
                except RfmError as exc:
                    out.append((year, exc))
            return out

        return self.cache.get(key, make)

    def frame_years(self, served: Served) -> set[int]:
        """The years of last year's frames in the tenant's ``[frame] previous`` dataset."""
        tenant = served.tenant
        assert tenant.frame is not None
        from rfm.engine import load_dataset

        def make() -> set[int]:
            try:
                frame, _ = load_dataset(self.registry, tenant.datasets[tenant.frame.previous])  # type: ignore[union-attr]
            except RfmError:
                return set()
            return set(frame["year"].unique().to_list())

        return self.cache.get(("frame-years", tenant.id), make)


def _run_id(against: str) -> int:
    text = against.removeprefix("run:")
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise ConfigError(f"against: {text!r} is not the number of an archived run")
    return int(text)


def archived_runs(served: Served) -> list[tuple[int, str]]:
    """(id, text) of each run in the tenant's archive; none when there is no archive yet."""
    if not served.archive.is_file():
        return []
    store = RunArchive(served.archive)
    try:
        store.check_owner(served.tenant.id)
        return [
            (r.id, f"körning {r.id}: {r.label or r.scenario} ({', '.join(map(str, r.years))})")
            for r in store.runs()
        ]
    except RfmError:
        return []
