"""A goal set is tenant data: every indicator names its KPI, goals, programme, direction, target."""

from __future__ import annotations

import pytest

import rfm
from tests.core.test_models import POP

BASE = """
[tenant]
id = "mal"
[data.population]
path = "pop.csv"
[[models]]
id = "m"
type = "age_bands"
recipient = "SN"
source = "KF"
bands = {{ "65+" = {{ 2024 = 100 }} }}
[goals]
source = "Nämndens mål"
[goals.list]
"1" = "Trygghet"
"2" = "Delaktighet"
[[goals.indicators]]
kpi = "U23464"
title = "Brukarbedömning särskilt boende äldreomsorg - mycket trygga, andel (%)"
goals = {goals}
program = "Äldreomsorg"
direction = "{direction}"
target = {target}
"""


def load(tenant_file, registry, **fields):
    values = {"goals": "[1]", "direction": "higher", "target": '["county", "country"]'} | fields
    return rfm.load_tenant_file(tenant_file(BASE.format(**values), {"pop.csv": POP}), registry)


def test_a_goal_set_is_read(tenant_file, rfm_registry):
    goals = load(tenant_file, rfm_registry).goals
    assert goals is not None and goals.goals == {1: "Trygghet", 2: "Delaktighet"}
    (indicator,) = goals.indicators
    assert (indicator.kpi, indicator.goals, indicator.comparisons, indicator.require) == (
        "U23464", (1,), ("county", "country"), "any",
    )  # fmt: skip
    assert indicator.target_text() == "i paritet med eller bättre än länet eller riket"
    fixed = load(tenant_file, rfm_registry, target="{ value = 80 }", direction="lower").goals
    assert fixed is not None and fixed.indicators[0].fixed_value == 80.0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"goals": "[3]"}, "goals: expected goal numbers among"),
        ({"direction": "up"}, "direction: higher or lower"),
        ({"target": '["landstinget"]'}, "target: a list of county, country, kommungrupp"),
    ],
)
def test_a_bad_indicator_is_named(tenant_file, rfm_registry, fields, message):
    with pytest.raises(rfm.ConfigError, match=message):
        load(tenant_file, rfm_registry, **fields)


@pytest.mark.parametrize(("raw", "trend"), [('"→ ↑"', "→ ↑"), ('"→↑"', "→ ↑"), ('"↑"', "↑")])
def test_a_trend_aim_is_read(tenant_file, rfm_registry, raw, trend):
    """Seed 004 writes "→ ↑" under each indicator's Målvärde."""
    goals = load(tenant_file, rfm_registry, target=f'["county"]\ntrend = {raw}').goals
    assert goals is not None and goals.indicators[0].trend == trend


def test_an_unknown_trend_is_named(tenant_file, rfm_registry):
    with pytest.raises(rfm.ConfigError, match="trend:"):
        load(tenant_file, rfm_registry, target='["county"]\ntrend = "↗"')
