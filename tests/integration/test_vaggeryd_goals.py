"""Goals beside money: Vaggeryd's indicators judged against a Kolada-shaped local server."""

from __future__ import annotations

import json

import rfm
from rfm_kolada import KoladaClient
from rfm_kolada.goals import goal_report
from tests.kolada.server import ROWS

YEAR = 2023


def kolada_value(kpi: str, where: str) -> float | None:
    for r in ROWS:
        if (r["kpi"], r["municipality"], r["period"]) == (kpi, where, YEAR):
            return r["values"][0]["value"]
    return None


def expected(indicator, margin: float = 0.0) -> str:
    """The rule written out once more, independently of rfm_kolada.goals."""
    value = kolada_value(indicator.kpi, "0665")
    if value is None:
        return "kan inte bedömas"
    better = (
        (lambda v, r: v >= r - margin)
        if indicator.direction == "higher"
        else (lambda v, r: v <= r + margin)
    )
    if indicator.fixed_value is not None:
        return "uppfyllt" if better(value, indicator.fixed_value) else "ej uppfyllt"
    where = {"county": "0006", "country": "0000"}
    refs = [kolada_value(indicator.kpi, where[c]) for c in indicator.comparisons]
    known = [r for r in refs if r is not None]
    ok = [better(value, r) for r in known]
    if indicator.require == "any":
        return (
            "uppfyllt"
            if any(ok)
            else ("kan inte bedömas" if len(known) < len(refs) else "ej uppfyllt")
        )
    if not all(ok):
        return "ej uppfyllt"
    return "kan inte bedömas" if len(known) < len(refs) else "uppfyllt"


def test_rfm_goals_vaggeryd_judges_each_indicator_by_its_rule(
    kolada_cli, kolada_env, rfm_cli, tmp_path, monkeypatch
):
    out = rfm_cli("goals", "vaggeryd", "--year", str(YEAR), "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    tenant = rfm.PluginHost().registry.tenant("vaggeryd")
    assert tenant.goals is not None and len(rows) == len(tenant.goals.indicators) == 17
    statuses = {r["kpi"]: r["bedomning"] for r in rows}
    for indicator in tenant.goals.indicators:
        assert statuses[indicator.kpi] == expected(indicator), indicator.kpi
    # The cases the data were built for: met, not met, met on the county alone while the
    # country is missing, and missing values that are neither passes nor failures.
    assert statuses["U28570"] == "uppfyllt" and statuses["U28523"] == "ej uppfyllt"
    assert statuses["U28521"] == "uppfyllt" and statuses["U28518"] == "kan inte bedömas"
    assert statuses["U33594"] == "kan inte bedömas"
    missing = next(r for r in rows if r["kpi"] == "U28518")
    assert missing["kommunen"] is None and missing["lanet"] == 77
    # Money beside the goals: the frame and the models' change of each programområde.
    buildup = rfm.build_frame(tenant, rfm.PluginHost().registry, YEAR)
    frames = {r["program"]: r for r in buildup.table.iter_rows(named=True)}
    for r in rows:
        assert r["ram"] == float(frames[r["programomrade"]]["frame"])
    table = rfm_cli("goals", "vaggeryd", "--year", str(YEAR))
    frame_771 = rfm.format_number(round(frames["771 Äldreomsorg"]["frame"]), 0)
    assert f"771 Äldreomsorg — ram {YEAR}: {frame_771} kr" in table.output


GOALS_VARIANT = """
[tenant]
id = "vaggeryd-mal"
extends = "vaggeryd"
[goals]
source = "test"
margin = {margin}
[goals.list]
"1" = "Ett mål"
[[goals.indicators]]
kpi = "U23463"
title = "t"
goals = [1]
program = "771 Äldreomsorg"
direction = "higher"
target = ["county"]
[[goals.indicators]]
kpi = "U23460"
title = "t"
goals = [1]
program = "771 Äldreomsorg"
direction = "lower"
target = ["country"]
[[goals.indicators]]
kpi = "U23461"
title = "t"
goals = [1]
program = "771 Äldreomsorg"
direction = "higher"
target = ["county", "country"]
require = "all"
[[goals.indicators]]
kpi = "U28570"
title = "t"
goals = [1]
program = "Funktionshinderomsorg (LSS)"
direction = "higher"
target = {{ value = 85 }}
"""


def test_county_targets_lower_is_better_fixed_values_and_the_margin(
    rfm_cli, kolada_env, tenant_file, tmp_path, monkeypatch
):
    registry = rfm.PluginHost().registry
    for margin in (0, 3):
        path = tenant_file(GOALS_VARIANT.format(margin=margin))
        tenant = rfm.load_tenant_file(path, registry)
        with KoladaClient(
            kolada_env.base_url, cache_dir=tmp_path / "c", max_per_second=50
        ) as client:
            report = goal_report(client, tenant, registry, YEAR)
        got = {j.indicator.kpi: j.status for j in report.judgements}
        for indicator in tenant.goals.indicators:
            assert got[indicator.kpi] == expected(indicator, margin), (margin, indicator.kpi)
        # U23463: 65 against the county's 64 → met (the country's 66 is not the target).
        assert got["U23463"] == "uppfyllt"
        # U23460, lower is better: 38 against the country's 37 → only within a margin of 3.
        assert got["U23460"] == ("ej uppfyllt" if margin == 0 else "uppfyllt")
        # U23461 must beat both county (78) and country (80): 75 is not, even with margin 3.
        assert got["U23461"] == "ej uppfyllt"
        assert got["U28570"] == ("ej uppfyllt" if margin == 0 else "uppfyllt")  # 82 vs 85 (− 3)


def test_the_report_shows_money_and_goals_side_by_side(rfm_cli, kolada_env, tmp_path):
    out = tmp_path / "vaggeryd.html"
    done = rfm_cli("report", "vaggeryd", "--years", "2024-2026", "--out", str(out))
    assert done.exit_code == 0, done.output
    section = out.read_text(encoding="utf-8").split('id="goals"')[1].split("</section>")[0]
    for program in ("771 Äldreomsorg", "750 Verkställighet IFO", "Funktionshinderomsorg (LSS)"):
        assert f"<h3>{program}</h3>" in section
    assert "ram 2023:" in section and "modellernas förändring" in section
    assert section.count('<td class="status">') == 17
    assert "kan inte bedömas" in section and "ej uppfyllt" in section


def test_the_goals_workbook_reads_back(rfm_cli, kolada_env, tmp_path):
    import fastexcel

    out = tmp_path / "mal.xlsx"
    done = rfm_cli("goals", "vaggeryd", "--year", str(YEAR), "--format", "xlsx", "--out", str(out))
    assert done.exit_code == 0, done.output
    rows = fastexcel.read_excel(str(out)).load_sheet("Mål och resurser", header_row=3).to_polars()
    assert rows.height == 17
    as_json = json.loads(
        rfm_cli("goals", "vaggeryd", "--year", str(YEAR), "--format", "json").stdout
    )
    assert rows["Bedömning"].to_list() == [r["bedomning"] for r in as_json]
    # In --round's unit (kr by default), rounded half up from rfm's exact frame.
    assert [float(v) for v in rows["Ram (kr)"].to_list()] == [
        float(round(r["ram"])) for r in as_json
    ]


def test_the_trend_aim_is_judged_against_the_year_before(rfm_cli, kolada_env):
    """Seed 004: every indicator's "Målvärde* (2022)" is "→ ↑". Read as a trend, the aim is a
    value not lower than the year before; judged beside the county/country target."""

    def of(kpi: str, year: int) -> float | None:
        for r in ROWS:
            if (r["kpi"], r["municipality"], r["period"]) == (kpi, "0665", year):
                return r["values"][0]["value"]
        return None

    rows = json.loads(rfm_cli("goals", "vaggeryd", "--year", str(YEAR), "--format", "json").stdout)
    seen = set()
    for r in rows:
        assert r["trend"] == "→ ↑"
        now, before = of(r["kpi"], YEAR), of(r["kpi"], YEAR - 1)
        want = (
            "kan inte bedömas"
            if now is None or before is None
            else ("uppfyllt" if now >= before else "ej uppfyllt")
        )
        assert (r["trendbedomning"], r["fjolaret"]) == (want, before), r["kpi"]
        seen.add(want)
    assert seen == {"uppfyllt", "ej uppfyllt", "kan inte bedömas"}
    table = rfm_cli("goals", "vaggeryd", "--year", str(YEAR)).output
    assert "Året före" in table and "Trend (→ ↑: inte sämre än året före; ↑: bättre)" in table


def test_goals_refuses_a_device_as_out_before_asking_kolada(rfm_cli, tmp_path):
    """--out is checked first: nothing is fetched (offline, empty cache) and /dev/null is kept."""
    out = rfm_cli(
        "goals", "vaggeryd", "--year", str(YEAR), "--format", "xlsx", "--out", "/dev/null",
        "--offline", "--cache-dir", str(tmp_path / "cache"),
    )  # fmt: skip
    assert out.exit_code == 1, out.output
    assert "/dev/null: is a character device, not a regular file" in out.stderr
    assert "Traceback" not in out.output
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
