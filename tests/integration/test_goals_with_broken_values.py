"""A Kolada value that is not a number makes an indicator "kan inte bedömas", never a verdict."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_vaggeryd_goals import YEAR


@pytest.mark.parametrize("sent", ["NaN", True, float("nan")])
def test_rfm_goals_cannot_judge_what_kolada_sent_as_no_number(kolada_env, rfm_cli, tmp_path, sent):
    before = json.loads(
        rfm_cli("goals", "vaggeryd", "--year", str(YEAR), "--format", "json").stdout
    )
    judged = {r["kpi"] for r in before if r["bedomning"] != "kan inte bedömas"}
    assert len(judged) >= 10  # most indicators can be judged with good values
    for row in kolada_env.rows:  # every value of the year broken, as the issue found it
        if row["period"] == YEAR:
            row["values"] = [dict(v, value=sent) for v in row["values"]]
    fresh = str(tmp_path / "fresh-cache")  # not the answers cached above
    out = rfm_cli(
        "goals", "vaggeryd", "--year", str(YEAR), "--format", "json", "--cache-dir", fresh
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    assert len(rows) == 17
    assert {r["bedomning"] for r in rows} == {"kan inte bedömas"}
    assert all(r["kommunen"] is None for r in rows)
    assert all("ogiltigt värde från Kolada" in r["motivering"] for r in rows)
