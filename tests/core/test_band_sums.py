"""The population summed per band, and its completeness, against a reference written row by row.

rfm sums a population per area, year and band in one pass and proves each band complete by
counting labels (when the file's labels tile every band) or adding widths (when they do not);
the population check finds repeated or overlapping ages by order (when the rows come sorted) or
by hashing. Each shortcut is checked here against the plain definition on random tables.
"""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfm.coverage import band_sums
from rfm.schemas.age import OPEN_END, age_labels, parse_age_label
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
    labels that share ages; sometimes with a sex column of "totalt" or empty (the same)."""
    labels = draw(st.sampled_from([["0", "1", "2", "3+"], ["0", "1-2", "2", "3+"], ["0-1", "2+"]]))
    sexes = draw(st.sampled_from([[None], [None, "totalt"], ["totalt"]]))
    rows = [
        (area, year, label, 1.0, draw(st.sampled_from(sexes)))
        for area in ("A", "B")
        for year in (2023, 2024)
        for label in labels
        if draw(st.booleans()) or label == labels[0]
    ]
    rows += draw(st.lists(st.sampled_from(rows), max_size=2))  # repeated rows
    flipped = draw(st.lists(st.sampled_from(rows), max_size=1))  # empty sex ↔ "totalt"
    rows += [(*r[:4], "totalt" if r[4] is None else None) for r in flipped]
    if draw(st.booleans()):
        random.Random(draw(st.integers(0, 99))).shuffle(rows)
    else:
        rows.sort(key=lambda r: (r[0], r[1], r[4] or "", parse_age_label(r[2])[0]))
    frame = pl.DataFrame(rows, schema=["area", "year", "age", "count", "sex"], orient="row")
    return frame if sexes != [None] else frame.drop("sex")


@settings(max_examples=200, deadline=None)
@given(labelled_rows())
def test_overlapping_ages_are_found_in_order_or_not(rows: pl.DataFrame) -> None:
    cells: dict[tuple[str, int], list[tuple[int, int]]] = {}
    overlap = False
    for area, year, age, *_ in rows.iter_rows():
        lo, hi = parse_age_label(age)
        seen = cells.setdefault((area, year), [])
        overlap |= any(lo <= h and l <= hi for l, h in seen)  # noqa: E741
        seen.append((lo, hi))
    numbered = rows.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    assert bool(overlapping_ages(numbered, "befolkning.csv")) == overlap


def test_rows_without_sex_and_rows_in_total_repeat_each_other_in_any_order() -> None:
    """An empty sex is the total: rows by "totalt" after the same rows without sex count the
    population twice, sorted or not (the order check once took "" and "totalt" apart)."""
    ages = [str(a) for a in range(3)] + ["3+"]
    rows = [("A", 2024, age, sex, 1.0) for sex in (None, "totalt") for age in ages]
    frame = pl.DataFrame(rows, schema=["area", "year", "age", "sex", "count"], orient="row")
    numbered = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    problems = overlapping_ages(numbered, "befolkning.csv")
    assert [(p.location.row, p.found) for p in problems] == [
        (6, "0"),
        (7, "1"),
        (8, "2"),
        (9, "3+"),
    ]


POP_TENANT = """
[tenant]
id = "t"
[data.population]
path = "pop.csv"
schema = "population"
source = "test"
[[models]]
id = "aldre"
type = "age_bands"
dataset = "population"
data_lag = 1
source = "KF"
bands = { "65-79" = { 2024 = 100 }, "80+" = { 2024 = 1000 } }
"""


def _population(scale: float) -> pl.DataFrame:
    ages = [str(a) for a in range(100)] + ["100+"]
    return pl.DataFrame(
        {"area": "A", "year": 2023, "age": ages, "count": [scale] * len(ages)},
        schema={"area": pl.String, "year": pl.Int64, "age": pl.String, "count": pl.Float64},
    )


def test_a_frame_changed_in_place_between_runs_gives_the_changed_numbers(
    tenant_file, rfm_registry
) -> None:
    """Polars frames can be changed in place: nothing rfm worked out about a frame handed to
    one run may answer for it in the next."""
    import rfm

    tenant = rfm.load_tenant_file(tenant_file(POP_TENANT, {"pop.csv": "area,year,age,count\n"}),
                                  rfm_registry)  # fmt: skip

    def total(frame: pl.DataFrame) -> float:
        result = rfm.run(tenant, rfm_registry, [2024], frames={"population": frame})
        return float(result.totals(["recipient"])["amount"].sum())

    frame = pl.concat(
        [_population(1.0), _population(3.0).with_columns(year=pl.lit(2022, pl.Int64))]
    )
    assert total(frame) == 15 * 100 + 21 * 1000  # 2023: ages 65–79 and 80–99, 100+
    frame[70, "count"] = 11.0  # age 70 in 2023: 10 more inhabitants
    assert total(frame) == 25 * 100 + 21 * 1000

    earlier = _population(1.0).with_columns(year=pl.lit(2022, pl.Int64))
    with pytest.raises(rfm.ModelError, match="no rows for year"):
        total(earlier)
    earlier.extend(_population(2.0))  # now with 2023 too
    assert total(earlier) == 2 * (15 * 100 + 21 * 1000)


def test_a_run_does_not_keep_the_frames_it_was_handed(tenant_file, rfm_registry) -> None:
    """A simulation hands a run hundreds of frames: none may outlive the run."""
    import gc
    import weakref

    import rfm

    tenant = rfm.load_tenant_file(tenant_file(POP_TENANT, {"pop.csv": "area,year,age,count\n"}),
                                  rfm_registry)  # fmt: skip
    refs = []
    for scale in (1.0, 2.0, 3.0):
        frame = _population(scale)
        refs.append(weakref.ref(frame))
        result = rfm.run(tenant, rfm_registry, [2024], frames={"population": frame})
        assert float(result.totals(["recipient"])["amount"].sum()) == scale * (15 * 100 + 21 * 1000)
        del frame, result
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_a_population_without_any_age_of_the_bands_names_every_cell(
    tenant_file, rfm_registry
) -> None:
    """Ages 0–60 only, bands from 65: no row to sum, so every (area, year, band) is missing."""
    import rfm

    pop = "area,year,age,count\n" + "".join(f"A,2023,{a},1\n" for a in range(61))
    tenant = rfm.load_tenant_file(tenant_file(POP_TENANT, {"pop.csv": pop}), rfm_registry)
    with pytest.raises(rfm.ModelError) as failure:
        rfm.run(tenant, rfm_registry, [2024])
    message = str(failure.value)
    assert "gives no volume for 2 cells" in message
    assert "area 'A', data year 2023 (budget year 2024), component '65-79'" in message
    assert "area 'A', data year 2023 (budget year 2024), component '80+'" in message
    rows = pl.DataFrame({"area": "A", "year": 2023, "age": ["0", "1-60"], "count": 1.0})
    summed, short = band_sums(rows, age_labels(rows), BANDS_FROM_65, ["area", "year"])
    assert summed.height == 0 and short.height == 0
    assert summed.columns == ["area", "year", "component", "count"]


BANDS_FROM_65 = {"65-79": (65, 79), "80+": (80, OPEN_END)}
