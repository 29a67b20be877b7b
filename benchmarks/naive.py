"""The baseline: W1 and W2 the way a spreadsheet port is usually written, row by row in Python.

It reads the same files as rfm (csv module, Swedish numbers not needed: the workloads write
decimal points), loops over rows with dictionaries, and applies the same formulas:

* W1 äldreomsorg: Σ_band Σ_age∈band population(kommun, age, t − 1) × kr per inhabitant(band);
* W1 IFO: population(kommun, t − 1) × standardkostnad(kommun, t − 1) × 1.05;
* W2: points(area, t) = Σ_v weight_v × X_v(area, t − 1); amount = points ÷ Σ points × budget(t).

The rates are the ones the generated tenant files hold (benchmarks/workloads.py); the
benchmark checks that every amount equals rfm's.
"""

from __future__ import annotations

import csv
from pathlib import Path

from workloads import BUDGET_YEARS, NEED_VARIABLES

W1_BANDS = {"65-79": (65, 79, 21900.0), "80-89": (80, 89, 137300.0), "90+": (90, 130, 381100.0)}
IFO_UPLIFT = 0.05
W2_BUDGET = {2024: 10_000_000_000.0, 2030: 11_000_000_000.0, 2035: 12_000_000_000.0}


def _age(label: str) -> int:
    return int(label.rstrip("+"))


def w1(folder: Path) -> dict[tuple[str, str, int], float]:
    """(model, kommun, budget year) → amount in kr."""
    population: dict[tuple[str, int, int], float] = {}
    with (folder / "befolkning.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            population[(row["area"], int(row["year"]), _age(row["age"]))] = float(row["count"])
    costs: dict[tuple[str, int], float] = {}
    with (folder / "standardkostnad.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            costs[(row["area"], int(row["year"]))] = float(row["standard_cost"])
    amounts: dict[tuple[str, str, int], float] = {}
    for (area, data_year, age), count in population.items():
        year = data_year + 1
        if year not in BUDGET_YEARS:
            continue
        for lo, hi, price in W1_BANDS.values():
            if lo <= age <= hi:
                key = ("aldreomsorg", area, year)
                amounts[key] = amounts.get(key, 0.0) + count * price
        key = ("ifo", area, year)
        cost = costs[(area, data_year)] * (1 + IFO_UPLIFT)
        amounts[key] = amounts.get(key, 0.0) + count * cost
    return amounts


def _budget(year: int) -> float:
    return W2_BUDGET[max(y for y in W2_BUDGET if y <= year)]


def w2(folder: Path) -> dict[tuple[str, str, int], float]:
    """(model, area, budget year) → amount in kr."""
    points: dict[int, dict[str, float]] = {}
    with (folder / "behov.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            year = int(row["year"]) + 1
            if year not in BUDGET_YEARS:
                continue
            total = 0.0
            for name, (_, weight) in NEED_VARIABLES.items():
                total += weight * float(row[name])
            points.setdefault(year, {})[row["area"]] = total
    amounts: dict[tuple[str, str, int], float] = {}
    for year, by_area in points.items():
        whole = sum(by_area.values())
        for area, p in by_area.items():
            amounts[("behovsnyckel", area, year)] = p / whole * _budget(year)
    return amounts
