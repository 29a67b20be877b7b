"""The recompute round trip of ``rfm serve`` for Vaggeryd: change a rate, see every amount anew.

    uv run python benchmarks/serve_roundtrip.py              # 20 round trips (target: 300 ms)
    uv run python benchmarks/serve_roundtrip.py --repeat 50

Starts the real server (``rfm serve vaggeryd --port 0``, Vaggeryd's years 2023–2030) and, as a
browser does, posts one change of a dated parameter (the IFO uplift, a new value each time, so
no result comes from the cache) and follows the redirect to the recomputed page: the what-if
run, the comparison with the decided scenario, the frame build-up and the report's charts, the
whole page in Swedish. It prints the median, fastest and slowest round trip and the time to the
first page. The figures are reported, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

TARGET_MS = 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="round trips measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rfm-serve-bench-") as folder:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rfm", "serve", "vaggeryd", "--port", "0", "--save-to", folder],
            cwd=folder,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "RFM_ARCHIVE": str(Path(folder) / "arkiv.sqlite")},
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            found = re.search(r"http://\S+", line)
            if not found:
                print(f"rfm serve did not start: {line!r}", file=sys.stderr)
                return 1
            url = found.group(0)
            with httpx.Client(base_url=url, timeout=120, follow_redirects=True) as client:
                start = time.perf_counter()
                page = client.get("/t/vaggeryd/vad-om")
                first = time.perf_counter() - start
                page.raise_for_status()
                token = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert token is not None
                times = []
                for i in range(args.repeat + 1):
                    form = {
                        "csrf": token.group(1),
                        "action": "change",
                        "parameter": "ifo.uplift",
                        "first": "2025",
                        "mode": "set",
                        "value": f"0,{10 + i:02d}",  # a new value each time: nothing cached
                    }
                    start = time.perf_counter()
                    answer = client.post("/t/vaggeryd/vad-om", data=form)
                    elapsed = time.perf_counter() - start
                    answer.raise_for_status()
                    assert 'id="belopp"' in answer.text and 'class="error"' not in answer.text
                    if i:  # the first is a warm-up
                        times.append(elapsed)
                    remove = {"csrf": token.group(1), "action": "reset"}
                    client.post("/t/vaggeryd/vad-om", data=remove).raise_for_status()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    ms = sorted(t * 1000 for t in times)
    median = statistics.median(ms)
    print(f"rfm serve, Vaggeryd 2023–2030, {len(ms)} round trips (change → recomputed page)")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"  first page:  {first * 1000:7.0f} ms (loads data, runs the decided scenario)")
    print(
        f"  median:      {median:7.0f} ms   (target {TARGET_MS} ms: {'met' if median <= TARGET_MS else 'NOT met'})"
    )
    print(f"  fastest:     {ms[0]:7.0f} ms")
    print(f"  slowest:     {ms[-1]:7.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
