"""The benchmark workloads are reproducible and real-based; a quick run of each workload works.

Timings are never asserted here (docs/performance.md records them); the smoke run checks that
every figure is printed and that rfm and the pure-Python baseline give the same amounts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import workloads  # noqa: E402


def test_single_ages_keep_the_real_totals_and_groups():
    totals = workloads.totals()
    groups = workloads.adult_groups()
    assert len(groups) == 290
    ages = workloads.single_ages(totals["0665"][2020], groups["0665"])
    assert sum(ages) == pytest.approx(14532)  # Vaggeryd, 31 Dec 2020 (SCB)
    assert sum(ages[80:90]) == pytest.approx(599)  # Vaggeryd 80–89 (README of the source)
    assert sum(ages[90:]) == pytest.approx(140)
    assert len(ages) == 101 and min(ages) > 0


def test_the_projection_follows_each_kommuns_own_trend():
    population = workloads.municipal_population(3)
    totals = workloads.totals()
    for code, years in population.items():
        growth = (totals[code][2020] / totals[code][2015]) ** 0.2
        assert sum(years[2030]) == pytest.approx(totals[code][2020] * growth**10, rel=1e-9)
        assert sum(years[2040][80:]) != pytest.approx(sum(years[2020][80:]))  # cohorts moved


def test_workloads_are_the_same_bytes_each_time(tmp_path):
    first = workloads.generate(tmp_path / "a", 4)
    second = workloads.generate(tmp_path / "b", 4)
    for a, b in zip(first, second, strict=True):
        for name in sorted(p.name for p in a.parent.iterdir()):
            assert (a.parent / name).read_bytes() == (b.parent / name).read_bytes(), name


def test_a_quick_benchmark_run_prints_every_figure(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for figure in (
        "rfm --help",
        "rfm plugins",
        "W1 CLI end to end",
        "W1 engine",
        "W2 engine",
        "W3 simulate, 200 draws",
        "LibreOffice recalculates W1's workbook",
        "Same amounts as pure Python",
    ):
        assert figure in done.stdout, figure
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["difference"]["w1"] < 1e-9 and figures["difference"]["w2"] < 1e-9
    assert figures["w3"]["peak_mb"] > 0 and figures["rows"]["W1 population"] == 12 * 101 * 18
