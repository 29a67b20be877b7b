"""Driver for the archive's kill -9 tests (run as a script by test_hardening_processes.py).

It prepares one run, then forks a child per round that creates a fresh archive and stores the
run, and kills it with SIGKILL at a moment spread over the time one such save takes (measured
first). After each kill it checks, in this process: ``runs`` reads the archive (or its absence),
a new save works, and the child's run is there if the child had finished. The forked children
touch only SQLite (the run is prepared before forking: Polars and fork do not mix). ``race``
instead starts two children at once on one new archive: both saves must succeed.

Prints one JSON line per round.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

from rfm.archive import PreparedRun, RunArchive
from rfm.engine import run
from rfm.plugins.manager import PluginHost


def prepared() -> PreparedRun:
    registry = PluginHost().registry
    return PreparedRun.of(run(registry.tenant("exempel"), registry, [2024]))


def child(path: Path, prep: PreparedRun, label: str, go: int | None = None) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            if go is not None:
                os.read(go, 1)  # wait for the starting signal
            RunArchive(path).store(prep, label, {"rfm": "test"})
            os._exit(0)
        except BaseException as exc:
            print(f"child {label}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            os._exit(3)
    return pid


def state(path: Path) -> str:
    if not path.exists():
        return "no file"
    wal = Path(f"{path}-wal")
    return f"{path.stat().st_size} bytes" + (
        f", wal {wal.stat().st_size} bytes" if wal.exists() else ""
    )


def kill_loop(folder: Path, rounds: int) -> None:
    prep = prepared()
    started = time.perf_counter()
    pid = child(folder / "calibration.sqlite", prep, "calibration")
    os.waitpid(pid, 0)
    span = time.perf_counter() - started
    for i in range(rounds):
        path = folder / f"arkiv-{i}.sqlite"
        delay = span * i / max(rounds - 1, 1)
        pid = child(path, prep, "killed")
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status)
        left = state(path)
        record: dict[str, object] = {"round": i, "delay_ms": round(delay * 1000, 2),
                                     "killed": killed, "left": left}  # fmt: skip
        try:
            before = [r.label for r in RunArchive(path).runs()] if path.exists() else []
            RunArchive(path).store(prep, "after", {"rfm": "test"})
            after = [r.label for r in RunArchive(path).runs()]
            record |= {"before": before, "after": after}
        except Exception as exc:  # reported, and the test fails on it
            record["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(record), flush=True)


def race(folder: Path, rounds: int) -> None:
    prep = prepared()
    for i in range(rounds):
        path = folder / f"race-{i}.sqlite"
        read, write = os.pipe()
        pids = [child(path, prep, f"child-{n}", go=read) for n in range(2)]
        os.write(write, b"gg")  # both start at once
        codes = [os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in pids]
        os.close(read)
        os.close(write)
        labels = sorted(r.label for r in RunArchive(path).runs())
        print(json.dumps({"round": i, "codes": codes, "runs": labels}), flush=True)


if __name__ == "__main__":
    mode, folder, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    {"kill": kill_loop, "race": race}[mode](folder, rounds)
