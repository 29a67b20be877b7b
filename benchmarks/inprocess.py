"""W1 and W2 in one warm process: rfm's engine and the direct-Polars reference in turn.

``uv run python benchmarks/inprocess.py FOLDER [w1|w2 …]`` (FOLDER: workloads made by
``benchmarks/workloads.py FOLDER``) runs ``rfm.run`` and ``direct.w1``/``direct.w2`` eight times
each, alternately, and prints the best and the median of the last seven and their ratios. Warm
(imports done, Polars' threads started), paired and in one process, it is the steadiest view of
what separates the two programs' work; ``benchmarks/run.py`` measures fresh processes, as a user
meets them. A tool for developers: its figures are not the issue's targets.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import direct

import rfm
from rfm.plugins import PluginHost


def main() -> None:
    folder = Path(sys.argv[1])
    registry = PluginHost().registry
    for name in sys.argv[2:] or ["w1", "w2"]:
        tenant = rfm.load_tenant_file(folder / name / f"{name}.toml", registry)
        reference = direct.w1 if name == "w1" else direct.w2
        ours, theirs = [], []
        for _ in range(8):
            start = time.perf_counter()
            rfm.run(tenant, registry, range(2024, 2041))
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            reference(folder / name)
            theirs.append(time.perf_counter() - start)
        ours, theirs = ours[1:], theirs[1:]
        print(
            f"{name}: rfm best {min(ours):.3f} s, median {statistics.median(ours):.3f} s; "
            f"direct Polars best {min(theirs):.3f} s, median {statistics.median(theirs):.3f} s; "
            f"ratio of the bests {min(ours) / min(theirs):.2f}, of the medians "
            f"{statistics.median(ours) / statistics.median(theirs):.2f}"
        )


if __name__ == "__main__":
    main()
