"""rfm-kolada adds its benchmark to rfm's HTML report (the Vaggeryd report shows its KPIs)."""

from __future__ import annotations

from tests.kolada.server import ROWS


def test_the_vaggeryd_report_shows_its_kolada_kpis(rfm_cli, kolada, tmp_path, monkeypatch):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", kolada.base_url)
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "vaggeryd.html"
    done = rfm_cli("report", "vaggeryd", "--years", "2024-2026", "--out", str(out))
    assert done.exit_code == 0, done.output
    html = out.read_text(encoding="utf-8")
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


def test_the_report_says_when_kolada_cannot_be_reached(rfm_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("RFM_KOLADA_BASE_URL", "http://127.0.0.1:9/v3")  # nothing listens there
    monkeypatch.setenv("RFM_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "vaggeryd.html"
    done = rfm_cli("report", "vaggeryd", "--years", "2024", "--out", str(out))
    assert done.exit_code == 0, done.output
    section = out.read_text(encoding="utf-8").split('id="kolada"')[1]
    assert "Kolada-jämförelsen kunde inte hämtas" in section
    assert "rfm kolada benchmark 0665 --year 2023" in section
