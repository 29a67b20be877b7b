"""The pages' content: tables of amounts with links to their lineage, the frame build-up, forms.

Pages are rendered on the server from Jinja2 templates with autoescape on (every name from a
tenant file or data is text, never markup) and the report's own stylesheet and sections
(``rfm/reports/templates``). Figures are rounded as every rfm output rounds them (nested
largest remainder, :mod:`rfm.display_rounding`); each amount also carries its exact value in
``data-exact``, the same decimal ``rfm run --format csv`` writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
import polars as pl

from rfm.display_rounding import Rounding, sort_key
from rfm.engine import RunResult
from rfm.explanation import LINEAGE_HEADERS, LINEAGE_NUMERIC, Explanation, lineage_cells
from rfm.formatting import percent
from rfm.reports.pages import DEFAULT_COLOURS, no_break, visible_controls
from rfm.serve.compute import Comparison
from rfm.tenants.tenant import Tenant


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("rfm.serve", "templates"),
                jinja2.PackageLoader("rfm.reports", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=visible_controls,
    )
    env.filters["nb"] = no_break
    return env


def render(template: str, **context: Any) -> str:
    context.setdefault("colours", DEFAULT_COLOURS)
    return environment().get_template(template).render(**context)


def tenant_url(tenant_id: str, page: str = "", **query: object) -> str:
    """``/t/ID/PAGE?query`` with every part quoted."""
    url = f"/t/{quote(tenant_id, safe='')}" + (f"/{page}" if page else "")
    shown = {k.replace("_", "-"): v for k, v in query.items() if v not in (None, "")}
    return url + (f"?{urlencode(shown)}" if shown else "")


def _steps(frame: pl.DataFrame, column: str, rounding: Rounding) -> dict[tuple[str, str, int], int]:
    from rfm.cli.render import shown_totals

    rows = shown_totals(frame.filter(pl.col(column).is_not_null()), rounding, column)
    return {(r["model"], r["recipient"], r["year"]): r["steps"] for r in rows.iter_rows(named=True)}


def amount_rows(
    tenant: Tenant, comparison: Comparison, rounding: Rounding, whatif_name: str
) -> list[dict[str, Any]]:
    """Per model, recipient and year: the what-if (A), the comparison (B), Δ kr and Δ %, each
    amount rounded as ``rfm compare`` rounds it and linked to its drill-down."""
    frame = comparison.frame
    a = _steps(frame, "a", rounding)
    b = _steps(frame, "b", rounding)
    label = {m.id: m.label for m in tenant.models}
    rows = []
    ordered = sorted(
        frame.iter_rows(named=True), key=lambda r: sort_key((r["model"], r["year"], r["recipient"]))
    )
    for r in ordered:
        key = (r["model"], r["recipient"], r["year"])
        ra, rb = a.get(key), b.get(key)
        where = {"model": r["model"], "recipient": r["recipient"], "year": r["year"]}
        rows.append(
            {
                "model": r["model"],
                "label": label.get(r["model"], r["model"]),
                "recipient": r["recipient"],
                "year": r["year"],
                "a": rounding.text(ra) if ra is not None else f"finns inte i {whatif_name}",
                "a_exact": _exact(r["a"]),
                "a_link": tenant_url(tenant.id, "belopp", **where, vad_om=1)
                if ra is not None
                else "",
                "b": rounding.text(rb) if rb is not None else f"finns inte i {comparison.label}",
                "b_exact": _exact(r["b"]),
                "b_link": _b_link(tenant.id, where, comparison) if rb is not None else "",
                "diff": rounding.text(ra - rb) if ra is not None and rb is not None else "–",
                "share": percent(r["diff_share"]) if r["diff_share"] is not None else "–",
                "changed": ra is not None and rb is not None and r["a"] != r["b"],
            }
        )
    return rows


def _b_link(tenant_id: str, where: dict[str, Any], comparison: Comparison) -> str:
    if comparison.run_id is not None:
        return tenant_url(tenant_id, "korning", run=comparison.run_id, **where)
    if comparison.scenario is not None:
        return tenant_url(tenant_id, "belopp", **where, scenario=comparison.scenario)
    return ""


def _exact(value: object) -> str:
    return "" if value is None else str(value)


def totals_by_year(result: RunResult, rounding: Rounding) -> list[tuple[int, str]]:
    from rfm.display_rounding import nested

    frame = result.totals(["model", "recipient", "year"])
    years, *_ = nested(
        frame, [["year"], ["year", "model"], ["year", "model", "recipient"]], rounding
    )
    return [
        (r["year"], rounding.text(r["steps"])) for r in years.sort("year").iter_rows(named=True)
    ]


def frame_tables(frames: Sequence[tuple[int, Any]], rounding: Rounding) -> list[dict[str, Any]]:
    """Each year's frame build-up per programområde, rounded so the steps add up (rfm frame)."""
    from rfm.frame_buildup import STEPS

    out = []
    for year, buildup in frames:
        if isinstance(buildup, Exception):
            out.append({"year": year, "error": str(buildup)})
            continue
        labels = [label for _, label in STEPS]
        labels[0], labels[-1] = f"Ram {year - 1}", f"Ram {year}"
        steps = buildup.rounded(rounding)
        body = [
            [program, *(rounding.text(v) for v in values)]
            for program, values in zip(buildup.table["program"].to_list(), steps, strict=True)
        ]
        body.append(["Summa", *(rounding.text(sum(col)) for col in zip(*steps, strict=True))])
        out.append(
            {
                "year": year,
                "error": "",
                "table": {
                    "kind": "table",
                    "headers": ["Programområde", *labels],
                    "rows": body,
                    "numeric": [False] + [True] * len(labels),
                    "totals": 1,
                    "caption": f"Ramberäkning {year} steg för steg ({rounding.unit})",
                },
            }
        )
    return out


def explanation_context(found: Explanation) -> dict[str, Any]:
    """The explanation's parts for ``explain.html.j2``: the same lines and cells as rfm explain."""
    return {
        "explanation": found,
        "parts": [
            {
                "part": part,
                "table": {
                    "kind": "table",
                    "headers": list(LINEAGE_HEADERS),
                    "rows": lineage_cells(part.rows),
                    "numeric": list(LINEAGE_NUMERIC),
                    "totals": 0,
                    "caption": "",
                }
                if part.rows.height
                else None,
            }
            for part in found.parts
        ],
    }


def parameter_rows(tenant: Tenant, parameters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every dated parameter: key, label, unit, its values with years and sources."""
    from rfm.formatting import number
    from rfm.reports.labels import parameter_label

    rows = []
    for key in sorted(parameters, key=lambda k: sort_key((k,))):
        p = parameters[key]
        rows.append(
            {
                "key": key,
                "label": parameter_label(tenant, key),
                "unit": p.unit,
                "values": "; ".join(
                    f"{v.year}: {'upphör' if v.value is None else number(v.value)}"
                    for v in p.values
                ),
            }
        )
    return rows
