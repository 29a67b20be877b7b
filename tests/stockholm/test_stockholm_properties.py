"""Property tests on Stockholm's packaged models, with random budgets, need data and indices.

Each example is the packaged tenant (``extends = "stockholm"``) with its data and budgets
replaced, so the invariants are checked on the real configuration: its weights, its step-2
index, the merged budget, the old models and the 70/30 transition.
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import rfm
from rfm import largest_remainder, run

DISTRICTS = [
    "Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
    "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Älvsjö",
    "Hägersten-Liljeholmen", "Skärholmen",
]  # fmt: skip
NEED_VARIABLES = [
    "ej_forvarvsarbetande_utrikes_fodda", "lag_inkomst", "arbetslosa", "lagutbildade",
    "boende_hyresratt_niva_1",
]  # fmt: skip
OLD_VARIABLES = [
    "utbetalt_kr", "arenden_bifall", "arenden_avslag", "oppet_arbetslosa", "arbetslosa_i_program",
    "arbetslosa_18_24",
]  # fmt: skip
YEARS = [2006, 2007]

counts = st.integers(1, 200_000)
need_rows = st.lists(
    st.tuples(st.lists(counts, min_size=5, max_size=5), st.floats(0.5, 1.5)),
    min_size=len(DISTRICTS),
    max_size=len(DISTRICTS),
)
old_rows = st.lists(st.lists(counts, min_size=6, max_size=6), min_size=15, max_size=15)
budgets = st.tuples(*(st.integers(1, 5 * 10**9) for _ in range(3)))


def write_variant(tenant_file, need, old, money) -> str:
    behov = "area,year,befolkning," + ",".join(NEED_VARIABLES) + ",justeringsindex\n"
    for year in (2005, 2006):
        for d, (values, index) in zip(DISTRICTS, need, strict=True):
            behov += f"{d},{year},1000,{','.join(map(str, values))},{index:.6f}\n"
    gammal = "area,year," + ",".join(OLD_VARIABLES) + "\n"
    for year in (2004, 2005):
        for d, values in zip([*DISTRICTS, "Enhet för hemlösa"], old, strict=True):
            gammal += f"{d},{year},{','.join(map(str, values))}\n"
    overrides = "".join(
        f'[overrides."{key}"]\nunit = "kr"\nvalues = {{ 2006 = {{ value = {v}, source = "t" }}, '
        f'2007 = {{ value = {v + 1}, source = "t" }} }}\n'
        for key, v in zip(
            ("budget.utbetalt", "budget.handlaggning", "budget.arbetsmarknad"), money, strict=True
        )
    )
    toml = (
        '[tenant]\nid = "sthlm-prop"\nextends = "stockholm"\n'
        '[data.behov]\npath = "behov.csv"\nschema = "area_variables"\n'
        '[data.gammal_modell]\npath = "gammal.csv"\nschema = "area_variables"\n' + overrides
    )
    return str(tenant_file(toml, {"behov.csv": behov, "gammal.csv": gammal}))


def per_recipient(result, model: str, year: int) -> dict[str, float]:
    rows = result.all_lineage.filter((pl.col("model") == model) & (pl.col("year") == year))
    return dict(rows.group_by("recipient").agg(pl.col("amount").cast(pl.Float64).sum()).iter_rows())


@settings(max_examples=20)
@given(need_rows, old_rows, budgets)
def test_every_budget_is_met_exactly_after_transition_and_rounding(
    tenant_file, rfm_registry, need, old, money
):
    tenant = rfm.load_tenant_file(write_variant(tenant_file, need, old, money), rfm_registry)
    result = run(tenant, rfm_registry, YEARS)
    utbetalt, handlaggning, arbetsmarknad = money
    for year in YEARS:
        bump = year - 2006  # the variant's 2007 budgets are one krona higher
        for model, total in (
            ("ekonomiskt_bistand", utbetalt + handlaggning + 2 * bump),
            ("arbetsmarknadsatgarder", arbetsmarknad + bump),
        ):
            parts = per_recipient(result, model, year)
            assert set(parts) == set(DISTRICTS)
            assert sum(largest_remainder(list(parts.values()), 1, total=total)) == total
            assert sum(largest_remainder(list(parts.values()))) == total  # from the sum itself


@settings(max_examples=12)
@given(
    need_rows,
    old_rows,
    budgets,
    st.integers(0, len(DISTRICTS) - 1),
    st.lists(st.integers(0, 100_000), min_size=5, max_size=5),
    st.floats(0, 0.5),
)
def test_raising_a_districts_need_never_lowers_its_share(
    tenant_file, rfm_registry, need, old, money, district, extra, index_rise
):
    def share(rows) -> float:
        tenant = rfm.load_tenant_file(write_variant(tenant_file, rows, old, money), rfm_registry)
        result = run(tenant, rfm_registry, [2006])
        got = per_recipient(result, "ekonomiskt_bistand", 2006)
        return got[DISTRICTS[district]] / sum(got.values())

    before = share(need)
    values, index = need[district]
    raised = list(need)
    raised[district] = ([v + e for v, e in zip(values, extra, strict=True)], index + index_rise)
    assert share(raised) >= before - 1e-12
