"""Rendering results: terminal tables with Swedish labels and numbers, and output files.

Amounts shown in a table are rounded with the largest-remainder method within each model and
year, so the rounded rows add up to the rounded total a decision fixes. Files (csv, json,
parquet) carry the exact lineage rows and are written atomically.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import polars as pl

from rfm.contract import LINEAGE_COLUMNS, with_decimals_as_text
from rfm.errors import OutputError
from rfm.formatting import number, percent
from rfm.io.atomic import atomic_path, write_text_atomic
from rfm.textable import text_table as table
from rfm.transitions.rounding import UNITS, largest_remainder

OUTPUT_FORMATS = ("table", "csv", "json", "parquet")


def rounded(frame: pl.DataFrame, column: str, group: Sequence[str], unit: str) -> pl.Series:
    """``column`` rounded to ``unit`` (kr, tkr) by largest remainder within each ``group``.

    An empty (absent) value stays empty; the others are rounded among themselves.
    """
    values: list[int | None] = [None] * frame.height
    indexed = frame.with_row_index("_i")
    for _, part in indexed.group_by(list(group), maintain_order=True):
        present = part.filter(pl.col(column).is_not_null())
        for i, v in zip(
            present["_i"].to_list(),
            largest_remainder(present[column].to_list(), UNITS[unit]),
            strict=True,
        ):
            values[i] = v
    return pl.Series(column, values, dtype=pl.Int64)


def summary_table(totals: pl.DataFrame, unit: str = "kr") -> str:
    """Amounts per model, recipient and year, with a total per model and year."""
    totals = totals.sort("model", "year", "recipient")
    shown = totals.with_columns(rounded(totals, "amount", ["model", "year"], unit).alias("shown"))
    rows: list[list[Any]] = []
    for (model, year), part in shown.group_by(["model", "year"], maintain_order=True):
        for r in part.iter_rows(named=True):
            rows.append([model, r["recipient"], year, number(r["shown"], 0)])
        if part.height > 1:
            rows.append([model, "Summa", year, number(int(part["shown"].sum()), 0)])
    return table(
        ["Modell", "Mottagare", "År", f"Belopp ({unit})"], rows, [False, False, False, True]
    )


def lineage_table(rows: pl.DataFrame) -> str:
    body = [
        [
            r["component"],
            number(r["volume"]),
            r["volume_unit"],
            number(r["rate"]),
            r["rate_unit"],
            number(round(r["amount"], 2)),
            r["basis"],
        ]
        for r in rows.iter_rows(named=True)
    ]
    return table(
        ["Komponent", "Volym", "Volymenhet", "Ersättning", "Enhet", "Belopp (kr)", "Grund"],
        body,
        [False, True, False, True, False, True, False],
    )


def compare_table(frame: pl.DataFrame, label_a: str, label_b: str, unit: str = "kr") -> str:
    """A against B per model, recipient and year; a side without the row says so."""
    frame = frame.sort("model", "year", "recipient")
    a = rounded(frame, "a", ["model", "year"], unit)
    b = rounded(frame, "b", ["model", "year"], unit)
    absent = {"a": f"finns inte i {label_a}", "b": f"finns inte i {label_b}"}
    rows = [
        [
            r["model"],
            r["recipient"],
            r["year"],
            number(ra, 0) if ra is not None else absent["a"],
            number(rb, 0) if rb is not None else absent["b"],
            number(ra - rb, 0) if ra is not None and rb is not None else "–",
            percent(r["diff_share"]) if r["diff_share"] is not None else "–",
        ]
        for r, ra, rb in zip(frame.iter_rows(named=True), a.to_list(), b.to_list(), strict=True)
    ]
    return table(
        [
            "Modell",
            "Mottagare",
            "År",
            f"{label_a} ({unit})",
            f"{label_b} ({unit})",
            f"Δ ({unit})",
            "Δ %",
        ],
        rows,
        [False, False, False, True, True, True, True],
    )


def write_frame(frame: pl.DataFrame, fmt: str, out: Path | None) -> None:
    """Write ``frame`` as csv, json (an array of objects) or parquet, to ``out`` or stdout."""
    if fmt == "parquet":
        if out is None:
            raise OutputError("--format parquet needs --out FILE")
        with atomic_path(out) as tmp:
            frame.write_parquet(tmp)
        return
    if fmt == "csv":
        text = with_decimals_as_text(frame).write_csv()
    elif fmt == "json":
        text = frame_json(frame)
    else:
        raise OutputError(f"unknown format {fmt!r}")
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)


def frame_json(frame: pl.DataFrame) -> str:
    """``frame`` as a JSON array of objects; exact decimals (amounts) as exact JSON numbers.

    ``json`` would turn a Decimal into a float (16347.499999999998); the amount is written as the
    digits of the exact decimal instead.
    """
    decimals = [n for n, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    rows = with_decimals_as_text(frame).to_dicts()
    token = secrets.token_hex(16)  # a mark no text in the data can know in advance
    for row in rows:
        for name in decimals:
            if row[name] is not None:
                row[name] = f"\x00{token}:{row[name]}"
    text = json.dumps(rows, ensure_ascii=False, indent=1)
    marked = re.compile(r'"\\u0000' + token + r':(-?[0-9]+(?:\.[0-9]+)?)"')
    return marked.sub(r"\1", text) + "\n"


def emit_text(text: str, out: Path | None) -> None:
    """Print ``text``, or write it atomically to ``out``."""
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)


def lineage_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(LINEAGE_COLUMNS)
