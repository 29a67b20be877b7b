"""Property tests over the packaged tenants: a damaged input never changes an amount in silence.

For every packaged tenant and every dataset its run reads, hypothesis picks one row and
* deletes it: every amount stays what it was (the row was not needed; to a millionth of a krona,
  since volumes are float sums) or the run stops with an error naming what is missing;
* renames its area in that one year: the same (a renamed area is a different area, and no
  mapping here covers the new name);
* duplicates it in the file: the file is refused.

Datasets that list events one by one (a stay, a resident's points, a person-month of care) are
facts row by row: deleting one is a different fact, not a gap, so they are left out of the
deletion property; a duplicate of one is still refused. The frame datasets (ramar,
tilläggsäskanden) feed `rfm frame`, not the run, and have their own tests.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import rfm
from rfm.cli.common import parse_years
from rfm.io.readers import read_table
from rfm.schemas.validate import validate_table

TENANTS = ("exempel", "vaggeryd", "stockholm", "ostersund")
EVENTS = {"stays", "resident_points", "care_hours"}


@cache
def registry() -> rfm.Registry:
    return rfm.PluginHost().registry


@cache
def baseline(tenant_id: str) -> tuple[list[int], dict[str, pl.DataFrame], pl.DataFrame]:
    """The tenant's years, the validated datasets its run reads, and its amounts."""
    tenant = registry().tenant(tenant_id)
    years = parse_years(tenant.report.years) if tenant.report else [2018, 2020, 2021, 2024]
    result = rfm.run(tenant, registry(), years)
    ctx = rfm.compute_context(tenant, registry())
    frames = {d.name: ctx.dataset(d.name) for d in result.datasets}
    return years, frames, totals(result)


def totals(result: rfm.RunResult) -> pl.DataFrame:
    return result.totals(["model", "recipient", "year"])


def unchanged_or_refused(tenant_id: str, name: str, frame: pl.DataFrame) -> None:
    years, _, before = baseline(tenant_id)
    tenant = registry().tenant(tenant_id)
    try:
        after = totals(rfm.run(tenant, registry(), years, frames={name: frame}))
    except rfm.RfmError:
        return  # refused, with a message: not silent
    # The same rows and amounts; a volume is a float sum whose last bits depend on the order
    # the rows are summed in, so amounts agree to a millionth of a krona, not to the bit (a
    # key's Σ poäng is an exact decimal sum, the same in any order).
    joined = before.join(after, on=["model", "recipient", "year"], how="full", coalesce=True)
    assert joined.height == before.height == after.height, f"{tenant_id}: rows changed ({name})"
    worst = joined.select((pl.col("amount") - pl.col("amount_right")).abs().max()).item()
    assert worst < Decimal("0.000001"), f"{tenant_id}: a changed {name!r} moved amounts silently"


def pick(data: st.DataObject, events: bool) -> tuple[str, str, pl.DataFrame, int]:
    tenant_id = data.draw(st.sampled_from(TENANTS), label="tenant")
    _, frames, _ = baseline(tenant_id)
    names = sorted(n for n in frames if events or n not in EVENTS)
    name = data.draw(st.sampled_from(names), label="dataset")
    frame = frames[name]
    row = data.draw(st.integers(0, frame.height - 1), label="row")
    return tenant_id, name, frame, row


@settings(max_examples=30)
@given(st.data())
def test_deleting_any_row_leaves_every_amount_or_stops_the_run(data):
    tenant_id, name, frame, row = pick(data, events=False)
    unchanged_or_refused(tenant_id, name, pl.concat([frame.head(row), frame.slice(row + 1)]))


@settings(max_examples=30)
@given(st.data())
def test_renaming_an_area_in_one_year_leaves_every_amount_or_stops_the_run(data):
    tenant_id, name, frame, row = pick(data, events=False)
    area = next((c for c in ("area", "recipient", "unit") if c in frame.columns), None)
    if area is None or "year" not in frame.columns:
        return
    chosen = frame.row(row, named=True)
    renamed = frame.with_columns(
        pl.when((pl.col(area) == chosen[area]) & (pl.col("year") == chosen["year"]))
        .then(pl.lit(f"{chosen[area]} (nytt namn)"))
        .otherwise(pl.col(area))
        .alias(area)
    )
    unchanged_or_refused(tenant_id, name, renamed)


@settings(max_examples=30)
@given(st.data())
def test_duplicating_any_row_of_a_file_is_refused(data):
    tenant_id, name, _, _ = pick(data, events=True)
    config = registry().tenant(tenant_id).datasets[name]
    raw = read_table(registry().readers, config.path, fmt=config.format, options=config.options)
    if config.columns:
        raw = raw.renamed(dict(config.columns))
    row = data.draw(st.integers(0, raw.frame.height - 1), label="file row")
    copy = raw.frame.slice(row, 1).with_columns(pl.lit(raw.frame["_row"].max() + 1).alias("_row"))
    doubled = pl.concat([raw.frame, copy.cast(raw.frame.schema)])  # a new last line of the file
    try:
        validate_table(
            type(raw)(doubled, raw.file, raw.decimal_comma), registry().schema(config.schema)
        )
    except rfm.InputError as error:
        assert f"row {raw.frame['_row'].max() + 1}" in str(error), str(error)
        return
    raise AssertionError(f"{tenant_id}: a duplicated row of {name!r} was accepted")
