"""Build the Kolada test fixtures in this folder from real Kolada data.

    pip install rdata pandas
    python tests/kolada/data/make_fixtures.py /path/to/rkolada-v3-2026-03-23/sysdata.rda

The input is rKolada's ``R/sysdata.rda`` (LCHansson/rKolada, blob 84768d04a000, 2026-03-23):
Kolada **v3** responses parsed into R tables (see the project's shared data README). This script
turns the parsed tables back into v3 objects, unchanged in content:

* ``kpi.json`` — KPI records from the real v3 catalogue (all 12 fields), for the ids rfm-kolada
  uses and for every KPI whose title starts with one of ``TITLE_PREFIXES`` (for searches);
* ``municipality.json`` — all 312 municipalities and regions;
* ``municipality_groups.json`` — the SKR kommungrupper 2017 (G92786–G92794), "Alla kommuner"
  (G2328) and the group of the rKolada extract (G176199), with their real members;
* ``data_real.json`` — every real data row of the snapshot (N00945 for Stockholm, Malmö and
  Göteborg 2000–2020; N03702/N03703 for the three cities 2012–2019 and for eight municipalities
  2012–2023) as v3 rows ``{kpi, municipality, period, values: [{count, gender, status, value}]}``.

``data_costs.json`` is not made here: the snapshot has no cost KPIs. It is written by hand and
documented in README.md.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
IDS = {
    "N30005", "N20014", "N28016", "N31008", "N30001", "N20900", "N28018", "N30007", "N20016",
    "N28026", "N30014", "N21013", "N28017", "N01951", "N01938", "N01957", "N00945", "N03702",
    "N03703",
}  # fmt: skip
TITLE_PREFIXES = ("Nettokostnad", "Referenskostnad", "Standardkostnad", "Brukarbedömning")
GROUPS = (
    {f"G{n}" for n in range(92786, 92795)}
    | {f"G{n}" for n in range(30823, 30832)}
    | {"G2328", "G176199"}
)


def main(path: str) -> None:
    import rdata  # type: ignore[import-not-found]

    warnings.simplefilter("ignore")
    tables = rdata.conversion.convert(rdata.parser.parse_file(path))

    def records(frame):  # type: ignore[no-untyped-def]
        return json.loads(frame.to_json(orient="records", force_ascii=False))

    kpis = tables["kpi_df"]
    keep = kpis[kpis["id"].isin(IDS) | kpis["title"].str.startswith(TITLE_PREFIXES)]
    write("kpi.json", sorted(records(keep), key=lambda r: r["id"]))
    write("municipality.json", records(tables["munic"]))
    groups = tables["munic_g"]
    chosen = []
    for _, g in groups[groups["id"].isin(GROUPS)].iterrows():
        chosen.append({"id": g["id"], "title": g["title"], "members": records(g["members"])})
    chosen += [
        {"id": g["id"], "title": g["title"], "members": records(g["members"])}
        for _, g in tables["munic_grp_filter"].iterrows()
        if g["id"] not in {c["id"] for c in chosen}
    ]
    write("municipality_groups.json", sorted(chosen, key=lambda g: g["id"]))
    rows: dict[tuple[str, str, int], dict] = {}
    for name in ("n00945", "kld_data", "grp_data"):
        for r in records(tables[name]):
            key = (r["kpi"], r["municipality_id"], int(r["year"]))
            row = rows.setdefault(
                key, {"kpi": key[0], "municipality": key[1], "period": key[2], "values": []}
            )
            value = {k: r[k] for k in ("count", "gender", "status", "value")}
            if value not in row["values"]:
                row["values"].append(value)
    write("data_real.json", [rows[k] for k in sorted(rows)])


def write(name: str, content: object) -> None:
    text = json.dumps(content, ensure_ascii=False, indent=1) + "\n"
    (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {name}")


if __name__ == "__main__":
    main(sys.argv[1])
