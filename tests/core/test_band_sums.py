"""The population summed per band, and its completeness, against a reference written row by row.

rfm sums a population per area, year and band in one pass and proves each band complete by
counting labels (when the file's labels tile every band) or adding widths (when they do not);
the population check finds repeated or overlapping ages by order (when the rows come sorted) or
by hashing. Each shortcut is checked here against the plain definition on random tables.
"""

from __future__ import annotations

import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from rfm.coverage import age_labels, band_sums
from rfm.schemas.age import OPEN_END, parse_age_label
from rfm.schemas.population import overlapping_ages

BANDS = {"0-4": (0, 4), "5-9": (5, 9), "10+": (10, OPEN_END)}
SCHEMES = {
    "single years": [str(a) for a in range(13)] + ["13+"],
    "five-year groups": ["0-4", "5-9", "10-14", "15+"],
    "mixed": ["0-2", "3", "4", "5-9", "10", "11-19", "20 eller äldre"],
}


@st.composite
def populations(draw: st.DrawFn) -> pl.DataFrame:
    """Areas × years, each cell in one labelling scheme, some rows left out."""
    rows = []
    for area in ("0114", "0115", "0117"):
        for year in (2023, 2024):
            labels = SCHEMES[draw(st.sampled_from(sorted(SCHEMES)))]
            for label in labels:
                if draw(st.integers(0, 9)) == 0:
                    continue  # a row the file lacks
                count = draw(st.integers(0, 500)) / 4
                rows.append({"area": area, "year": year, "age": label, "count": count})
    if not rows:
        rows.append({"area": "0114", "year": 2023, "age": "0", "count": 1.0})
    order = draw(st.randoms(use_true_random=False))
    order.shuffle(rows)
    return pl.DataFrame(rows, schema={"area": pl.String, "year": pl.Int64, "age": pl.String,
                                      "count": pl.Float64})  # fmt: skip


def reference(rows: pl.DataFrame) -> tuple[dict, dict]:
    """Sums per (area, year, band) of rows wholly inside it; the ages each band with rows lacks."""
    sums: dict[tuple[str, int, str], float] = {}
    covered: dict[tuple[str, int, str], set[int]] = {}
    for r in rows.iter_rows(named=True):
        lo, hi = parse_age_label(r["age"])
        for band, (b_lo, b_hi) in BANDS.items():
            if b_lo <= lo and hi <= b_hi:
                key = (r["area"], r["year"], band)
                sums[key] = sums.get(key, 0.0) + r["count"]
                covered.setdefault(key, set()).update(range(lo, hi + 1))
    lacking = {}
    for key, ages in covered.items():
        b_lo, b_hi = BANDS[key[2]]
        missing = set(range(b_lo, b_hi + 1)) - ages
        if missing:
            lacking[key] = missing
    return sums, lacking


def ages_in(text: str) -> set[int]:
    """``"3, 5–9, 20+"`` back to the set of ages it names."""
    ages: set[int] = set()
    for part in text.split(", "):
        if part.endswith("+"):
            ages.update(range(int(part[:-1]), OPEN_END + 1))
        elif "–" in part:
            lo, hi = part.split("–")
            ages.update(range(int(lo), int(hi) + 1))
        else:
            ages.add(int(part))
    return ages


@settings(max_examples=150, deadline=None)
@given(populations())
def test_band_sums_and_short_cells_are_the_row_by_row_answer(rows: pl.DataFrame) -> None:
    expected_sums, expected_short = reference(rows)
    summed, short = band_sums(rows, age_labels(rows), BANDS, ["area", "year"])
    got = {(r["area"], r["year"], r["component"]): r["count"] for r in summed.iter_rows(named=True)}
    assert got.keys() == expected_sums.keys()
    for key, value in expected_sums.items():
        assert abs(got[key] - value) <= 1e-9 * max(1.0, abs(value)), key
    got_short = {
        (r["area"], r["year"], r["component"]): ages_in(r["_missing"])
        for r in (short.iter_rows(named=True) if short.height else [])
    }
    assert got_short == expected_short


def test_the_counting_shortcut_is_taken_only_where_labels_tile_every_band() -> None:
    """Single years everywhere: counted; one cell by five-year groups too: widths (both right)."""
    single = pl.DataFrame(
        {"area": "A", "year": 2023, "age": SCHEMES["single years"], "count": 1.0}
    ).filter(pl.col("age") != "7")
    summed, short = band_sums(single, age_labels(single), BANDS, ["area", "year"])
    assert short.select("component", "_missing").rows() == [("5-9", "7")]
    mixed = pl.concat(
        [
            single,
            pl.DataFrame(
                {"area": "B", "year": 2023, "age": SCHEMES["five-year groups"], "count": 2.0}
            ),
        ]
    )
    summed, short = band_sums(mixed, age_labels(mixed), BANDS, ["area", "year"])
    assert sorted(short.select("area", "_missing").rows()) == [("A", "7")]
    b = dict(summed.filter(area="B").select("component", "count").iter_rows())
    assert b == {"0-4": 2.0, "5-9": 2.0, "10+": 4.0}  # 10-14 and 15+: two rows of 2


@st.composite
def labelled_rows(draw: st.DrawFn) -> pl.DataFrame:
    """Rows of a few areas, years and labels, sorted or not, sometimes a label twice or two
    labels that share ages."""
    labels = draw(st.sampled_from([["0", "1", "2", "3+"], ["0", "1-2", "2", "3+"], ["0-1", "2+"]]))
    rows = [
        (area, year, label, 1.0)
        for area in ("A", "B")
        for year in (2023, 2024)
        for label in labels
        if draw(st.booleans()) or label == labels[0]
    ]
    rows += draw(st.lists(st.sampled_from(rows), max_size=2))  # repeated rows
    if draw(st.booleans()):
        random.Random(draw(st.integers(0, 99))).shuffle(rows)
    else:
        rows.sort(key=lambda r: (r[0], r[1], parse_age_label(r[2])[0]))
    return pl.DataFrame(rows, schema=["area", "year", "age", "count"], orient="row")


@settings(max_examples=200, deadline=None)
@given(labelled_rows())
def test_overlapping_ages_are_found_in_order_or_not(rows: pl.DataFrame) -> None:
    cells: dict[tuple[str, int], list[tuple[int, int]]] = {}
    overlap = False
    for area, year, age, _ in rows.iter_rows():
        lo, hi = parse_age_label(age)
        seen = cells.setdefault((area, year), [])
        overlap |= any(lo <= h and l <= hi for l, h in seen)  # noqa: E741
        seen.append((lo, hi))
    numbered = rows.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    assert bool(overlapping_ages(numbered, "befolkning.csv")) == overlap
