"""The Vaggeryd report shows its Kolada KPIs when rfm-kolada is installed (issue 5)."""

from __future__ import annotations

from tests.kolada.test_report_section import check_benchmark_section


def test_the_vaggeryd_report_shows_its_kolada_kpis(rfm_cli, kolada_env, tmp_path):
    out = tmp_path / "vaggeryd.html"
    done = rfm_cli("report", "vaggeryd", "--years", "2024-2026", "--out", str(out))
    assert done.exit_code == 0, done.output
    check_benchmark_section(out.read_text(encoding="utf-8"))
