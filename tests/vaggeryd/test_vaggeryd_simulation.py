"""Vaggeryd carries a [simulation] table, so ``rfm simulate vaggeryd`` can be tried at once."""

from __future__ import annotations

import json


def simulated(rfm_cli, *args: str) -> list[dict[str, object]]:
    done = rfm_cli("simulate", "vaggeryd", "--draws", "400", "--format", "json", *args)
    assert done.exit_code == 0, done.output
    rows = json.loads(done.stdout)
    return rows["rows"] if isinstance(rows, dict) else rows


def test_simulate_vaggeryd_runs_its_report_years_with_widening_bands(rfm_cli):
    rows = simulated(rfm_cli)  # no --years: [report] years = "2023-2030"
    assert sorted({r["year"] for r in rows}) == list(range(2023, 2031))
    for r in rows:
        assert r["p5"] < r["p50"] < r["p95"], r
        assert r["p5"] < r["amount"] < r["p95"], r

    def width(model: str, year: int) -> float:
        (r,) = [r for r in rows if r["model"] == model and r["year"] == year]
        return (r["p95"] - r["p5"]) / r["amount"]

    # the forecast starts in 2021: the error is a random walk, wider every year after
    model = "aldreomsorg_sarskilt_boende"
    assert width(model, 2023) < width(model, 2026) < width(model, 2030)
    # both models that count only the 80+ draw the same path of the one kommun's population,
    # so their relative bands are equal
    for year in range(2023, 2031):
        assert abs(width(model, year) - width("halso_sjukvard", year)) < 1e-9


def test_the_same_seed_gives_the_same_figures(rfm_cli):
    assert simulated(rfm_cli, "--seed", "7") == simulated(rfm_cli, "--seed", "7")
    assert simulated(rfm_cli, "--seed", "7") != simulated(rfm_cli, "--seed", "8")
