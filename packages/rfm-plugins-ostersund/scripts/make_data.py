"""Build the Östersund demo's unit activity (ILLUSTRATIVE) for budget year 2013.

    python scripts/make_data.py            # writes src/rfm_ostersund/tenant/*.csv
    python scripts/make_data.py --check    # exit 1 if the files differ from a rebuild

The audit (seed 002) describes the rules and the sizes, not the registers: about 2 000 persons
with hemtjänst or hemsjukvård (70 000 hours a month), about 400 persons in 69 LSS units, hourly
rates of 300–500 kr. Everything made here is therefore illustrative and seeded (random.Random
with seed 2380), small enough to read: five boenden (two under 20 places, one external on
contract), twelve LSS units, four hemtjänst units with 80 persons. The earlier appropriation frames
of the LSS units are set so that the points model takes exactly 7,5 mnkr from them in 2013, the
change the audit reports; the model's own parameters are in ostersund.toml.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path

TENANT = Path(__file__).resolve().parent.parent / "src" / "rfm_ostersund" / "tenant"
YEAR = 2013
# The LSS parameters of ostersund.toml (kept equal by a test).
LSS_BASE = {"dagtackning": 3_000_000, "vaknatt": 4_500_000}
POINT_VALUE = 15_000
LSS_CHANGE = -7_500_000

UNITS = [
    ("Säbo Norr", "särskilt_boende", 60, "", "", ""),
    ("Säbo Centrum", "särskilt_boende", 40, "", "", ""),
    ("Säbo Brunflo", "särskilt_boende", 16, "", "", ""),
    ("Säbo Extern", "särskilt_boende", 30, "", "", "1950"),
    ("Korttids Lillänge", "korttidsboende", 18, "", "", ""),
    *(
        (
            f"LSS {'Gruppbostad' if i % 3 else 'Servicebostad'} {i}",
            "lss_bostad",
            4 + i % 5,
            "vaknatt" if i % 2 else "dagtackning",
            "",
            "",
        )
        for i in range(1, 13)
    ),
    ("Hemtjänst Centrum", "hemtjanst", "", "", "420", ""),
    ("Hemtjänst Brunflo", "hemtjanst", "", "", "460", ""),
    ("Hemtjänst Lit", "hemtjanst", "", "", "500", ""),
    ("Hemtjänst Extern", "hemtjanst", "", "", "350", ""),
]


def build() -> dict[str, str]:
    rnd = random.Random(2380)
    out: dict[str, str] = {}
    units = io.StringIO()
    w = csv.writer(units, lineterminator="\n")
    w.writerow(["unit", "kind", "places", "staffing", "hourly_rate", "contract_rate"])
    w.writerows(UNITS)
    out["enheter.csv"] = units.getvalue()

    stays = io.StringIO()
    w = csv.writer(stays, lineterminator="\n")
    w.writerow(["unit", "place", "person", "from_date", "to_date"])
    person = 0
    for name, kind, places, *_ in UNITS:
        if kind not in ("särskilt_boende", "korttidsboende"):
            continue
        mean_stay = 700 if kind == "särskilt_boende" else 20
        for place in range(1, int(places) + 1):
            day = dt.date(2012, 1, 1) + dt.timedelta(days=rnd.randrange(0, 300))
            while day <= dt.date(YEAR, 12, 31):
                person += 1
                length = max(2, int(rnd.expovariate(1 / mean_stay)))
                end = day + dt.timedelta(days=length - 1)
                last = "" if end > dt.date(YEAR, 12, 31) else end.isoformat()
                w.writerow([name, f"{place:02d}", f"P{person:05d}", day.isoformat(), last])
                day = end + dt.timedelta(days=1 + rnd.choice([0, 1, 2, 3, 5, 8, 14]))
    out["vistelser.csv"] = stays.getvalue()

    points = io.StringIO()
    w = csv.writer(points, lineterminator="\n")
    w.writerow(["unit", "person", "year", "points"])
    new_total = 0
    lss = [(u[0], int(u[2]), u[3]) for u in UNITS if u[1] == "lss_bostad"]
    unit_points = {}
    for name, places, staffing in lss:
        total = 0
        for i in range(places):
            p = rnd.randint(8, 60)
            total += p
            w.writerow([name, f"L-{name.split()[-1]}-{i + 1:02d}", YEAR, p])
        unit_points[name] = total
        new_total += LSS_BASE[staffing] + total * POINT_VALUE
    out["poang.csv"] = points.getvalue()

    # The earlier frames: spread unevenly around the new amounts, then scaled to the audit's Δ.
    old = {
        n: (LSS_BASE[s] + unit_points[n] * POINT_VALUE) * rnd.uniform(0.75, 1.35) for n, _, s in lss
    }
    target = new_total - LSS_CHANGE
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
    for u in [u[0] for u in UNITS if u[1] == "hemtjanst"]:
        for i in range(20):
            need = rnd.choice([8, 15, 22, 30, 45, 60, 90, 140, 200])
            for month in range(1, 13):
                assessed = min(225.0, max(1.0, round(need * rnd.uniform(0.85, 1.15) * 2) / 2))
                performed = round(assessed * rnd.uniform(0.8, 1.0), 1)
                w.writerow(
                    [u, f"H-{u.split()[-1][:3]}{i + 1:02d}", YEAR, month, assessed, performed]
                )
    out["omvardnadstimmar.csv"] = hours.getvalue()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    built = build()
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
