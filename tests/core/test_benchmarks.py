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


def test_w1_starts_from_scbs_real_single_years_of_every_kommun():
    """Issue 23: W1 on the real 2019 single-year ages of every kommun, not spread groups."""
    import csv

    ages = workloads.single_ages_2019()
    assert len(ages) == 290
    assert sum(sum(a) for a in ages.values()) == 10_327_589  # SCB, Sweden 31 Dec 2019
    assert sum(ages["0665"]) == 14_275 and sum(ages["2380"]) == 63_779  # Vaggeryd, Östersund
    # Vaggeryd aged 80: both sexes, read here straight from the source file.
    with (BENCHMARKS / "sources" / "folkmangd_alder_kon_2019.csv").open(encoding="utf-8") as f:
        eighty = sum(
            int(r["X2019"])
            for r in csv.DictReader(f)
            if r["region"] == "Vaggeryd" and r["ålder"] == "80"
        )
    assert ages["0665"][80] == eighty
    population = workloads.municipal_population(3)
    for code, years in population.items():
        assert years[2019] == ages[code]  # the base year is the real one, unchanged
        assert len(years[2019]) == 101  # 0–99 and the open class 100+


def test_the_projection_follows_each_kommuns_own_trend():
    population = workloads.municipal_population(3)
    totals = workloads.totals()
    for code, years in population.items():
        growth = (totals[code][2020] / totals[code][2015]) ** 0.2
        assert sum(years[2030]) == pytest.approx(sum(years[2019]) * growth**11, rel=1e-9)
        assert sum(years[2040][80:]) != pytest.approx(sum(years[2019][80:]))  # cohorts moved


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
