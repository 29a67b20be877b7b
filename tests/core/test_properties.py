"""Property tests: the invariants money must keep, whatever the numbers."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import rfm
from rfm import largest_remainder, limit_changes, run
from rfm.testing import population_csv

money = st.floats(min_value=0, max_value=1e10, allow_nan=False, allow_infinity=False)
signed_money = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)


@given(st.lists(signed_money, min_size=1, max_size=40), st.sampled_from([1, 1000]))
def test_rounding_parts_sum_to_the_rounded_total(values, unit):
    rounded = largest_remainder(values, unit)
    exact_total = sum(Fraction(v) for v in values) / unit
    assert sum(rounded) == rfm.transitions.round_half_up(exact_total)
    for r, v in zip(rounded, values, strict=True):
        assert abs(r - Fraction(v) / unit) < 1  # each part moves by less than one unit


@given(st.lists(money, min_size=1, max_size=20), st.integers(0, 10**9))
def test_rounding_meets_a_decided_total(values, total):
    assume(sum(values) > 0)
    scaled = [v * total / sum(values) for v in values]
    assert sum(largest_remainder(scaled, 1, total=total)) == total


KEY_TOML = """
[tenant]
id = "nyckel"
[data.need]
path = "need.csv"
[[models]]
id = "nyckel"
type = "distribution_key"
source = "test"
total = {{ 2024 = {total} }}
variables = {{ a = {{ 2024 = {wa} }}, b = {{ 2024 = {wb} }} }}
"""
areas = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=15)


def key_result(tenant_file, registry, rows, total, wa=1.0, wb=0.5):
    need = "area,year,a,b\n" + "".join(f"D{i},2024,{a},{b}\n" for i, (a, b) in enumerate(rows))
    path = tenant_file(KEY_TOML.format(total=total, wa=wa, wb=wb), {"need.csv": need})
    return run(rfm.load_tenant_file(path, registry), registry, [2024])


@given(areas, st.integers(1, 10**10))
def test_distribution_key_is_zero_sum(tenant_file, rfm_registry, rows, total):
    assume(sum(a + b for a, b in rows) > 0)
    result = key_result(tenant_file, rfm_registry, rows, total)
    amounts = result.totals(["recipient"])["amount"].to_list()
    # The rate (total ÷ Σ points) is a quotient held to 16 significant digits; the parts meet
    # the total to that precision before rounding, and exactly once rounded (below).
    assert abs(sum(amounts) - total) <= Decimal(total) * Decimal("1e-15") + Decimal("1e-9")
    assert sum(largest_remainder(amounts)) == total  # and stays exact once rounded to kronor


@given(areas, st.integers(1, 10**9), st.data())
def test_more_need_never_gives_less_money_when_others_stay(
    tenant_file, rfm_registry, rows, total, data
):
    assume(sum(a + b for a, b in rows) > 0)
    i = data.draw(st.integers(0, len(rows) - 1))
    extra = data.draw(st.integers(1, 10**6))
    before = key_result(tenant_file, rfm_registry, rows, total).totals(["recipient"])
    more = list(rows)
    more[i] = (more[i][0] + extra, more[i][1])
    after = key_result(tenant_file, rfm_registry, more, total).totals(["recipient"])
    get = lambda t: t.filter(pl.col("recipient") == f"D{i}")["amount"][0]  # noqa: E731
    assert get(after) >= get(before) - Decimal("1e-6")


AGE_TOML = """
[tenant]
id = "alder"
[data.population]
path = "pop.csv"
[[models]]
id = "ao"
type = "age_bands"
recipient = "ÄO"
source = "test"
[models.bands]
"65-79" = { 2024 = 21900 }
"80+" = { 2024 = 137300 }
"""


@given(
    st.lists(st.integers(0, 5000), min_size=36, max_size=36),
    st.integers(0, 35),
    st.integers(1, 500),
)
def test_more_volume_never_gives_less_money(tenant_file, rfm_registry, counts, age_index, extra):
    def total(cs):
        pop = population_csv({("X", 2024): {65 + k: c for k, c in enumerate(cs)}})
        path = tenant_file(AGE_TOML, {"pop.csv": pop})
        return (
            run(rfm.load_tenant_file(path, rfm_registry), rfm_registry, [2024])
            .lineage["amount"]
            .sum()
        )

    more = list(counts)
    more[age_index] += extra
    assert total(more) > total(counts)


@given(areas, st.integers(1, 10**9))
def test_same_input_gives_the_same_output(tenant_file, rfm_registry, rows, total):
    assume(sum(a + b for a, b in rows) > 0)
    first = key_result(tenant_file, rfm_registry, rows, total).lineage
    second = key_result(tenant_file, rfm_registry, rows, total).lineage
    assert first.equals(second)


BLEND_TOML = """
[tenant]
id = "blend"
[data.need]
path = "need.csv"
[[models]]
id = "ny"
type = "distribution_key"
source = "t"
total = {{ 2006 = {total} }}
points_column = "a"
[[models]]
id = "gammal"
type = "distribution_key"
source = "t"
total = {{ 2006 = {total} }}
points_column = "b"
[[models]]
id = "overgang"
type = "blend"
old = "gammal"
new = "ny"
source = "t"
new_share = {{ 2006 = {share} }}
"""


@given(
    st.lists(st.tuples(st.integers(1, 10**5), st.integers(1, 10**5)), min_size=1, max_size=10),
    st.integers(1, 10**9),
    st.floats(0, 1),
)
def test_a_blend_lies_between_its_parts(tenant_file, rfm_registry, rows, total, share):
    need = "area,year,a,b\n" + "".join(f"D{i},2006,{a},{b}\n" for i, (a, b) in enumerate(rows))
    path = tenant_file(BLEND_TOML.format(total=total, share=share), {"need.csv": need})
    result = run(rfm.load_tenant_file(path, rfm_registry), rfm_registry, [2006])
    by = result.all_lineage.group_by("model", "recipient").agg(pl.col("amount").sum())
    amount = {(m, r): a for m, r, a in by.iter_rows()}
    for i in range(len(rows)):
        new, old, mix = (amount[(m, f"D{i}")] for m in ("ny", "gammal", "overgang"))
        assert min(new, old) - Decimal("1e-6") <= mix <= max(new, old) + Decimal("1e-6")
    assert float(sum(amount[("overgang", f"D{i}")] for i in range(len(rows)))) == pytest.approx(
        total
    )


@given(
    st.lists(st.tuples(st.floats(1, 1e8), st.floats(1, 1e8)), min_size=2, max_size=12),
    st.floats(0.01, 0.5),
    st.floats(0.01, 0.5),
)
def test_caps_and_floors_keep_the_total_and_the_bounds(pairs, inc, dec):
    targets = [t for t, _ in pairs]
    previous = [p for _, p in pairs]
    total = sum(targets)
    # Feasible only if the bounds can hold the total.
    assume(sum(p * (1 - dec) for p in previous) <= total <= sum(p * (1 + inc) for p in previous))
    limited = limit_changes(targets, previous, inc, dec)
    assert sum(limited) == pytest.approx(total, rel=1e-9)
    for amount, prev in zip(limited, previous, strict=True):
        assert prev * (1 - dec) * (1 - 1e-9) <= amount <= prev * (1 + inc) * (1 + 1e-9)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, max_value=1e15, min_value=-1e15),
            st.decimals(min_value=-200000, max_value=200000, places=10, allow_nan=False).map(float),
            st.integers(-(10**15), 10**15).map(float),
            st.sampled_from(
                [
                    25.15,
                    0.1,
                    0.1 + 0.2,
                    16347.5,
                    1e-10,
                    131071.9999999999,
                    2.0**17,
                    32.8852,
                    177.85625,
                    109.5842,
                ]
            ),
        ),
        max_size=50,
    )
)
def test_exact_series_is_the_shortest_decimal_of_each_float(values):
    """The fast conversion of amounts' factors gives what formatting each float as text gives."""
    from rfm.contract import exact_series

    # as given (mostly distinct), and repeated past a thousand rows (few distinct: each once)
    repeated = values * (1 + 1001 // len(values)) if values else []
    for sample in (values, repeated):
        check_exact(sample, exact_series(pl.Series(sample, dtype=pl.Float64)).to_list())


def check_exact(values: list[float], got: list[Decimal]) -> None:
    for value, exact in zip(values, got, strict=True):
        if abs(value) > 1e15:  # above rfm.money.LIMIT: refused before any amount is made
            continue
        with localcontext() as ctx:
            ctx.prec = 60  # 20 decimals beside up to 16 whole digits
            assert exact == Decimal(repr(value)).quantize(Decimal(10) ** -20), value


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False).map(float),
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 7),
)
def test_exact_amounts_are_the_same_whatever_the_chunk(pairs, chunk):
    """Amounts computed a chunk of rows at a time are the products of the rows' decimals."""
    import rfm.contract as contract

    volumes = pl.Series([v for v, _ in pairs], dtype=pl.Float64)
    rates = pl.Series([r for _, r in pairs], dtype=pl.Float64)
    original = contract.AMOUNT_CHUNK
    try:
        contract.AMOUNT_CHUNK = chunk
        chunked = contract.exact_amounts(volumes, rates).to_list()
    finally:
        contract.AMOUNT_CHUNK = original
    with localcontext() as ctx:
        ctx.prec = 80
        for (v, r), got in zip(pairs, chunked, strict=True):
            twenty = Decimal(10) ** -20
            exact = Decimal(repr(v)).quantize(twenty) * Decimal(repr(r)).quantize(twenty)
            # Polars rounds the product to 20 decimals and then to 12, each half to even
            expected = exact.quantize(twenty).quantize(Decimal(10) ** -12)
            assert got == expected, (v, r)


_NAMES = st.one_of(
    st.text(max_size=5),
    st.sampled_from(
        ["Å", "Ä", "Ö", "a", "Z", "é", "e\u0301", "\ue000", "\U0001f600", "ß", "-1", "10"]
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_NAMES, st.integers(2020, 2030), _NAMES), max_size=40),
    st.sampled_from([pl.String, pl.Categorical]),
    st.sampled_from([pl.String, pl.Categorical]),
    st.lists(_NAMES, max_size=50),
    st.booleans(),
    st.booleans(),
)
def test_canonical_order_is_a_sort_by_recipient_year_and_component_as_text(
    rows, recipient_type, component_type, earlier, repeated, by_hash
):
    """in_canonical_order ranks each text column by its distinct values (a Categorical's found
    by their codes, looked up in a table or, past _LOOKUP_LIMIT, by hash): the rows come out
    as Python sorts (recipient, year, component) as text, whatever categories exist already."""
    import rfm.contract as contract

    pl.Series(earlier, dtype=pl.Categorical)  # categories made before: codes not in text order
    rows = rows * (1 + 1200 // len(rows)) if repeated and rows else rows
    frame = pl.DataFrame(
        {
            "model": ["m"] * len(rows),
            "recipient": pl.Series([r for r, _, _ in rows], dtype=pl.String).cast(recipient_type),
            "year": pl.Series([y for _, y, _ in rows], dtype=pl.Int32),
            "component": pl.Series([c for _, _, c in rows], dtype=pl.String).cast(component_type),
        }
    )
    limit = contract._LOOKUP_LIMIT
    try:
        contract._LOOKUP_LIMIT = 1 if by_hash else limit
        ordered = contract.in_canonical_order(frame)
    finally:
        contract._LOOKUP_LIMIT = limit
    keys = [(str(r), y, str(c)) for r, y, c in ordered.select(list(contract.ORDER[1:])).iter_rows()]
    assert keys == sorted((r, y, c) for r, y, c in rows)
