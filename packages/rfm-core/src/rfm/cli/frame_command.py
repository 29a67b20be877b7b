"""``rfm frame``: the frame build-up "steg för steg" per programområde."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import polars as pl

from rfm.cli.common import (
    load_tenant,
    registry,
    resolve_years,
    round_option,
    tenant_options,
    year_options,
)
from rfm.cli.render import emit_text, write_frame
from rfm.formatting import kr, number, percent
from rfm.frame_buildup import STEPS, FrameBuildUp, build_frames
from rfm.textable import text_table as table
from rfm.transitions.rounding import UNITS, largest_remainder, round_to

STEP_NAMES = [name for name, _ in STEPS[:-1]]  # the parts; the last step is their sum
SIGN = {"savings": -1}


def rounded_rows(frame: pl.DataFrame, unit: str) -> list[list[int]]:
    """Each row's steps rounded so that they still add up to the row's rounded frame."""
    out = []
    for r in frame.iter_rows(named=True):
        signed = largest_remainder(
            [r[n] * SIGN.get(n, 1) for n in STEP_NAMES], UNITS[unit], total=r["frame"]
        )
        out.append([v * SIGN.get(n, 1) for v, n in zip(signed, STEP_NAMES, strict=True)])
        out[-1].append(sum(signed))
    return out


def frame_text(buildup: FrameBuildUp, unit: str) -> str:
    """The build-up table, the models behind it, and the items against the reformutrymme."""
    y = buildup.year
    labels = [label for _, label in STEPS]
    labels[0] = f"Ram {y - 1}"
    labels[-1] = f"Ram {y}"
    rows = rounded_rows(buildup.table, unit)
    body: list[list[Any]] = [
        [program, *(number(v, 0) for v in values)]
        for program, values in zip(buildup.table["program"].to_list(), rows, strict=True)
    ]
    body.append(["Summa", *(number(sum(col), 0) for col in zip(*rows, strict=True))])
    lines = [
        f"Ramberäkning {y} steg för steg, scenario {buildup.scenario} ({unit})",
        "",
        table(["Programområde", *labels], body, [False] + [True] * len(labels)),
        "",
    ]
    previous = buildup.previous_source
    lines.append(f"Ram {y - 1}: {previous.path} ({previous.source or 'källa saknas'}).")
    if buildup.price_index is not None:
        lines.append(
            f"Pris- och lönekompensation {percent(buildup.price_index)} av ram {y - 1} "
            f"({buildup.price_index_source})."
        )
    lines += ["", f"Modellernas förändring {y - 1} → {y} (kr i fasta priser):", ""]
    models = buildup.models
    lines.append(
        table(
            ["Modell", "Programområde", f"Belopp {y - 1}", f"Belopp {y}", "Volym", "Ersättning"],
            [
                [
                    r["model"],
                    r["program"],
                    kr(r["amount_before"]),
                    kr(r["amount_after"]),
                    kr(r["volume"]),
                    kr(r["rate_change"]),
                ]
                for r in models.iter_rows(named=True)
            ],
            [False, False, True, True, True, True],
        )
    )
    lines.append(
        f"Volym, ersättningsbelopp och källa per rad: rfm explain {buildup.run.tenant.id} "
        "--model MODELL --recipient MOTTAGARE --year ÅR"
    )
    items = buildup.items
    if items.height:
        shown = largest_remainder(items["amount"].to_list(), UNITS[unit])
        lines += ["", f"Tilläggsäskanden och besparingar {y} ({unit}):", ""]
        item_rows: list[list[Any]] = [
            [r["program"], r["kind"], r["item"], number(v, 0), r["status"]]
            for r, v in zip(items.iter_rows(named=True), shown, strict=True)
        ]
        sums: dict[str, int] = {}
        for kind, v in zip(items["kind"].to_list(), shown, strict=True):
            sums[kind] = sums.get(kind, 0) + v
        item_rows += [["Summa", kind, "", number(total, 0), ""] for kind, total in sums.items()]
        lines.append(
            table(
                ["Programområde", "Slag", "Vad", f"Belopp ({unit})", "Status"],
                item_rows,
                [False, False, False, True, False],
            )
        )
        per_program = buildup.items_by_program()
        if per_program.height:
            req = largest_remainder(per_program["requested"].to_list(), UNITS[unit])
            got = largest_remainder(per_program["granted"].to_list(), UNITS[unit])
            lines += ["", f"Tilläggsäskanden per programområde {y} ({unit}):", ""]
            lines.append(
                table(
                    ["Programområde", "Äskat", "Beviljat"],
                    [
                        [p, number(a, 0), number(b, 0)]
                        for p, a, b in zip(per_program["program"].to_list(), req, got, strict=True)
                    ]
                    + [["Summa", number(sum(req), 0), number(sum(got), 0)]],
                    [False, True, True],
                )
            )
        sources = sorted(set(items["source"].to_list()))
        lines.append("")
        lines.append("Källa: " + "; ".join(sources))
    if buildup.reform_space is not None:
        requested = buildup.requested()
        granted = buildup.items_by_program()["granted"].sum()
        figures = {
            name: number(round_to(value, UNITS[unit]), 0)
            for name, value in (
                ("space", buildup.reform_space),
                ("requested", requested),
                ("granted", granted),
            )
        }
        lines += [
            "",
            f"Reformutrymme {y}: {figures['space']} {unit} ({buildup.reform_space_source}); "
            f"äskat {figures['requested']} {unit}, beviljat {figures['granted']} {unit}.",
        ]
    return "\n".join(lines) + "\n"


@click.command("frame")
@tenant_options
@year_options
@click.option("--scenario", help="Scenario name (default: the tenant's standard).")
@round_option("tkr", "Unit of the table (each row still adds up after rounding).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@click.pass_context
def frame_command(
    ctx: click.Context,
    tenant: str | None,
    config: Path | None,
    years: str | None,
    year: int | None,
    scenario: str | None,
    unit: str,
    fmt: str,
    out: Path | None,
) -> None:
    """Build a committee's frame step by step: last year's + volume + price/wage + items."""
    chosen = load_tenant(ctx, tenant, config)
    buildups = build_frames(
        chosen, registry(ctx), resolve_years(years, year, chosen), scenario=scenario
    )
    if fmt == "table":
        emit_text("\n".join(frame_text(b, unit) for b in buildups), out)
        return
    frame = pl.concat(
        [b.table.with_columns(pl.lit(b.year).alias("year")) for b in buildups]
    ).select("year", "program", *(name for name, _ in STEPS))
    write_frame(frame, fmt, out)
