"""One rounding for every output, terminal tables that fit, and text from data kept harmless."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfm.display_rounding import Rounding, natural_sorted, nested, nested_exact
from rfm.errors import ConfigError
from rfm.safe_text import csv_cell, csv_safe_frame, markdown_text, terminal_text
from rfm.textable import text_table


@pytest.mark.parametrize(
    ("text", "unit", "decimals"),
    [("kr", "kr", 0), ("tkr", "tkr", 0), ("mnkr:1", "mnkr", 1), ("tkr,2", "tkr", 2)],
)
def test_round_takes_a_unit_and_decimals(text, unit, decimals):
    assert Rounding.parse(text) == Rounding(unit, decimals)


@pytest.mark.parametrize("text", ["", "ore", "tkr:9", "kr:-1", "TKR"])
def test_round_refuses_anything_else(text):
    with pytest.raises(ConfigError, match="--round"):
        Rounding.parse(text)


def test_the_issues_example_rounds_half_up_everywhere():
    # 25,15 kr × 650 = 16 347,50 kr exactly (a Decimal amount): shown as 16 348.
    amount = Decimal("25.15") * 650
    frame = pl.DataFrame(
        {"model": ["m"], "recipient": ["r"], "year": [2024], "amount": [float(amount)]}
    )
    assert Rounding().steps(amount) == 16348
    *_, recipients = nested(frame, [["year"], ["year", "model"], ["year", "model", "recipient"]],
                            Rounding())  # fmt: skip
    assert recipients["steps"].to_list() == [16348]
    assert Rounding("tkr", 1).text(Rounding("tkr", 1).steps(amount)) == "16,3"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["x", "y", "z"]),
            st.integers(-(10**9), 10**9).map(lambda n: n / 2),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda t: t[:2],
    ),
    st.sampled_from([Rounding(), Rounding("tkr"), Rounding("tkr", 1), Rounding("mnkr", 2)]),
)
def test_nested_rounding_adds_up_at_every_level(rows, rounding):
    frame = pl.DataFrame(
        [(m, r, 2024, v) for m, r, v in rows],
        schema=["model", "recipient", "year", "amount"],
        orient="row",
    )
    year, model, recipient = nested(
        frame, [["year"], ["year", "model"], ["year", "model", "recipient"]], rounding
    )
    step = rounding.step
    total = sum(Fraction(v) for *_, v in rows)
    x = total / step  # half up, a negative half away from zero (as budget tables round)
    assert year["steps"][0] == (
        math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))
    )
    assert model["steps"].sum() == year["steps"][0]
    for m in model.iter_rows(named=True):
        parts = recipient.filter(pl.col("model") == m["model"])
        assert parts["steps"].sum() == m["steps"]
    for r in recipient.iter_rows(named=True):
        assert abs(Fraction(r["steps"]) - Fraction(r["exact"]) / step) < 2


def test_natural_order():
    assert natural_sorted(["Gruppbostad 10", "Gruppbostad 2", "gruppbostad 1", "Annat"]) == [
        "Annat", "gruppbostad 1", "Gruppbostad 2", "Gruppbostad 10",
    ]  # fmt: skip


def test_csv_cells_that_could_start_a_formula_get_an_apostrophe_numbers_stay():
    frame = pl.DataFrame({"name": ["=1+1", "+46", "-x", "@SUM(A1)", "\tx", "ok"], "n": [-1.5] * 6})
    safe = csv_safe_frame(frame)
    assert safe["name"].to_list() == ["'=1+1", "'+46", "'-x", "'@SUM(A1)", "'\tx", "ok"]
    assert safe["n"].to_list() == [-1.5] * 6 and safe.schema["n"] == pl.Float64
    assert csv_cell("-3") == "'-3"  # a text "-3" in a text column is text


def test_terminal_and_markdown_text():
    assert terminal_text("a\x1b]0;x\x07b\x9bc") == "a\\x1b]0;x\\x07b\\x9bc"
    assert terminal_text("a\nb", keep_newlines=True) == "a\nb"
    shown = markdown_text("<script>alert(1)</script> [x](javascript:y) *z*")
    assert "<" not in shown and "\\[x\\]" in shown and "\\*z\\*" in shown


def test_a_table_wraps_its_text_to_the_width_and_keeps_every_word():
    long = "Äldreomsorg, ordinärt boende (hemtjänst) i hela kommunen"
    table = text_table(["Modell", "År", "Belopp"], [[long, 2024, "89 410 000"]],
                       [False, False, True], width=40)  # fmt: skip
    assert all(len(line) <= 40 for line in table.splitlines())
    assert "89 410 000" in table
    assert " ".join(table.split()).count("hemtjänst") == 1
    assert text_table(["a"], [[long]]).count("\n") == 2  # not a terminal: one line per row


def test_natural_order_takes_superscripts_as_text():
    """'²' is a digit to str.isdigit but no number: a name with one sorts as text."""
    from rfm.display_rounding import natural_sorted

    assert natural_sorted(["Hus 10", "Hus 2²", "Hus 2", "Hus ٣"]) == [
        "Hus 2",
        "Hus 2²",
        "Hus ٣",
        "Hus 10",
    ]


NAMES = ["Gruppbostad 2", "Gruppbostad 10", "gruppbostad 3", "Ö", "a"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from([2024, 2025]),
            st.sampled_from(["m1", "m2", "m10"]),
            st.sampled_from(NAMES),
            # whole and half kronor, ören, and 10⁻¹² kr: ties at every step size
            st.one_of(
                st.integers(-(10**7), 10**7).map(lambda n: Decimal(n) / 2),
                st.integers(-(10**9), 10**9).map(lambda n: Decimal(n) / 100),
                st.integers(-(10**15), 10**15).map(lambda n: Decimal(n) / 10**12),
                st.sampled_from([Decimal(500), Decimal(-500), Decimal("49999.5")]),
            ),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(
        [Rounding(), Rounding("kr", 2), Rounding("tkr"), Rounding("tkr", 1), Rounding("mnkr", 2)]
    ),
)
def test_nested_in_polars_gives_the_figures_of_the_fractions_row_by_row(rows, rounding):
    """The vectorised rounding of exact amounts equals the rule written out in fractions, at
    every level down to the single rows (ties, negative halves and natural order included)."""
    frame = pl.DataFrame(
        [(y, m, r, i, v) for i, (y, m, r, v) in enumerate(rows)],
        schema={"year": pl.Int64, "model": pl.String, "recipient": pl.String, "_row": pl.Int64,
                "amount": pl.Decimal(38, 12)},
        orient="row",
    )  # fmt: skip
    levels = [["year"], ["year", "model"], ["year", "model", "recipient"],
              ["year", "model", "recipient", "_row"]]  # fmt: skip
    ours = nested(frame, levels, rounding)
    reference = nested_exact(frame, levels, rounding)
    for a, b in zip(ours, reference, strict=True):
        assert a.to_dicts() == b.to_dicts()


@given(
    st.lists(
        st.tuples(
            st.sampled_from([2024, 2025, None]),
            st.sampled_from(["m1", "m10", None]),
            st.sampled_from(["Gruppbostad 2", "Gruppbostad 10", "Ö", "o", None]),
            st.integers(-(10**6), 10**6).map(lambda n: Decimal(n) / 4),
        ),
        max_size=20,
    ),
    st.booleans(),
)
def test_nested_in_polars_with_missing_keys_gives_the_figures_of_the_fractions(rows, categorical):
    """A missing model or recipient got no figure at all (null steps: the join to its parent
    did not match a missing key), and a missing year was a TypeError in both ways; rfm's own
    lineage has no missing keys, but nested() is held to nested_exact() on any frame."""
    text = pl.Categorical if categorical else pl.String
    frame = pl.DataFrame(
        [(y, m, r, i, v) for i, (y, m, r, v) in enumerate(rows)],
        schema={"year": pl.Int64, "model": text, "recipient": text, "_row": pl.Int64,
                "amount": pl.Decimal(38, 12)},
        orient="row",
    )  # fmt: skip
    levels = [["year"], ["year", "model"], ["year", "model", "recipient"],
              ["year", "model", "recipient", "_row"]]  # fmt: skip
    ours = nested(frame, levels, Rounding("tkr"))
    reference = nested_exact(frame, levels, Rounding("tkr"))
    for a, b in zip(ours, reference, strict=True):
        assert a.to_dicts() == b.to_dicts()
        assert a["steps"].null_count() == 0
    if rows:  # every level adds up to the year's figures
        assert ours[-1]["steps"].sum() == ours[0]["steps"].sum()


@pytest.mark.parametrize("decimal", [True, False])
def test_figures_beyond_what_a_rounding_can_count_are_one_clear_error(decimal):
    """Twelve recipients of 999 000 miljarder kr each (every amount within rfm's 10^15 kr) make
    a year of 11 988 000 000 000 000 kr: 1.2 × 10^19 steps of kr:3, more than an integer
    holds. `rfm run --round kr:3` was a Polars overflow traceback; kr and tkr still show it."""
    amount = Decimal(999 * 10**12)
    frame = pl.DataFrame(
        [(2024, "m", f"r{i}", amount if decimal else float(amount)) for i in range(12)],
        schema={"year": pl.Int64, "model": pl.String, "recipient": pl.String,
                "amount": pl.Decimal(38, 12) if decimal else pl.Float64},
        orient="row",
    )  # fmt: skip
    levels = [["year"], ["year", "model"], ["year", "model", "recipient"]]
    for way in (nested, nested_exact):
        with pytest.raises(ConfigError, match=r"--round kr:3: .*11 988 000 000 000 000 kr.*too large"):  # fmt: skip
            way(frame, levels, Rounding("kr", 3))
        year, *_ = way(frame, levels, Rounding("kr", 2))  # 1.2 × 10^18 steps: shown
        assert year["steps"].to_list() == [1_198_800_000_000_000_000]
