"""Build the Östersund demo's unit registers and activity for budget year 2013, at the audit's sizes.

    python scripts/make_data.py            # writes src/rfm_ostersund/tenant/*.csv
    python scripts/make_data.py --check    # exit 1 if the files differ from a rebuild

The audit (seed 002) gives the sizes and the 2012 costs, not the registers. So the registers are
ILLUSTRATIVE (seeded, ``random.Random(2380)``) but built to the audit's sizes, and the model's
rates in ``ostersund.toml`` are calibrated to its figures:

* **Särskilt boende**: "ca 650 lägenheter för särskilt boende och 36 korttidsplatser … 16
  särskilda boenden och två korttidsboenden". 16 boenden of 650 places (three under 20 places,
  three external on contract), two korttidsboenden of 36 places. The day rate in the tenant is
  Tabell 4's "Särskilt boende kr/brukare" 2012, 482 527 kr ÷ 366 days = 1 318 kr/dygn;
  korttidsvård is Tabell 4's 1 702 kr/dygn.
* **LSS-bostäder**: "ca 400 personer i en LSS-bostad … fördelat på 69 LSS boendeenheter". 69
  units (55 of six residents, 14 of five), points 8–60 per resident. The grundersättningar are
  illustrative (1,5 mnkr with daytime cover, 2,25 mnkr with a night shift); the point value is
  set so that the model pays Tabell 4's "LSS-Bostäder kr/brukare" 2012, 690 195 kr, per resident
  on average: (400 × 690 195 − Σ grundersättning) ÷ Σ points, in whole kronor.
* **The frames of 2012** (``lss_ramar_2012.csv``) are CONSTRUCTED from the audit's sentence
  "Totalt sett har ramen till LSS boenden minskat med 7,5 Mkr under 2013": the model's total +
  7,5 mnkr, spread unevenly over the units. The −7,5 mnkr is therefore an input of the data, not
  a result of the model, and no test treats it as one.
* **Hemtjänst/hemsjukvård**: "Sammanlagt ca 2 000 personer … Totalt är behovet ca 70 000
  timmar/månad", i.e. about 35 hours per person and month. 2 000 persons in four units, each
  with a need drawn from a lognormal distribution with mean 35 h (σ = 0,9), varying ±15 % by
  month, within 1–225 h. The schablon hours of each level are the mean assessed hours within the
  level (so that the levels pay about the hours assessed). The hourly rates lie within the
  audit's "300-500 kr/timme", the external provider lowest, chosen so that the cost per person
  is near Tabell 4's "Hemtjänst kr/brukare" 2012, 186 196 kr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import random
import sys
from pathlib import Path

TENANT = Path(__file__).resolve().parent.parent / "src" / "rfm_ostersund" / "tenant"
YEAR = 2013

# Tabell 4 (2012), Östersund.
SABO_PER_BRUKARE = 482_527
LSS_PER_BRUKARE = 690_195
HEMTJANST_PER_BRUKARE = 186_196
KORTTID_PER_DYGN = 1_702
DAYS_2012 = 366

SABO_SIZES = [62, 58, 55, 52, 50, 48, 46, 44, 42, 40, 38, 36, 34, 18, 16, 11]  # Σ 650
EXTERNAL = {"Säbo Odenslund", "Säbo Lugnvik", "Säbo Torvalla"}  # upphandlade (illustrative)
SABO_NAMES = [
    "Säbo Norr", "Säbo Centrum", "Säbo Odenslund", "Säbo Lugnvik", "Säbo Torvalla", "Säbo Söder",
    "Säbo Frösön", "Säbo Brunflo", "Säbo Lit", "Säbo Tandsbyn", "Säbo Orrviken", "Säbo Marieby",
    "Säbo Ope", "Säbo Fåker", "Säbo Häggenås", "Säbo Hallen",
]  # fmt: skip
CONTRACT_RATE = 1_290  # kr/dygn, ILLUSTRATIVE: the contracts are not in the sources
KORTTID = [("Korttids Lillänge", 20), ("Korttids Frösön", 16)]  # Σ 36

LSS_UNITS = 69
LSS_RESIDENTS = 400
LSS_BASE = {"dagtackning": 1_500_000, "vaknatt": 2_250_000}
LSS_CHANGE = -7_500_000

HEMTJANST_UNITS = {  # unit: (persons, kr/timme)
    "Hemtjänst Centrum": (700, 440),
    "Hemtjänst Brunflo": (500, 460),
    "Hemtjänst Lit": (300, 480),
    "Hemtjänst Extern": (500, 400),
}
MEAN_HOURS, SIGMA = 35.0, 0.9
LEVELS = (("nivå 1", 1.0, 25.0), ("nivå 2", 25.0, 75.0), ("nivå 3", 75.0, 225.0))


def lss_units() -> list[tuple[str, int, str]]:
    """(name, residents, staffing): 55 units of six and 14 of five = 400 residents."""
    units = []
    for i in range(1, LSS_UNITS + 1):
        kind = "Servicebostad" if i % 4 == 0 else "Gruppbostad"
        units.append(
            (f"LSS {kind} {i}", 6 if i <= 55 else 5, "vaknatt" if i % 2 else "dagtackning")
        )
    assert sum(u[1] for u in units) == LSS_RESIDENTS
    return units


def level_of(hours: float) -> str:
    """The level with boundary = "lower": a shared end point belongs to the lower level."""
    for name, low, high in LEVELS:
        if low <= hours <= high and not (hours == low and name != LEVELS[0][0]):
            return name
    raise ValueError(hours)


def build() -> tuple[dict[str, str], dict[str, float]]:
    """The CSV files, and the calibrated figures the tenant file must carry."""
    rnd = random.Random(2380)
    out: dict[str, str] = {}
    units = io.StringIO()
    w = csv.writer(units, lineterminator="\n")
    w.writerow(["unit", "kind", "places", "staffing", "hourly_rate", "contract_rate"])
    assert sum(SABO_SIZES) == 650
    for name, places in zip(SABO_NAMES, SABO_SIZES, strict=True):
        w.writerow(
            [name, "särskilt_boende", places, "", "", CONTRACT_RATE if name in EXTERNAL else ""]
        )
    for name, places in KORTTID:
        w.writerow([name, "korttidsboende", places, "", "", ""])
    lss = lss_units()
    for name, places, staffing in lss:
        w.writerow([name, "lss_bostad", places, staffing, "", ""])
    for name, (_, rate) in HEMTJANST_UNITS.items():
        w.writerow([name, "hemtjanst", "", "", rate, ""])
    out["enheter.csv"] = units.getvalue()

    stays = io.StringIO()
    w = csv.writer(stays, lineterminator="\n")
    w.writerow(["unit", "place", "person", "from_date", "to_date"])
    person = 0
    for name, places, mean_stay in [
        *((n, p, 700) for n, p in zip(SABO_NAMES, SABO_SIZES, strict=True)),
        *((n, p, 20) for n, p in KORTTID),
    ]:
        for place in range(1, places + 1):
            day = dt.date(2012, 1, 1) + dt.timedelta(days=rnd.randrange(0, 60))
            while day <= dt.date(YEAR, 12, 31):
                person += 1
                length = max(2, int(rnd.expovariate(1 / mean_stay)))
                end = day + dt.timedelta(days=length - 1)
                last = "" if end > dt.date(YEAR, 12, 31) else end.isoformat()
                w.writerow([name, f"{place:02d}", f"P{person:05d}", day.isoformat(), last])
                day = end + dt.timedelta(days=1 + rnd.choice([0, 1, 2, 3, 5, 8]))
    out["vistelser.csv"] = stays.getvalue()

    points = io.StringIO()
    w = csv.writer(points, lineterminator="\n")
    w.writerow(["unit", "person", "year", "points"])
    unit_points: dict[str, int] = {}
    for name, places, _ in lss:
        total = 0
        for i in range(places):
            p = rnd.randint(8, 60)
            total += p
            w.writerow([name, f"L-{name.split()[-1]}-{i + 1:02d}", YEAR, p])
        unit_points[name] = total
    out["poang.csv"] = points.getvalue()
    bases = sum(LSS_BASE[s] for _, _, s in lss)
    point_value = round((LSS_RESIDENTS * LSS_PER_BRUKARE - bases) / sum(unit_points.values()))
    new = {n: LSS_BASE[s] + unit_points[n] * point_value for n, _, s in lss}

    # The frames of 2012: CONSTRUCTED so that they sum to the model's 2013 total + 7,5 mnkr.
    old = {n: v * rnd.uniform(0.85, 1.20) for n, v in new.items()}
    target = sum(new.values()) - LSS_CHANGE
    scale = target / sum(old.values())
    frames = {n: round(v * scale) for n, v in old.items()}
    first = next(iter(frames))
    frames[first] += target - sum(frames.values())  # whole kronor, exact total
    ramar = io.StringIO()
    w = csv.writer(ramar, lineterminator="\n")
    w.writerow(["recipient", "year", "amount"])
    for n, v in frames.items():
        w.writerow([n, YEAR - 1, v])
    out["lss_ramar_2012.csv"] = ramar.getvalue()

    hours = io.StringIO()
    w = csv.writer(hours, lineterminator="\n")
    w.writerow(["unit", "person", "year", "month", "assessed_hours", "performed_hours"])
    mu = math.log(MEAN_HOURS) - SIGMA**2 / 2
    by_level: dict[str, list[float]] = {name: [] for name, _, _ in LEVELS}
    for unit, (persons, _) in HEMTJANST_UNITS.items():
        tag = unit.split()[-1][:3]
        for i in range(persons):
            need = rnd.lognormvariate(mu, SIGMA)
            for month in range(1, 13):
                assessed = min(225.0, max(1.0, round(need * rnd.uniform(0.85, 1.15) * 2) / 2))
                performed = round(assessed * rnd.uniform(0.8, 1.0), 1)
                by_level[level_of(assessed)].append(assessed)
                w.writerow([unit, f"H-{tag}{i + 1:04d}", YEAR, month, assessed, performed])
    out["omvardnadstimmar.csv"] = hours.getvalue()
    figures: dict[str, float] = {"point_value": float(point_value)}
    for name, values in by_level.items():
        figures[f"level_hours.{name}"] = round(sum(values) / len(values) * 2) / 2
    return out, figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    built, figures = build()
    if args.check:
        stale = [
            n
            for n, t in built.items()
            if not (TENANT / n).exists() or (TENANT / n).read_text("utf-8") != t
        ]
        if stale:
            print(f"out of date: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("up to date")
        return 0
    for name, text in built.items():
        (TENANT / name).write_text(text, encoding="utf-8")
        print(f"wrote {name}")
    print("calibrated (put into ostersund.toml):", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
