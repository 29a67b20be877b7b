"""Generate the benchmark workloads W1, W2 and W3 from real population data.

    python benchmarks/workloads.py OUT_DIR [--municipalities N] [--large]

Everything is derived from two real files in ``benchmarks/sources/`` (provenance in its
README): SCB's population of every kommun by single year of age and sex on 31 December 2019,
and SCB's population per kommun, 31 December 1968–2020. Nothing here is random unless seeded,
so the same command writes the same bytes.

**Single years of age 0–100 (31 Dec 2019), real.** SCB's own single years for all 290
kommuner, both sexes added; 100 is SCB's open class "100+". No spreading of age groups.

**Projection to 2040.** Each year every cohort moves up one year of age and is thinned by a
Gompertz mortality μ(a) = exp(−10.6 + 0.095 a) (about 0.7 % at 60, 5 % at 80, 13 % at 90:
the shape of Swedish mortality); 100 is an open age group. Newborns follow the number of
people aged 20–44 relative to 2019. Then every age is scaled by one factor so that the
kommun's total follows its own growth rate of 2015–2020: net migration, lumped in. This is a
*method for a realistic workload*, not a population forecast.

W1 (tenant ``w1``): an ``age_bands`` model (äldreomsorg 65–79, 80–89, 90+ at Sjöbo's kr per
inhabitant of budget 2024) and a ``per_capita_standard_cost`` model (IFO: a standard cost per
kommun and year, illustrative, × 1.05) for all kommuner, budget years 2024–2040 from the
population of the year before. W3 is the same tenant with ``[simulation]``.

W2 (tenant ``w2``): a ``distribution_key`` over DeSO-sized areas (each kommun split into areas
of about 1 750 inhabitants, as DeSO are 700–2 700: 5 901 areas) with ten need variables drawn
(seeded) around national rates, budget years 2024–2040.

W2-large (tenant ``w2large``, ``--large``): the same key over areas of about 175 inhabitants,
ten times as many (about 59 000: the number of DeSO-sized areas × 10, the scale of a national
key by basområde), 1 million input rows.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections.abc import Sequence
from pathlib import Path

SOURCES = Path(__file__).resolve().parent / "sources"
BASE_YEAR = 2019
LAST_YEAR = 2040
BUDGET_YEARS = range(2024, 2041)
DATA_YEARS = range(2023, 2041)
OLDEST = 100
SEED = 20261123

NEED_VARIABLES = {
    # column: (share of the area's inhabitants, weight in the key)
    "barn_0_5": (0.065, 1.0),
    "barn_6_15": (0.115, 1.2),
    "unga_16_19": (0.045, 0.8),
    "aldre_80_plus": (0.055, 0.5),
    "utrikes_fodda": (0.20, 0.6),
    "ensamstaende_foraldrar": (0.025, 2.0),
    "lag_inkomst": (0.14, 1.5),
    "arbetslosa": (0.045, 2.5),
    "lagutbildade": (0.11, 0.7),
    "hyresratt": (0.32, 0.3),
}


def totals() -> dict[str, dict[int, int]]:
    """Population on 31 December per kommunkod and year (SCB)."""
    found: dict[str, dict[int, int]] = {}
    with (SOURCES / "kommun_pop_2021-07-09.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            found.setdefault(row["code"], {})[int(row["year"])] = int(row["population"])
    return found


def single_ages_2019() -> dict[str, list[float]]:
    """SCB 31 Dec 2019 per kommunkod: persons by single year of age 0–100 (100 = 100+)."""
    codes = {}
    with (SOURCES / "kommun_pop_2021-07-09.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            codes[row["name"]] = row["code"]
    found: dict[str, list[float]] = {}
    with (SOURCES / "folkmangd_alder_kon_2019.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = codes[row["region"]]
            ages = found.setdefault(code, [0.0] * (OLDEST + 1))
            ages[int(row["ålder"])] += float(row["X2019"])
    return found


def survival(age: int) -> float:
    return math.exp(-math.exp(-10.6 + 0.095 * age))


def project(base: list[float], growth: float, years: int) -> list[list[float]]:
    """``base`` and the ``years`` years after it, by single year of age (module docstring)."""
    parents0 = sum(base[20:45])
    paths = [base]
    total0 = sum(base)
    for step in range(1, years + 1):
        last = paths[-1]
        nxt = [0.0] * (OLDEST + 1)
        for a in range(OLDEST):
            nxt[a + 1] += last[a] * survival(a)
        nxt[OLDEST] += last[OLDEST] * survival(OLDEST)
        nxt[0] = base[0] * sum(last[20:45]) / parents0
        target = total0 * (1 + growth) ** step
        factor = target / sum(nxt)
        paths.append([x * factor for x in nxt])
    return paths


def municipal_population(limit: int | None = None) -> dict[str, dict[int, list[float]]]:
    """Per kommunkod (sorted; the first ``limit``): data year → population by age 0–100."""
    by_code = totals()
    real = single_ages_2019()
    codes = sorted(real)[:limit] if limit else sorted(real)
    result: dict[str, dict[int, list[float]]] = {}
    for code in codes:
        years = by_code[code]
        growth = (years[2020] / years[2015]) ** (1 / 5) - 1
        paths = project(real[code], growth, LAST_YEAR - BASE_YEAR)
        result[code] = {BASE_YEAR + i: path for i, path in enumerate(paths)}
    return result


def _number(x: float) -> str:
    return f"{x:.4f}"


def write_w1(out: Path, population: dict[str, dict[int, list[float]]]) -> Path:
    """The W1 tenant (and W3, its ``[simulation]``); returns the tenant file."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "befolkning.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["area", "year", "age", "count"])
        for code, years in population.items():
            for year in DATA_YEARS:
                for age, count in enumerate(years[year]):
                    w.writerow([code, year, f"{age}+" if age == OLDEST else age, _number(count)])
    with (out / "standardkostnad.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["area", "year", "standard_cost"])
        for code, years in population.items():
            for year in DATA_YEARS:
                ages = years[year]
                young = sum(ages[0:21]) / sum(ages)
                cost = 5600 * (0.75 + 1.2 * young) * 1.02 ** (year - 2023)
                w.writerow([code, year, f"{cost:.0f}"])
    tenant = out / "w1.toml"
    tenant.write_text(W1_TOML, encoding="utf-8")
    return tenant


W1_TOML = """\
# W1/W3 benchmark workload, generated by benchmarks/workloads.py (do not edit by hand).
[tenant]
id = "w1"
name = "W1: alla kommuner, äldreomsorg och IFO per ettårsklass"
description = "Benchmark: age_bands och per_capita_standard_cost för varje kommun, budgetår 2024–2040"

[data.population]
path = "befolkning.csv"
schema = "municipal_population"
source = "SCB:s ettårsklasser per kommun 31 december 2019 (verkliga) och folkmängd 1968–2020 (benchmarks/sources); framskrivning till 2040 enligt benchmarks/workloads.py"

[data.standardkostnad]
path = "standardkostnad.csv"
schema = "standard_costs"
source = "ILLUSTRATIVT: 5 600 kr/inv justerat efter andelen 0–20 år, +2 % per år (benchmarks/workloads.py)"

[[models]]
id = "aldreomsorg"
type = "age_bands"
label = "Äldreomsorg"
dataset = "population"
data_lag = 1
source = "Sjöbo kommun, Resursfördelningsmodellen, budget 2024 (kr per invånare i åldersgruppen)"
[models.bands]
"65-79" = { 2024 = { value = 21900, source = "Sjöbo budget 2024" } }
"80-89" = { 2024 = { value = 137300, source = "Sjöbo budget 2024" } }
"90+" = { 2024 = { value = 381100, source = "Sjöbo budget 2024" } }

[[models]]
id = "ifo"
type = "per_capita_standard_cost"
label = "Individ- och familjeomsorg"
dataset = "population"
data_lag = 1
standard_cost_dataset = "standardkostnad"
uplift = { 2023 = { value = 0.05, source = "Vaggeryd KF, resursfördelningsmodell från budget 2023: uppräkning 5 %" } }
source = "SCB:s standardkostnad IFO × (1 + uppräkning), som Vaggeryds IFO-modell"

[simulation]
dataset = "population"
first_forecast_year = 2024
size_reference = 10000
size_elasticity = 0.25
correlation = 0.5
source = "ILLUSTRATIVT: prognosfelens storlek är antaganden för benchmarken (docs/simulation.md)"
[simulation.sigma]
"0-19" = 0.010
"20-64" = 0.008
"65-79" = 0.004
"80+" = 0.008
"""


def write_w2(
    out: Path,
    population: dict[str, dict[int, list[float]]],
    seed: int = SEED,
    area_size: int = 1750,
    tenant_id: str = "w2",
) -> Path:
    """The W2 tenant: a distribution key over areas of about ``area_size`` inhabitants;
    returns the tenant file (``out/<tenant_id>.toml``)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[list[str]] = []
    for code, years in population.items():
        base = sum(years[BASE_YEAR])
        count = max(1, round(base / area_size))
        sizes = [rng.lognormvariate(0, 0.3) for _ in range(count)]
        levels = [[rng.lognormvariate(0, 0.4) for _ in NEED_VARIABLES] for _ in range(count)]
        for i in range(count):
            area = f"{code}A{i + 1:04d}"
            for year in DATA_YEARS:
                inhabitants = sum(years[year]) * sizes[i] / sum(sizes)
                values = [
                    inhabitants * share * level * rng.uniform(0.97, 1.03)
                    for (share, _), level in zip(NEED_VARIABLES.values(), levels[i], strict=True)
                ]
                rows.append([area, str(year), *(_number(v) for v in values)])
    with (out / "behov.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["area", "year", *NEED_VARIABLES])
        w.writerows(rows)
    params = "".join(
        f'\n[parameters."vikt.{name}"]\nunit = "vikt"\nvalues = {{ 2024 = {{ value = {weight}, '
        f'source = "ILLUSTRATIVT (benchmarks/workloads.py)" }} }}\n'
        for name, (_, weight) in NEED_VARIABLES.items()
    )
    variables = "".join(f'{name} = "vikt.{name}"\n' for name in NEED_VARIABLES)
    tenant = out / f"{tenant_id}.toml"
    size = f"{area_size:,}".replace(",", "\u00a0")
    text = W2_TOML.format(parameters=params, variables=variables, id=tenant_id, size=size)
    tenant.write_text(text, encoding="utf-8")
    return tenant


W2_TOML = """\
# W2 benchmark workload, generated by benchmarks/workloads.py (do not edit by hand).
[tenant]
id = "{id}"
name = "W2: fördelningsnyckel över områden om cirka {size} invånare"
description = "Benchmark: distribution_key med tio behovsvariabler, budgetår 2024–2040"

[data.behov]
path = "behov.csv"
schema = "area_variables"
source = "ILLUSTRATIVT: områden om cirka {size} invånare ur SCB:s folkmängd per kommun; behovsvariablerna dragna med frö (benchmarks/workloads.py)"

[parameters."budget"]
unit = "kr"
description = "Budget att fördela"
source = "ILLUSTRATIVT"
values = {{ 2024 = 10000000000, 2030 = 11000000000, 2035 = 12000000000 }}
{parameters}
[[models]]
id = "behovsnyckel"
type = "distribution_key"
label = "Behovsnyckel"
dataset = "behov"
data_lag = 1
total = "budget"
source = "ILLUSTRATIVT: tio behovsvariabler med vikter"
[models.variables]
{variables}"""


def generate(out: Path, municipalities: int | None = None) -> tuple[Path, Path]:
    """Write W1 (and W3) to ``out/w1`` and W2 to ``out/w2``; returns the two tenant files."""
    population = municipal_population(municipalities)
    return write_w1(out / "w1", population), write_w2(out / "w2", population)


def generate_large(out: Path, municipalities: int | None = None) -> Path:
    """Write W2-large to ``out/w2large`` (areas of about 175 inhabitants); returns its tenant."""
    population = municipal_population(municipalities)
    return write_w2(out / "w2large", population, area_size=175, tenant_id="w2large")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--municipalities", type=int, help="only the first N kommuner")
    parser.add_argument("--large", action="store_true", help="also W2-large (about 59 000 areas)")
    args = parser.parse_args(argv)
    for path in generate(args.out, args.municipalities):
        print(path)
    if args.large:
        print(generate_large(args.out, args.municipalities))


if __name__ == "__main__":
    main()
