"""Build the Stockholm demo's district data from the city's yearbook tables in ``sources/``.

    python scripts/make_data.py            # writes src/rfm_stockholm_ekbistand/tenant/*.csv
    python scripts/make_data.py --check    # rebuilds in memory; exit 1 if the files differ

Two files come out, both per stadsdelsområde (the 14 SDO of 2007–2020, as every table has them):

``behov.csv`` — the new key's need variables for data years 2005–2007 (budget years 2006–2008
with ``data_lag = 1``):

=================================  =========================================================
``befolkning``                     REAL for 2005 (folkmangd_…csv); 2006 and 2007 interpolated
                                   linearly between the real 2005 and 2010 figures.
``ej_forvarvsarbetande_utrikes_fodda``  DERIVED FROM REAL: foreign-born persons 20–64 not in
                                   work = förvärvsarbetande × (100 − andel) ÷ andel, from
                                   forvarvsarbetande_utrikes_fodda_2005_2007.csv (sysselsättning
                                   and vistelsetid in one variable).
``lag_inkomst``                    DERIVED, ILLUSTRATIVE IN TIME: befolkning × the share of
                                   households with a disposable income under 160 tkr in 2016
                                   (disponibel_inkomst_…_2016.csv; the nearest year published).
``arbetslosa``, ``lagutbildade``,  ILLUSTRATIVE: no per-district table of unemployment,
``boende_hyresratt_niva_1``        education or area attractiveness has arrived. Each is
                                   befolkning × a share that grows with the district's real share
                                   of residents with ekonomiskt bistånd in 2015 (b020), with the
                                   constants below. Replace with USK's figures.
``justeringsindex``                DERIVED FROM REAL SHARES WITH AN INVENTED FACTOR: the
                                   step-2 index adjustment, 1 + 0,5 × (the district's share of
                                   foreign-born 20–64 not in work − the city's), year by year: a
                                   cyclical correction on sysselsättning. The factor 0,5
                                   (``INDEX_FACTOR``) is invented: USK's index adjustment is not
                                   published in the sources.
=================================  =========================================================

``gammal_modell.csv`` — the old models' data for data years 2004–2006 (budget years 2006–2008
with ``data_lag = 2``: the last closed accounts), ILLUSTRATIVE throughout, scaled from the real
number of persons with ekonomiskt bistånd per district in 2015 (b020): utbetalt bistånd in kr,
cases with bifall and avslag, and three unemployment measures of the old arbetsmarknad key
(spread more evenly than the target group, as the 2005 review found). It has a row for
``Enhet för hemlösa``, whose size is the real difference between the city total of b020 (which
includes it, footnote 2) and the sum of the three district groups; the models leave it out.

Nothing here is fitted to the seed's redistribution range; the demo's own range is what it is.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
TENANT = HERE.parent / "src" / "rfm_stockholm_ekbistand" / "tenant"
NEED_YEARS = (2005, 2006, 2007)
OLD_YEARS = (2004, 2005, 2006)
HOMELESS = "Enhet för hemlösa"

# Illustrative constants (shares of the population), each documented in the module docstring.
UNEMPLOYED_BASE, UNEMPLOYED_SLOPE = 0.65 * 0.020, 0.65 * 0.50
LOW_EDUCATED_BASE, LOW_EDUCATED_SLOPE = 0.55 * 0.08, 0.55 * 1.20
LEVEL_1_SLOPE, LEVEL_1_CAP = 6.0, 0.60
INDEX_FACTOR = 0.5  # invented: USK's step-2 index adjustment is not in the sources
KR_PER_PERSON = 55_000  # utbetalt bistånd per person and year (illustrative)
YEAR_DRIFT = {2004: 1.00, 2005: 1.02, 2006: 0.98}
CASES_PER_PERSON, REFUSED_PER_GRANTED = 0.55, 0.12
OLD_UNEMPLOYED = (
    ("oppet_arbetslosa", 0.020, 0.40),
    ("arbetslosa_i_program", 0.008, 0.20),
    ("arbetslosa_18_24", 0.004, 0.10),
)


def read(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def districts(rows: list[dict[str, str]]) -> list[str]:
    seen: list[str] = []
    for r in rows:
        if r["area_type"] == "sdo" and r["stadsdelsomrade"] not in seen:
            seen.append(r["stadsdelsomrade"])
    return seen


def variation(i: int) -> float:
    """A fixed spread of ±4 % between districts, so the illustrative series are not collinear."""
    return 1 + 0.02 * ((i * 7) % 5 - 2)


def build() -> dict[str, str]:
    population = {
        (r["stadsdelsomrade"], int(r["year"])): int(r["population"])
        for r in read("folkmangd_2000_2011_prognos_2021.csv")
    }
    foreign = {
        (r["stadsdelsomrade"], int(r["year"])): (
            int(r["economically_active_foreign_born"]),
            float(r["economically_active_pct_of_foreign_born_20_64"]),
        )
        for r in read("forvarvsarbetande_utrikes_fodda_2005_2007.csv")
    }
    income = {
        r["stadsdelsomrade"]: r for r in read("disponibel_inkomst_hushall_antal_medel_2016.csv")
    }
    assistance = read("ekonomiskt_bistand_personer_2015_2017.csv")
    persons_2015 = {
        r["stadsdelsomrade"]: int(r["persons_with_assistance"])
        for r in assistance
        if r["year"] == "2015"
    }
    share_2015 = {
        r["stadsdelsomrade"]: float(r["persons_with_assistance_pct_of_population"]) / 100
        for r in assistance
        if r["year"] == "2015"
    }
    names = districts(assistance)
    assert len(names) == 14, names

    def people(d: str, year: int) -> int:
        if (d, year) in population:
            return population[d, year]
        lo, hi = (2000, 2005) if year < 2005 else (2005, 2010)
        a, b = population[d, lo], population[d, hi]
        return round(a + (b - a) * (year - lo) / (hi - lo))

    def not_working(d: str, year: int) -> tuple[int, float]:
        active, pct = foreign[d, year]
        return round(active * (100 - pct) / pct), (100 - pct) / 100

    need = io.StringIO()
    w = csv.writer(need, lineterminator="\n")
    w.writerow(
        [
            "area",
            "year",
            "befolkning",
            "ej_forvarvsarbetande_utrikes_fodda",
            "lag_inkomst",
            "arbetslosa",
            "lagutbildade",
            "boende_hyresratt_niva_1",
            "justeringsindex",
        ]
    )
    for d in names:
        r = income[d]
        low_share = sum(
            int(r[f"households_income_{b}_tkr"]) for b in ("0_39", "40_79", "80_119", "120_159")
        ) / int(r["households_total"])
        b = share_2015[d]
        for year in NEED_YEARS:
            p = people(d, year)
            count, rate = not_working(d, year)
            city_rate = not_working("Hela staden", year)[1]
            w.writerow(
                [
                    d,
                    year,
                    p,
                    count,
                    round(p * low_share),
                    round(p * (UNEMPLOYED_BASE + UNEMPLOYED_SLOPE * b)),
                    round(p * (LOW_EDUCATED_BASE + LOW_EDUCATED_SLOPE * b)),
                    round(p * min(LEVEL_1_CAP, LEVEL_1_SLOPE * b)),
                    f"{1 + INDEX_FACTOR * (rate - city_rate):.4f}",
                ]
            )

    old = io.StringIO()
    w = csv.writer(old, lineterminator="\n")
    w.writerow(
        [
            "area",
            "year",
            "utbetalt_kr",
            "arenden_bifall",
            "arenden_avslag",
            *(name for name, _, _ in OLD_UNEMPLOYED),
        ]
    )
    city_2015 = next(
        int(r["persons_with_assistance"])
        for r in assistance
        if r["area_type"] == "city" and r["year"] == "2015"
    )
    groups_2015 = sum(
        int(r["persons_with_assistance"])
        for r in assistance
        if r["area_type"] == "sdo_group" and r["year"] == "2015"
    )
    homeless = city_2015 - groups_2015
    assert homeless > 0, homeless
    for i, d in enumerate([*names, HOMELESS]):
        persons = persons_2015[d] if d != HOMELESS else homeless
        for year in OLD_YEARS:
            drift = YEAR_DRIFT[year] * variation(i + year)
            granted = round(persons * CASES_PER_PERSON * drift)
            p = people(d, year) if d != HOMELESS else 0
            b = share_2015.get(d, 0.0)
            w.writerow(
                [
                    d,
                    year,
                    round(persons * KR_PER_PERSON * drift),
                    granted,
                    round(granted * REFUSED_PER_GRANTED),
                    *(round(p * (base + slope * b)) for _, base, slope in OLD_UNEMPLOYED),
                ]
            )
    return {"behov.csv": need.getvalue(), "gammal_modell.csv": old.getvalue()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the files; write nothing"
    )
    args = parser.parse_args()
    built = build()
    if args.check:
        stale = [
            n
            for n, text in built.items()
            if not (TENANT / n).exists() or (TENANT / n).read_text(encoding="utf-8") != text
        ]
        if stale:
            print(f"out of date: {', '.join(stale)} (run scripts/make_data.py)", file=sys.stderr)
            return 1
        print("up to date")
        return 0
    for name, text in built.items():
        (TENANT / name).write_text(text, encoding="utf-8")
        print(f"wrote {TENANT / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
