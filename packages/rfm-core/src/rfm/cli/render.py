"""Rendering results: terminal tables with Swedish labels and numbers, and output files.

Amounts are rounded as :mod:`rfm.display_rounding` says (``--round``, nested largest remainder),
so the rounded rows add up to the rounded totals a decision fixes. CSV and JSON carry the exact
amount and the rounded one side by side (``amount`` and ``amount_kr``); Parquet the exact rows.
Everything is written atomically; text from data is neutralised for each format
(:mod:`rfm.safe_text`).
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import polars as pl

from rfm.contract import LINEAGE_COLUMNS, decimal_text_expr, with_decimals_as_text
from rfm.display_rounding import Rounding, lineage_steps, nested, recipient_totals, sort_key
from rfm.errors import OutputError
from rfm.formatting import percent
from rfm.io.atomic import atomic_path, write_bytes_atomic, write_text_atomic
from rfm.reports.labels import prices_text
from rfm.safe_text import csv_safe_frame, terminal_text
from rfm.textable import text_table as table

if TYPE_CHECKING:
    from rfm.engine import RunResult

OUTPUT_FORMATS = ("table", "csv", "json", "parquet")


def shown_totals(totals: pl.DataFrame, rounding: Rounding, value: str = "amount") -> pl.DataFrame:
    """Per model, recipient and year the exact ``value`` and its rounded figure (``steps``),
    rounded nested (year, model, recipient) as every output of rfm rounds them."""
    frame = totals.select("model", "recipient", "year", pl.col(value).alias("amount"))
    *_, recipients = nested(
        frame, [["year"], ["year", "model"], ["year", "model", "recipient"]], rounding
    )
    return recipients


def summary_table(
    totals: pl.DataFrame,
    rounding: Rounding | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Amounts per model (its label), recipient and year, with a total per model and year."""
    rounding = rounding or Rounding()
    name = labels or {}
    _, model, recipient = recipient_totals(totals, rounding)
    model_steps = {(r["year"], r["model"]): r["steps"] for r in model.iter_rows(named=True)}
    ordered = sorted(
        recipient.iter_rows(named=True),
        key=lambda r: sort_key((r["model"], r["year"], r["recipient"])),
    )
    rows: list[list[Any]] = []
    i = 0
    while i < len(ordered):
        m, y = ordered[i]["model"], ordered[i]["year"]
        part = [r for r in ordered[i:] if r["model"] == m and r["year"] == y]
        for r in part:
            rows.append([name.get(m, m), r["recipient"], y, rounding.text(r["steps"])])
        if len(part) > 1:
            rows.append([name.get(m, m), "Summa", y, rounding.text(model_steps[(y, m)])])
        i += len(part)
    return table(
        ["Modell", "Mottagare", "År", f"Belopp ({rounding.unit})"],
        rows,
        [False, False, False, True],
    )


def lineage_table(rows: pl.DataFrame) -> str:
    """Lineage rows as ``rfm explain`` prints them (the cells of :func:`rfm.explanation.lineage_cells`)."""
    from rfm.explanation import LINEAGE_HEADERS, LINEAGE_NUMERIC, lineage_cells

    return table(list(LINEAGE_HEADERS), lineage_cells(rows), list(LINEAGE_NUMERIC))


def compare_table(
    frame: pl.DataFrame,
    label_a: str,
    label_b: str,
    rounding: Rounding | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    rounding = rounding or Rounding()
    name = labels or {}
    unit = rounding.unit
    # A side without the row says so ("finns inte i B"); the present ones round among themselves.
    a = _steps_by_key(shown_totals(frame.filter(pl.col("a").is_not_null()), rounding, "a"))
    b = _steps_by_key(shown_totals(frame.filter(pl.col("b").is_not_null()), rounding, "b"))
    absent = {"a": f"finns inte i {label_a}", "b": f"finns inte i {label_b}"}
    ordered = sorted(
        frame.iter_rows(named=True), key=lambda r: sort_key((r["model"], r["year"], r["recipient"]))
    )
    rows = []
    for r in ordered:
        key = (r["model"], r["recipient"], r["year"])
        ra, rb = a.get(key), b.get(key)
        rows.append(
            [
                name.get(r["model"], r["model"]),
                r["recipient"],
                r["year"],
                rounding.text(ra) if ra is not None else absent["a"],
                rounding.text(rb) if rb is not None else absent["b"],
                rounding.text(ra - rb) if ra is not None and rb is not None else "–",
                percent(r["diff_share"]) if r["diff_share"] is not None else "–",
            ]
        )
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


def _steps_by_key(frame: pl.DataFrame) -> dict[tuple[str, str, int], int]:
    return {
        (r["model"], r["recipient"], r["year"]): r["steps"] for r in frame.iter_rows(named=True)
    }


def with_rounded(
    frame: pl.DataFrame, column: str, rounding: Rounding, steps: pl.Series
) -> pl.DataFrame:
    """``frame`` with ``<column>_<unit>``: the rounded figure in the unit beside the exact one."""
    return frame.with_columns(rounding.values(steps).alias(f"{column}_{rounding.unit}"))


def lineage_output(result: RunResult, rounding: Rounding) -> pl.DataFrame:
    """The lineage rows with the exact amount and the rounded one (nested, see
    :mod:`rfm.display_rounding`), so the rows add up to the figures of the table."""
    frame = lineage_frame(result.lineage)
    return with_rounded(frame, "amount", rounding, lineage_steps(frame, rounding))


def compare_output(frame: pl.DataFrame, rounding: Rounding) -> pl.DataFrame:
    """A comparison with the rounded A, B and Δ beside the exact ones."""
    ordered = frame.sort("model", "recipient", "year")
    # each side rounded among the rows it has; a row one side lacks stays empty there, and so
    # does its Δ (never "0 kr" or "−100 %")
    a = _steps_by_key(shown_totals(ordered.filter(pl.col("a").is_not_null()), rounding, "a"))
    b = _steps_by_key(shown_totals(ordered.filter(pl.col("b").is_not_null()), rounding, "b"))
    keys = list(ordered.select("model", "recipient", "year").iter_rows())
    ra = pl.Series([a.get(k) for k in keys], dtype=pl.Int64)
    rb = pl.Series([b.get(k) for k in keys], dtype=pl.Int64)
    out = with_rounded(ordered, "a", rounding, ra)
    out = with_rounded(out, "b", rounding, rb)
    return with_rounded(out, "diff", rounding, ra - rb)


def metadata(
    result: RunResult | None,
    rounding: Rounding,
    *,
    tenant: Any = None,
    scenario: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What a JSON output says about itself: tenant, scenario, price level, rounding, versions."""
    from rfm import __version__

    chosen = result.tenant if result is not None else tenant
    info: dict[str, Any] = {
        "tenant": {"id": chosen.id, "name": chosen.name, "kommunkod": chosen.kommunkod}
        if chosen is not None
        else None,
        "scenario": result.scenario.name if result is not None else scenario,
        "scenario_description": result.scenario.description if result is not None else None,
        "prices": result.prices if result is not None else "fixed",
        "prices_text": prices_text(result.prices if result is not None else "fixed"),
        "years": list(result.years) if result is not None else None,
        "rounding": {
            "unit": rounding.unit,
            "decimals": rounding.decimals,
            "method": "största rest, nästlat: år, modell, mottagare, rad",
        },
        "versions": {"rfm": __version__, "polars": pl.__version__},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return info | extra


def write_frame(
    frame: pl.DataFrame,
    fmt: str,
    out: Path | None,
    *,
    meta: dict[str, Any] | None = None,
    excel: bool = False,
) -> None:
    """Write ``frame`` as csv, json or parquet, to ``out`` or stdout.

    CSV text cells that could start a formula get a leading apostrophe
    (:func:`rfm.safe_text.csv_safe_frame`); ``excel=True`` writes what Swedish Excel opens with
    a double-click: semicolons, decimal commas and UTF-8 with a byte-order mark. JSON is an
    object: ``metadata`` (see :func:`metadata`) and ``rows``.
    """
    if fmt == "parquet":
        if out is None:
            raise OutputError("--format parquet needs --out FILE")
        with atomic_path(out) as tmp:
            frame.write_parquet(tmp)
        return
    if fmt == "csv":
        safe = csv_safe_frame(frame)  # before amounts become text: −12 is a number, not a formula
        exact = [n for n, t in safe.schema.items() if isinstance(t, pl.Decimal)]
        if excel:
            safe = safe.with_columns(
                decimal_text_expr(pl.col(n)).str.replace(".", ",", literal=True).alias(n)
                for n in exact
            )
            text = "\ufeff" + safe.write_csv(separator=";", decimal_comma=True)
        elif out is not None:  # the bytes Polars writes, not a text decoded and encoded again
            data = io.BytesIO()
            with_decimals_as_text(safe).write_csv(data)
            # written by Python: a failed write is an OSError with its errno ("the disk is
            # full"), where Polars writing to a file raises a message without one
            write_bytes_atomic(out, data.getvalue())
            return
        else:
            text = with_decimals_as_text(safe).write_csv()
        if out is None and sys.stdout.isatty():  # the data stays as it is in a file or a pipe
            text = terminal_text(text, keep_newlines=True)
    elif fmt == "json":
        text = document_json(meta or {}, frame)
        # JSON escapes C0 controls itself; C1 (a one-byte CSI, …) as \u escapes too.
        text = re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
    else:
        raise OutputError(f"unknown format {fmt!r}")
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)


def document_json(meta: Mapping[str, Any], frame: pl.DataFrame) -> str:
    """``{"metadata": …, "rows": […]}``; exact decimals (amounts) as exact JSON numbers.

    ``json`` would turn a Decimal into a float (16347.499999999998, or fewer digits than the
    amount has); the amount is written as the digits of the exact decimal instead.
    """
    decimals = [n for n, t in frame.schema.items() if isinstance(t, pl.Decimal)]
    rows = with_decimals_as_text(frame).to_dicts()
    import secrets

    token = secrets.token_hex(16)  # a mark no text in the data can know in advance
    for row in rows:
        for name in decimals:
            if row[name] is not None:
                row[name] = f"\x00{token}:{row[name]}"
    document = {"metadata": dict(meta), "rows": rows}
    text = json.dumps(document, ensure_ascii=False, indent=1, default=_json_value)
    marked = re.compile(r'"\\u0000' + token + r':(-?[0-9]+(?:\.[0-9]+)?)"')
    return marked.sub(r"\1", text) + "\n"


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit_text(text: str, out: Path | None) -> None:
    """Print ``text``, or write it atomically to ``out``; control characters made visible."""
    text = terminal_text(text, keep_newlines=True)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(out, text)


def lineage_frame(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(LINEAGE_COLUMNS)
