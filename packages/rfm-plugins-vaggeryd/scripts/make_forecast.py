"""Build Vaggeryd's illustrative population forecast 2021–2030 by single year of age.

    uv run python packages/rfm-plugins-vaggeryd/scripts/make_forecast.py [--check]

The forecast is *illustrative*: it exists so that the demo runs on figures of the right size and
shape. A municipality replaces it with its own forecast (SCB or Statisticon) as CSV, Excel or
PxWeb JSON. The method, step by step:

1. **Base year 2020, real.** SCB's population 31 Dec 2020 in the age groups 18-29, 30-39, …,
   80-89 and 90+ (Folkhälsomyndigheten's file, column ``Befolkning``); the group 0-17 is
   Vaggeryd's total 31 Dec 2020 (14 532, SCB) minus the adult groups.
2. **Single years of age.** Each closed group is spread evenly over its years (an assumption:
   SCB's single-year figures were not available); 90+ stays one open group.
3. **Each year t → t + 1** (cohort-component):
   * survival: everyone ages one year and survives with 1 − q(age), where
     q(age) = 0.0003 + 6.3·10⁻⁶·e^(0.1133·age) is a Gompertz curve set to roughly Swedish
     mortality (q ≈ 1 % at 65, 5 % at 80, 17 % at 90); the open group 90+ dies at 25 % a year
     (about the Swedish average for ages 90 and over);
   * births: 1.15 % of the total population (Sweden's crude birth rate around 2020) at age 0;
   * net migration: whatever brings the total to the trend, spread over ages in proportion to
     the population after ageing. The trend is the mean annual growth of Vaggeryd's total over
     2010–2020 (12 991 → 14 532, SCB), about 1.13 % a year.
4. **Whole persons.** Each year's ages are rounded with the largest-remainder method so that they
   sum to the rounded total; in 2020 each group is rounded on its own, so that every SCB group
   figure is kept exactly.

The output is a JSON-stat 2.0 file (the format SCB's PxWeb API v2 answers in), read by rfm's
PxWeb reader; its ``note`` and ``extension.rfm`` say that it is illustrative and how it was made.
``--check`` rebuilds it in memory and fails if the bundled file differs (a test runs this).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import fastexcel

import rfm

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
OUTPUT = HERE.parent / "src" / "rfm_vaggeryd" / "tenant" / "befolkningsprognos.json"

KOMMUN = "0665"
BASE_YEAR = 2020
LAST_YEAR = 2030
TREND_FROM = 2010
OPEN_AGE = 90
BIRTH_RATE = 0.0115
OPEN_GROUP_DEATH_RATE = 0.25


def death_rate(age: int) -> float:
    """Gompertz approximation of the yearly probability of dying at ``age``."""
    return min(0.5, 0.0003 + 6.3e-6 * math.exp(0.1133 * age))


def totals() -> dict[int, int]:
    with (SOURCES / "kommun_pop_2021-07-09.csv").open(encoding="utf-8", newline="") as f:
        return {
            int(r["year"]): int(r["population"]) for r in csv.DictReader(f) if r["code"] == KOMMUN
        }


def base_groups() -> dict[tuple[int, int], int]:
    """Age group (first, last) → persons, 31 Dec 2020; 0-17 derived from the total."""
    sheet = fastexcel.read_excel(SOURCES / "Folkhalsomyndigheten_Covid19_Vaccine.xlsx").load_sheet(
        "Vaccinerade kommun och ålder", dtypes="string"
    )
    frame = sheet.to_polars()
    rows = frame.filter(frame["Kommun"] == KOMMUN).select("Ålder", "Befolkning").rows()
    groups: dict[tuple[int, int], int] = {}
    for label, count in rows:
        if "äldre" in label:
            groups[(int(label.split()[0]), OPEN_AGE)] = int(count)
        else:
            first, last = (int(x) for x in label.split("-"))
            groups[(first, last)] = int(count)
    groups[(0, 17)] = totals()[BASE_YEAR] - sum(groups.values())
    return dict(sorted(groups.items()))


def spread(groups: dict[tuple[int, int], int]) -> list[float]:
    """Single years 0…89 and the open group 90+ (index 90), each closed group spread evenly."""
    ages = [0.0] * (OPEN_AGE + 1)
    for (first, last), count in groups.items():
        if last == OPEN_AGE and first == OPEN_AGE:
            ages[OPEN_AGE] = float(count)
            continue
        for age in range(first, last + 1):
            ages[age] = count / (last - first + 1)
    return ages


def step(ages: list[float], target: float) -> list[float]:
    """One year on: survival, ageing, births, then net migration up to ``target``."""
    nxt = [0.0] * (OPEN_AGE + 1)
    for age in range(OPEN_AGE):
        nxt[age + 1] += ages[age] * (1 - death_rate(age))
    nxt[OPEN_AGE] += ages[OPEN_AGE] * (1 - OPEN_GROUP_DEATH_RATE)
    nxt[0] = BIRTH_RATE * sum(ages)
    before = sum(nxt)
    return [n * target / before for n in nxt]


def whole(ages: list[float]) -> list[int]:
    return rfm.largest_remainder(ages, 1, float(round(sum(ages))))


def forecast() -> dict[int, list[int]]:
    total = totals()
    growth = (total[BASE_YEAR] / total[TREND_FROM]) ** (1 / (BASE_YEAR - TREND_FROM))
    groups = base_groups()
    ages = spread(groups)
    base = [0] * (OPEN_AGE + 1)
    for (first, last), count in groups.items():
        top = min(last, OPEN_AGE) + 1 if first < OPEN_AGE else OPEN_AGE + 1
        base[first:top] = rfm.largest_remainder(ages[first:top], 1, float(count))
    years = {BASE_YEAR: base}
    for year in range(BASE_YEAR + 1, LAST_YEAR + 1):
        ages = step(ages, total[BASE_YEAR] * growth ** (year - BASE_YEAR))
        years[year] = whole(ages)
    return years


def document(years: dict[int, list[int]]) -> dict[str, object]:
    labels = [str(a) for a in range(OPEN_AGE)] + [f"{OPEN_AGE}+"]
    year_list = sorted(years)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Vaggeryd (0665): befolkning 31 december efter ålder, 2020 och ILLUSTRATIV prognos 2021–2030",
        "source": "rfm: packages/rfm-plugins-vaggeryd/scripts/make_forecast.py, från SCB (folkmängd 2010–2020; åldersgrupper 2020 via Folkhälsomyndigheten)",
        "note": [
            "ILLUSTRATIV prognos för demonstration, inte en officiell befolkningsprognos.",
            "2020 bygger på SCB:s åldersgrupper, jämnt fördelade på ettårsklasser; 2021–2030 är framskrivna med en kohortmodell (se make_forecast.py).",
            "Ersätt med kommunens egen prognos (SCB eller Statisticon) som CSV, Excel eller PxWeb JSON.",
        ],
        "extension": {
            "rfm": {
                "illustrative": True,
                "base_year": BASE_YEAR,
                "method": "kohortkomponentmodell: Gompertz-dödlighet, födelsetal 1,15 % av befolkningen, nettoflyttning till trend 2010–2020",
            }
        },
        "id": ["Region", "Alder", "Tid"],
        "size": [1, len(labels), len(year_list)],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {KOMMUN: 0}, "label": {KOMMUN: "Vaggeryd"}},
            },
            "Alder": {
                "label": "ålder",
                "category": {
                    "index": {a: i for i, a in enumerate(labels)},
                    "label": {a: f"{a} år" for a in labels},
                },
            },
            "Tid": {
                "label": "år",
                "category": {"index": {str(y): i for i, y in enumerate(year_list)}},
            },
        },
        # Row-major over Region × Alder × Tid.
        "value": [years[y][a] for a in range(len(labels)) for y in year_list],
    }


def render() -> str:
    return json.dumps(document(forecast()), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} differs from what make_forecast.py builds; rerun it", file=sys.stderr)
            return 1
        print(f"{OUTPUT.name} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
