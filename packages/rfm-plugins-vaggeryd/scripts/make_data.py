"""Build Vaggeryd's population file and the LSS-utjämning inputs of the tenant.

    uv run python packages/rfm-plugins-vaggeryd/scripts/make_data.py [--check]

Three things come out; ``--check`` rebuilds them in memory and fails if a bundled file differs
(a test runs it).

**1. ``befolkningsprognos.json``: population 31 December by single year of age 0–89 and 90+.**

* **2019, real.** SCB's single years of age (BE0101, 31 Dec 2019, both sexes added), from
  ``sources/scb_pop_single_age_sex_2019_0665_2380_0180.csv``; 90–100 are summed into 90+.
* **2020, real groups with the real 2019 structure inside them.** SCB's population 31 Dec 2020 in
  the groups 18-29, 30-39, …, 80-89, 90+ (Folkhälsomyndigheten's file) and the total 14 532 (SCB);
  0-17 is the total minus the adults. Inside each group the persons are spread like the same
  cohorts one year younger in 2019 (age *a* in 2020 weighs as age *a − 1* did in 2019; age 0 as
  age 0 did), whole persons by the largest-remainder method, so every SCB group figure is kept.
  No even spread: the shape within a group is Vaggeryd's own.
* **2021–2030, ILLUSTRATIVE** (no official forecast is in the sources). Totals: the real 31 Dec
  2024 figure (14 825, SCB via citypopulation.de) is kept exactly, 2021–2023 lie on the geometric
  path from 2020 to 2024, 2025–2030 continue at that growth (about +0,50 % a year). Ages: a
  cohort-component step each year (everyone ages a year and survives with 1 − q(age), a Gompertz
  curve q = 0.0003 + 6.3·10⁻⁶·e^(0.1133·age), 25 % a year in 90+; births 1,15 % of the
  population), then scaled to the year's total (net migration lumped in), whole persons by the
  largest-remainder method.

**2. ``lss_insatser.csv`` and ``lss_fk_timmar.csv``: the counts of the LSS-utjämning, per data
year 2020–2028** (equalisation years 2022–2030: the data are two years old, förordning 2008:776
§3). ILLUSTRATIVE, because Socialstyrelsen's counts of insatser for Vaggeryd are not in the
sources: the counts are held at one level every year and written out per year, as facts of
their year. The FK hours are the first 20 hours a week (SFB 51 kap. 22 §) × 52 weeks of the
illustrative 15 persons with assistansersättning.

**3. The generated block of ``vaggeryd.toml``** (between the ``BEGIN generated`` and ``END
generated`` lines): the parameters of the LSS model that are a series by year.

* ``lss.pris_*``: national average cost per insats. ILLUSTRATIVE base at the 2020 price level
  (the SCB figures are not in the sources), carried to each data year with KPIF so that the
  prices are constant in real terms; dated by the equalisation year that uses them.
* ``lss.fk_schablon``: the PA schablon of the data year (the real schablon of ``pa.schablon``
  in the tenant file), dated by the equalisation year two years later.
* ``lss.rs.*``: the räkenskapssammandrag lines of PK-IX steg 1 (A–G, J); ILLUSTRATIVE base at
  the 2020 level carried with KPIF like the prices.
* ``lss.invanare_utjamning``: the population the equalisation divides by, 1 November the year
  before; ILLUSTRATIVE as the population of 31 December the year before in the file above.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from pathlib import Path

import fastexcel

import rfm

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
TENANT = HERE.parent / "src" / "rfm_vaggeryd" / "tenant"
POPULATION = TENANT / "befolkningsprognos.json"
TOML = TENANT / "vaggeryd.toml"

KOMMUN = "0665"
FIRST_YEAR, REAL_GROUPS_YEAR, REAL_TOTAL_YEAR, LAST_YEAR = 2019, 2020, 2024, 2030
OPEN_AGE = 90
BIRTH_RATE = 0.0115
OPEN_GROUP_DEATH_RATE = 0.25

# --- the LSS-utjämning inputs -------------------------------------------------------------
DATA_YEARS = range(2020, 2029)  # equalisation years 2022–2030
LAG = 2
KPIF = {  # yearly average change, andel; mirrors "lss.kpif" of vaggeryd.toml (a test compares)
    2021: 0.024, 2022: 0.077, 2023: 0.060, 2024: 0.019, 2025: 0.027, 2026: 0.013,
    2027: 0.02, 2028: 0.02, 2029: 0.02, 2030: 0.02,
}  # fmt: skip
BASE_PRICES = {  # kr per insats at the 2020 price level, ILLUSTRATIVE
    "lss.pris_bostad": (1_000_000, "bostad med särskild service för vuxna (BV), RS rad 5131"),
    "lss.pris_daglig_verksamhet": (130_000, "daglig verksamhet (DV), RS rad 5135"),
    "lss.pris_korttidsvistelse": (250_000, "korttidsvistelse (KV), RS rad 5139"),
    "lss.pris_personlig_assistans": (350_000, "personlig assistans enligt LSS (PAK), RS rad 5133"),
}
BASE_RS_LINES = {  # kr at the 2020 level, ILLUSTRATIVE
    "A": 36_000_000, "B": 12_000_000, "C": 3_000_000, "D": 1_000_000, "E": 500_000,
    "F": 1_000_000, "G": 8_000_000, "J": 500_000,
}  # fmt: skip
COUNTS = {  # persons per insats in every data year, ILLUSTRATIVE
    "bostad_vuxna": 45, "bostad_barn": 2, "familjehem_barn": 1, "daglig_verksamhet": 60,
    "korttidsvistelse": 12, "korttidstillsyn": 8, "avlosarservice": 3, "ledsagarservice": 10,
    "kontaktperson": 30, "personlig_assistans_lss": 10, "personlig_assistans_sfb": 15,
}  # fmt: skip
COUNT_CHANGES = {  # from a data year on, ILLUSTRATIVE: two more persons with personlig assistans
    # (LSS) from 2021, so that S rises as the committee's LSS money says it did (seed 004: the
    # 900 tkr of 2023 go to personlig assistans); see README "Kontroller mot källorna".
    "personlig_assistans_lss": {2021: 12},
}
FK_HOURS_PER_WEEK, WEEKS = 20, 52
AREA = "0665"


def death_rate(age: int) -> float:
    """Gompertz approximation of the yearly probability of dying at ``age``."""
    return min(0.5, 0.0003 + 6.3e-6 * math.exp(0.1133 * age))


def scb_2019() -> list[int]:
    """SCB 31 Dec 2019, both sexes: ages 0–89 and 90+ (index 90)."""
    ages = [0] * (OPEN_AGE + 1)
    with (SOURCES / "scb_pop_single_age_sex_2019_0665_2380_0180.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["kommunkod"] == KOMMUN:
                ages[min(int(r["alder"]), OPEN_AGE)] += int(r["folkmangd_2019"])
    return ages


def totals() -> dict[int, int]:
    """Vaggeryd's real totals on 31 December (SCB): 2010–2020 and 2024."""
    with (SOURCES / "kommun_pop_2021-07-09.csv").open(encoding="utf-8", newline="") as f:
        found = {
            int(r["year"]): int(r["population"]) for r in csv.DictReader(f) if r["code"] == KOMMUN
        }
    with (SOURCES / "folkmangd_totals_citypopulation.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["kommunkod"] == KOMMUN:
                found.setdefault(int(r["ar_31dec"]), int(r["folkmangd"]))
    return found


def groups_2020() -> dict[tuple[int, int], int]:
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
    groups[(0, 17)] = totals()[REAL_GROUPS_YEAR] - sum(groups.values())
    return dict(sorted(groups.items()))


def year_2020(before: list[int]) -> list[int]:
    """2020 by single years: each SCB group spread like its cohorts in 2019 (module docstring)."""
    ages = [0] * (OPEN_AGE + 1)
    for (first, last), count in groups_2020().items():
        span = range(first, min(last, OPEN_AGE) + 1)
        weights = [float(before[max(a - 1, 0)] if a > 0 else before[0]) for a in span]
        if first == OPEN_AGE:
            weights = [float(before[OPEN_AGE - 1] + before[OPEN_AGE])]
        shares = [count * w / sum(weights) for w in weights]
        for a, n in zip(span, rfm.largest_remainder(shares, 1, float(count)), strict=True):
            ages[a] = int(n)
    return ages


def step(ages: list[float], target: float) -> list[float]:
    """One year on: survival, ageing, births, then scaled to ``target`` (net migration)."""
    nxt = [0.0] * (OPEN_AGE + 1)
    for age in range(OPEN_AGE):
        nxt[age + 1] += ages[age] * (1 - death_rate(age))
    nxt[OPEN_AGE] += ages[OPEN_AGE] * (1 - OPEN_GROUP_DEATH_RATE)
    nxt[0] = BIRTH_RATE * sum(ages)
    before = sum(nxt)
    return [n * target / before for n in nxt]


def target_totals() -> dict[int, float]:
    """2021–2030: the real 2024 total kept, geometric path 2020→2024, then the same growth."""
    real = totals()
    start, end = real[REAL_GROUPS_YEAR], real[REAL_TOTAL_YEAR]
    growth = (end / start) ** (1 / (REAL_TOTAL_YEAR - REAL_GROUPS_YEAR))
    return {y: start * growth ** (y - REAL_GROUPS_YEAR) for y in range(2021, LAST_YEAR + 1)}


def population() -> dict[int, list[int]]:
    first = scb_2019()
    base = year_2020(first)
    years = {FIRST_YEAR: first, REAL_GROUPS_YEAR: base}
    ages = [float(a) for a in base]
    targets = target_totals()
    real = totals()
    for year in range(REAL_GROUPS_YEAR + 1, LAST_YEAR + 1):
        total = float(real[year]) if year == REAL_TOTAL_YEAR else round(targets[year])
        ages = step(ages, total)
        years[year] = [int(n) for n in rfm.largest_remainder(ages, 1, total)]
    return years


def document(years: dict[int, list[int]]) -> dict[str, object]:
    labels = [str(a) for a in range(OPEN_AGE)] + [f"{OPEN_AGE}+"]
    year_list = sorted(years)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Vaggeryd (0665): befolkning 31 december efter ålder, 2019–2020 (SCB) och ILLUSTRATIV prognos 2021–2030",
        "source": "rfm: packages/rfm-plugins-vaggeryd/scripts/make_data.py, från SCB (ettårsklasser 2019; åldersgrupper 2020 via Folkhälsomyndigheten; folkmängd 2010–2020 och 2024)",
        "note": [
            "2019 är SCB:s ettårsklasser; 2020 är SCB:s åldersgrupper fördelade inom gruppen som samma årskullar 2019.",
            "2021–2030 är en ILLUSTRATIV prognos (ingen officiell prognos finns i källorna): totalen följer SCB:s verkliga 14 825 invånare 2024, åldrarna en kohortmodell (se make_data.py).",
            "Ersätt med kommunens egen prognos (SCB eller Statisticon) som CSV, Excel eller PxWeb JSON.",
        ],
        "extension": {
            "rfm": {
                "illustrative": True,
                "real_years": [FIRST_YEAR, REAL_GROUPS_YEAR],
                "method": "2019 SCB ettårsklasser; 2020 SCB åldersgrupper med 2019 års kohortstruktur; 2021–2030 kohortkomponentmodell mot totalen 2024",
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


# --- LSS --------------------------------------------------------------------------------------


def real_index(data_year: int) -> float:
    """KPIF from the 2020 price level to ``data_year``'s: Π (1 + k) over 2021…data_year."""
    factor = 1.0
    for y in range(2021, data_year + 1):
        factor *= 1 + KPIF[y]
    return factor


def schablon() -> dict[int, float]:
    """The PA schablon per calendar year, read from ``pa.schablon`` in the tenant file."""
    text = TOML.read_text(encoding="utf-8")
    block = re.search(r'\[parameters\."pa\.schablon"\](.*?)\n\n', text, re.S)
    assert block, 'vaggeryd.toml has no [parameters."pa.schablon"]'
    return {int(y): float(v) for y, v in re.findall(r"(\d{4}) = \{ value = ([\d.]+)", block[1])}


def counts_csv() -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["area", "year", "category", "count"])
    for year in DATA_YEARS:
        for category, n in COUNTS.items():
            changes = COUNT_CHANGES.get(category, {})
            for first in sorted(changes):
                if year >= first:
                    n = changes[first]
            w.writerow([AREA, year, category, n])
    return out.getvalue()


def fk_csv() -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["area", "year", "category", "count"])
    hours = COUNTS["personlig_assistans_sfb"] * FK_HOURS_PER_WEEK * WEEKS
    for year in DATA_YEARS:
        w.writerow([AREA, year, "ersattning_fk", hours])
    return out.getvalue()


def spaced_decimal(x: float) -> str:
    """``304.3`` → ``304,30``."""
    return f"{x:.2f}".replace(".", ",")


def spaced(n: int) -> str:
    """``1000000`` → ``1 000 000``."""
    return f"{n:,}".replace(",", " ")


def _values(pairs: list[tuple[int, str]]) -> str:
    return "{ " + ", ".join(f"{y} = {v}" for y, v in pairs) + " }"


def generated_block(years: dict[int, list[int]]) -> str:
    lines = [
        "# BEGIN generated by scripts/make_data.py (do not edit here; edit the script and rerun)",
    ]
    for key, (base, what) in BASE_PRICES.items():
        pairs = [(d + LAG, f"{base * real_index(d):.2f}") for d in DATA_YEARS]
        lines.append(
            f'"{key}" = {{ unit = "kr/st", description = "Genomsnittskostnad per insats i riket: '
            f'{what}; daterad efter utjämningsåret (RS två år före)", source = "ILLUSTRATIVT '
            f"eftersom SCB:s genomsnittskostnader per insats inte finns i källorna: {spaced(base)} "
            'kr i 2020 års nivå, räknat med KPIF till dataåret (scripts/make_data.py)", values = '
            f"{_values(pairs)} }}"
        )
    pa = schablon()
    entries = []
    for d in DATA_YEARS:
        if d in pa:
            value = pa[d]
            source = (
                f"pa.schablon {d}: {spaced_decimal(value)} kr (se dess källa), i utjämningsåret "
                f"{d + LAG} enligt förordning 2008:776 3 § (räkenskaperna två år före)"
            )
        else:
            value = max(pa.values()) * (1.02 ** (d - max(pa)))
            source = (
                f"ILLUSTRATIVT eftersom schablonbeloppet för {d} inte finns i källorna: "
                f"{max(pa)} års {spaced_decimal(max(pa.values()))} kr + 2 % per år"
            )
        entries.append(f'{d + LAG} = {{ value = {value:.2f}, source = "{source}" }}')
    lines.append(
        '"lss.fk_schablon" = { unit = "kr/st", description = "Schablonbeloppet för '
        "assistansersättning det år räkenskapssammandraget avser (utjämningsåret − 2): kommunens "
        'ersättning till Försäkringskassan per timme", values = { ' + ", ".join(entries) + " } }"
    )
    for line, base in BASE_RS_LINES.items():
        pairs = [(d + LAG, f"{base * real_index(d):.0f}") for d in DATA_YEARS]
        lines.append(
            f'"lss.rs.{line}" = {{ unit = "kr", description = "Räkenskapssammandraget, LSS: rad '
            f'{line} i PK-IX steg 1", source = "ILLUSTRATIVT eftersom Vaggeryds räkenskapssammandrag '
            f"per rad inte finns i källorna: {spaced(base)} kr i 2020 års nivå, räknat med KPIF "
            f'(scripts/make_data.py)", values = {_values(pairs)} }}'
        )
    pairs = [(y + 1, str(sum(years[y]))) for y in sorted(years) if y + 1 in range(2022, 2031)]
    lines.append(
        '"lss.invanare_utjamning" = { unit = "invånare", description = "Invånare som '
        'utjämningen delar med (1 november året före)", source = "ILLUSTRATIVT eftersom SCB:s '
        "1 november-tal inte finns i källorna: befolkningen 31 december året före i "
        'befolkningsprognos.json", values = ' + _values(pairs) + " }"
    )
    lines.append("# END generated")
    return "\n".join(lines)


def tenant_text(years: dict[int, list[int]]) -> str:
    text = TOML.read_text(encoding="utf-8")
    start = text.index("# BEGIN generated")
    end = text.index("# END generated") + len("# END generated")
    return text[:start] + generated_block(years) + text[end:]


def render() -> dict[Path, str]:
    years = population()
    return {
        POPULATION: json.dumps(document(years), ensure_ascii=False, indent=1) + "\n",
        TENANT / "lss_insatser.csv": counts_csv(),
        TENANT / "lss_fk_timmar.csv": fk_csv(),
        TOML: tenant_text(years),
    }


def main(argv: list[str]) -> int:
    built = render()
    if "--check" in argv:
        stale = [p.name for p, t in built.items() if not p.exists() or p.read_text("utf-8") != t]
        if stale:
            print(f"out of date: {', '.join(stale)}; rerun make_data.py", file=sys.stderr)
            return 1
        print("up to date")
        return 0
    for path, text in built.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
