"""rfm-kolada adds its benchmark to rfm's HTML report for any tenant with a kommunkod."""

from __future__ import annotations

from tests.kolada.server import ROWS

TENANT = """
[tenant]
id = "kommun-0665"
name = "En kommun"
kommunkod = "0665"
[[models]]
id = "ifo"
type = "per_capita_standard_cost"
recipient = "Socialnämnden"
source = "KF"
standard_cost = { 2024 = 5000 }
[data.population]
path = "pop.csv"
"""
POP = "area,year,age,count\n0665,2024,0+,14000\n"


def check_benchmark_section(html: str) -> None:
    """Vaggeryd's (0665) benchmark for 2023, every figure from the local server's data."""
    section = html.split('id="kolada"')[1].split("</section>")[0]
    assert "Nettokostnad per invånare 2023: Vaggeryd (0665)" in section
    assert "Pendlingskommun nära större stad (ovägt medel) (G92792)" in section
    values = {
        (r["kpi"], r["municipality"]): r["values"][0]["value"] for r in ROWS if r["period"] == 2023
    }
    for kpi in ("N30005", "N20014", "N28016", "N31008"):
        for where in ("0665", "0000", "G92792"):
            shown = f"{values[kpi, where]:,.0f}".replace(",", " ")
            assert f"<td class=n>{shown}</td>" in section, (kpi, where)
    assert "<td class=n>87,5</td>" in section  # 100 × 4 900 ÷ 5 600
    assert "Källa: Kolada" in section


def test_the_report_shows_the_kolada_benchmark(rfm_cli, kolada, tenant_file, tmp_path, monkeypatch):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    config = tenant_file(TENANT, {"pop.csv": POP})
    out = tmp_path / "rapport.html"
    done = rfm_cli("report", "--config", str(config), "--years", "2024", "--out", str(out))
    assert done.exit_code == 0, done.output
    check_benchmark_section(out.read_text(encoding="utf-8"))


def test_the_report_says_when_kolada_cannot_be_reached(rfm_cli, tenant_file, tmp_path, monkeypatch):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", "http://127.0.0.1:9/v3")  # nothing listens there
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    config = tenant_file(TENANT, {"pop.csv": POP})
    out = tmp_path / "rapport.html"
    done = rfm_cli("report", "--config", str(config), "--years", "2024", "--out", str(out))
    assert done.exit_code == 0, done.output
    section = out.read_text(encoding="utf-8").split('id="kolada"')[1]
    assert "Kolada svarade inte, så jämförelsen saknas" in section
    assert "rfm kolada benchmark 0665 --year 2023" in section
