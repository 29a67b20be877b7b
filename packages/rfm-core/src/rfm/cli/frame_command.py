"""``rfm frame``: the frame build-up "steg för steg" per programområde."""

from __future__ import annotations

from fractions import Fraction
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
from rfm.cli.render import emit_text, metadata, write_frame
from rfm.display_rounding import Rounding, allocate, exact
from rfm.errors import OutputError
from rfm.formatting import percent
from rfm.frame_buildup import STEPS, FrameBuildUp, build_frames
from rfm.textable import text_table as table
from rfm.transitions.rounding import round_half_up


def spread(values: list[float], rounding: Rounding) -> list[int]:
    """``values`` rounded (in steps) so that they add up to their rounded sum."""
    parts = [exact(v) / rounding.step for v in values]
    return allocate(parts, round_half_up(sum(parts, Fraction(0))))


def frame_text(buildup: FrameBuildUp, rounding: Rounding) -> str:
    """The build-up table, the models behind it, and the items against the reformutrymme."""
    y = buildup.year
    labels = [label for _, label in STEPS]
    labels[0] = f"Ram {y - 1}"
    labels[-1] = f"Ram {y}"
    unit = rounding.unit
    show = rounding.text
    rows = buildup.rounded(rounding)
    body: list[list[Any]] = [
        [program, *(show(v) for v in values)]
        for program, values in zip(buildup.table["program"].to_list(), rows, strict=True)
    ]
    body.append(["Summa", *(show(sum(col)) for col in zip(*rows, strict=True))])
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
    lines += ["", f"Modellernas förändring {y - 1} → {y} ({unit} i fasta priser):", ""]
    models = buildup.models
    label = {m.id: m.label for m in buildup.run.tenant.models}
    lines.append(
        table(
            ["Modell", "Programområde", f"Belopp {y - 1}", f"Belopp {y}", "Volym", "Ersättning"],
            [
                [label.get(r["model"], r["model"]), r["program"], *map(show, figures)]
                for r, figures in zip(
                    models.iter_rows(named=True), buildup.rounded_models(rounding), strict=True
                )
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
        shown = spread(items["amount"].to_list(), rounding)
        lines += ["", f"Tilläggsäskanden och besparingar {y} ({unit}):", ""]
        item_rows: list[list[Any]] = [
            [r["program"], r["kind"], r["item"], show(v), r["status"]]
            for r, v in zip(items.iter_rows(named=True), shown, strict=True)
        ]
        sums: dict[str, int] = {}
        for kind, v in zip(items["kind"].to_list(), shown, strict=True):
            sums[kind] = sums.get(kind, 0) + v
        item_rows += [["Summa", kind, "", show(total), ""] for kind, total in sums.items()]
        lines.append(
            table(
                ["Programområde", "Slag", "Vad", f"Belopp ({unit})", "Status"],
                item_rows,
                [False, False, False, True, False],
            )
        )
        per_program = buildup.items_by_program()
        if per_program.height:
            req = spread(per_program["requested"].to_list(), rounding)
            got = spread(per_program["granted"].to_list(), rounding)
            lines += ["", f"Tilläggsäskanden per programområde {y} ({unit}):", ""]
            lines.append(
                table(
                    ["Programområde", "Äskat", "Beviljat"],
                    [
                        [p, show(a), show(b)]
                        for p, a, b in zip(per_program["program"].to_list(), req, got, strict=True)
                    ]
                    + [["Summa", show(sum(req)), show(sum(got))]],
                    [False, True, True],
                )
            )
        sources = sorted(set(items["source"].to_list()))
        lines.append("")
        lines.append("Källa: " + "; ".join(sources))
    if buildup.reform_space is not None:
        requested = buildup.requested()
        granted = buildup.items_by_program()["granted"].sum()
        lines += [
            "",
            f"Reformutrymme {y}: {show(rounding.steps(buildup.reform_space))} {unit} "
            f"({buildup.reform_space_source}); äskat {show(rounding.steps(requested))} {unit}, "
            f"beviljat {show(rounding.steps(granted))} {unit}.",
        ]
    return "\n".join(lines) + "\n"


@click.command("frame")
@tenant_options
@year_options
@click.option("--scenario", help="Scenario name (default: the tenant's standard).")
@round_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "xlsx"]),
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
    rounding: Rounding,
    fmt: str,
    out: Path | None,
) -> None:
    """Build a committee's frame step by step: last year's + volume + price/wage + items."""
    chosen = load_tenant(ctx, tenant, config)
    buildups = build_frames(
        chosen, registry(ctx), resolve_years(years, year, chosen), scenario=scenario
    )
    if fmt == "table":
        emit_text("\n".join(frame_text(b, rounding) for b in buildups), out)
        return
    if fmt == "xlsx":
        from rfm.reports.workbook import write_frame_workbook

        if out is None:
            raise OutputError("--format xlsx needs --out FILE.xlsx")
        write_frame_workbook(buildups, out)
        return
    frame = pl.concat(
        [b.table.with_columns(pl.lit(b.year).alias("year")) for b in buildups]
    ).select("year", "program", *(name for name, _ in STEPS))
    shown = pl.DataFrame(
        [row for b in buildups for row in b.rounded(rounding)],
        schema=[f"{name}_{rounding.unit}" for name, _ in STEPS],
        orient="row",
    )
    shown = shown.select(rounding.values(shown.get_column(c)) for c in shown.columns)
    meta = metadata(buildups[0].run, rounding) if buildups else {}
    write_frame(pl.concat([frame, shown], how="horizontal"), fmt, out, meta=meta)
