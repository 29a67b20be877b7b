"""What ``rfm explain`` says about one amount: its lineage rows, formula, parameters and data.

One amount (a model, a recipient, a budget year) is explained by the model's lineage rows for
it — volume × ersättningsbelopp, the basis of each row — its formula, the model's own lines of
arithmetic, the value in force of every parameter it reads with its source, and the same again
for each model it reads (a blend, a change limit), down to the inputs. Then the datasets the run
read, with their hashes.

:func:`explain` gathers that content once; :func:`text_lines` is exactly what ``rfm explain``
prints, and ``rfm serve`` shows the same content as a page (the lineage rows as a table with the
same cells, :func:`lineage_cells`). Both therefore say the same thing about every amount.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import attrs
import polars as pl

from rfm.engine import run
from rfm.errors import ConfigError, ParameterError
from rfm.formatting import half_up, number
from rfm.models.base import Model
from rfm.registry import Registry
from rfm.reports.labels import prices_text
from rfm.tenants.tenant import Tenant

LINEAGE_HEADERS = (
    "Komponent",
    "Volym",
    "Volymenhet",
    "Ersättning",
    "Enhet",
    "Belopp (kr)",
    "Grund",
)
LINEAGE_NUMERIC = (False, True, False, True, False, True, False)
NO_ROWS = "(inga rader för mottagaren)"


def lineage_cells(rows: pl.DataFrame) -> list[list[str]]:
    """Each lineage row as the cells ``rfm explain`` shows (:data:`LINEAGE_HEADERS`)."""
    return [
        [
            r["component"],
            number(r["volume"]),
            r["volume_unit"],
            number(r["rate"]),
            r["rate_unit"],
            half_up(r["amount"], 2),
            r["basis"],
        ]
        for r in rows.iter_rows(named=True)
    ]


def total_text(rows: pl.DataFrame) -> str:
    """Σ amount of lineage ``rows`` to the öre, as each row's amount is shown above it."""
    return half_up(rows["amount"].sum(), 2)


@attrs.frozen
class ExplainedModel:
    """One model's part of an explanation: the model asked about (depth 0) or one it reads."""

    model_id: str
    label: str
    depth: int
    formula: str
    rows: pl.DataFrame
    """The model's lineage rows for the recipient and year (may be empty for an input)."""
    total: str
    """Σ amount of ``rows`` to the öre, as ``rfm explain`` writes it ("1 234 567,50")."""
    notes: tuple[str, ...]
    """The model's own lines of arithmetic (:meth:`rfm.models.base.Model.explain`)."""
    parameters: tuple[str, ...]
    """Each parameter the model reads: its value in force in the year, unit and source."""


@attrs.frozen
class Explanation:
    """Everything ``rfm explain`` says about one amount."""

    heading: str
    scenario_line: str
    parts: tuple[ExplainedModel, ...]
    data: tuple[str, ...]
    year: int


def explain(
    tenant: Tenant,
    registry: Registry,
    model_id: str,
    recipient: str,
    year: int,
    *,
    scenario: str | None = None,
    prices: str = "fixed",
) -> Explanation:
    """The explanation of ``model_id``'s amount to ``recipient`` in ``year``.

    A recipient the model pays nothing in that year is an error naming the ones it pays.
    """
    model = tenant.model(model_id)
    result = run(tenant, registry, [year], scenario=scenario, prices=prices, models=[model.id])
    lineage = result.all_lineage
    rows = lineage.filter(
        (pl.col("model") == model.id)
        & (pl.col("recipient") == recipient)
        & (pl.col("year") == year)
    )
    if rows.height == 0:
        known = lineage.filter(pl.col("model") == model.id)["recipient"].unique().sort()
        raise ConfigError(
            f"model {model.id!r} has no rows for recipient {recipient!r} in {year}; "
            f"recipients: {', '.join(known.to_list()) or 'none'}"
        )
    parts: list[ExplainedModel] = []
    shown: set[str] = set()

    def section(current: Model, depth: int) -> None:
        shown.add(current.id)
        mine = lineage.filter(pl.col("model") == current.id)
        part = mine.filter((pl.col("recipient") == recipient) & (pl.col("year") == year))
        lines = []
        for ref in current.parameter_refs:
            p = result.parameters[ref.key]
            try:
                dated = p.at(year)
                lines.append(
                    f"  {ref.key} = {number(dated.value or 0)} {p.unit}  — {dated.source} "
                    f"(från {dated.year})"
                )
            except ParameterError as exc:  # e.g. ended before this year: shown, not fatal
                lines.append(f"  {ref.key}: {exc}")
        parts.append(
            ExplainedModel(
                model_id=current.id,
                label=current.label,
                depth=depth,
                formula=current.formula(),
                rows=part,
                total=total_text(part),
                notes=tuple(current.explain(mine, recipient, year)),
                parameters=tuple(lines),
            )
        )
        for dep in current.inputs():
            if dep not in shown:
                section(tenant.model(dep), depth + 1)

    section(model, 0)
    data = tuple(
        f"  {d.name}: {d.path} ({d.rows} rader, sha256 {d.sha256[:12]}…)"
        + (f" — {d.source}" if d.source else "")
        for d in result.datasets
    )
    return Explanation(
        heading=f"{tenant.name} — {model.label} ({model.id}) — {recipient} — {year}",
        scenario_line=f"Scenario {result.scenario.name}, {prices_text(prices)}",
        parts=tuple(parts),
        data=data,
        year=year,
    )


def text_lines(explanation: Explanation, table: Callable[[pl.DataFrame], str]) -> Iterator[str]:
    """The explanation as ``rfm explain`` prints it, one ``echo`` at a time.

    ``table(rows)`` renders a part's lineage rows (the command line's text table).
    """
    yield explanation.heading
    yield explanation.scenario_line
    for part in explanation.parts:
        if part.depth:
            yield f"\n{'—' * 2} Indata: {part.label} ({part.model_id}) {'—' * 2}"
        yield f"Formel: {part.formula}\n"
        yield table(part.rows) if part.rows.height else NO_ROWS
        yield f"\nSumma: {part.total} kr"
        yield from part.notes
        yield f"\nParametrar (värde som gäller år {explanation.year}):"
        yield from part.parameters
    if explanation.data:
        yield "\nData:"
        yield from explanation.data
