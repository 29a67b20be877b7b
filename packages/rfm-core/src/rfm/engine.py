"""The engine: tenant × years × scenario → lineage rows, totals and comparisons.

A run is deterministic: the same tenant, data, parameters, years, scenario and price level
give the same rows in the same order. Models are computed in dependency order (a blend after
the models it blends), the core applies the contract (amount = volume × rate) to each, and the
result keeps the models a scenario reports apart from the ones it only reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs
import polars as pl

from rfm.classification import Classification
from rfm.contract import (
    ORDER,
    ROW_COLUMNS,
    apply_contract,
    exact_product,
    in_canonical_order,
    lineage_is_valid,
    render_lineage,
)
from rfm.coverage import GapRule
from rfm.errors import (
    ConfigError,
    ContractError,
    ModelError,
    ParameterError,
    RfmError,
    UnreadableFileError,
)
from rfm.io.readers import read_table
from rfm.models.base import ComputeContext, Model
from rfm.parameters import ParameterSet
from rfm.plugins.failures import compute_rows
from rfm.prices import PRICE_LEVELS, price_factors
from rfm.registry import Registry
from rfm.schemas.builtin import LINEAGE
from rfm.schemas.spec import ColumnSpec
from rfm.schemas.validate import validate_frame, validate_table
from rfm.tenants.tenant import DatasetConfig, Scenario, Tenant
from rfm.tenants.toml_loader import order_models

SORT = list(ORDER)


@attrs.frozen
class DatasetUse:
    """A dataset a run read: where from, its content hash, how many rows.

    ``name`` is the dataset the models asked for; ``read_from`` the ``[data.NAME]`` whose file
    was read, which differs when a scenario swaps in another vintage (``data = { population =
    "prognos_2024" }``): the archive stores and replays the bytes as that dataset's.
    """

    name: str
    path: str
    schema: str
    sha256: str
    rows: int
    source: str
    read_from: str = ""

    @property
    def dataset(self) -> str:
        """The ``[data.NAME]`` whose file was read."""
        return self.read_from or self.name


def load_dataset(registry: Registry, config: DatasetConfig) -> tuple[pl.DataFrame, DatasetUse]:
    """Read a tenant dataset, validate it against its schema, and record what was read."""
    schema = registry.schema(config.schema)
    if config.numbers:  # columns the tenant says are numbers, beside the schema's own
        known = set(schema.column_names)
        schema = attrs.evolve(
            schema,
            columns=(
                *schema.columns,
                *(
                    ColumnSpec(n, "number", "a number (the tenant file's numbers)")
                    for n in config.numbers
                    if n not in known
                ),
            ),
        )
    shown = config.display_path or config.path.name
    raw = read_table(
        registry.readers,
        config.path,
        name=shown,
        fmt=config.format,
        options=config.options,
        column_kinds=lambda column: schema.kind_of(config.columns.get(column, column)),
    )
    digest = raw.sha256 or _file_sha256(config.path, shown)  # a plugin's reader may not hash
    if config.columns:
        raw = raw.renamed(dict(config.columns))
    frame = validate_table(raw, schema)
    use = DatasetUse(
        config.name,
        shown,
        config.schema,
        digest,
        frame.height,
        config.source,
        read_from=config.name,
    )
    return frame, use


def _file_sha256(path: Path, shown: str) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise UnreadableFileError(f"{shown}: cannot read ({exc.strerror})") from None


class RunContext:
    """The :class:`~rfm.models.base.ComputeContext` of one run: datasets, parameters, results."""

    def __init__(
        self,
        tenant: Tenant,
        registry: Registry,
        parameters: ParameterSet,
        frames: Mapping[str, pl.DataFrame] | None = None,
        swaps: Mapping[str, str] | None = None,
    ) -> None:
        self.tenant_id = tenant.id
        self._swaps = dict(swaps or {})
        self._tenant = tenant
        self._registry = registry
        self._parameters = parameters
        self._datasets: dict[str, pl.DataFrame] = dict(frames or {})
        self.used: dict[str, DatasetUse] = {
            name: DatasetUse(
                name,
                "(i minnet)",
                tenant.datasets[name].schema,
                "",
                frame.height,
                f"{tenant.datasets[name].source} (ändrad i minnet)",
            )
            for name, frame in (frames or {}).items()
            if name in tenant.datasets
        }
        self.results: dict[str, pl.DataFrame] = {}

    @property
    def parameters(self) -> ParameterSet:
        return self._parameters

    def dataset(self, name: str) -> pl.DataFrame:
        if name not in self._datasets:
            if name not in self._tenant.datasets:
                raise ConfigError(f"tenant {self._tenant.id!r} has no dataset {name!r}")
            config = self._tenant.datasets[self._swaps.get(name, name)]
            frame, use = load_dataset(self._registry, config)
            if config.name != name:  # the scenario reads another vintage in this one's place
                use = attrs.evolve(use, name=name, path=f"{use.path} ({config.name})")
            self.used[name] = use
            self._datasets[name] = frame
        return self._datasets[name]

    def classification(self, name: str) -> Classification:
        if name not in self._tenant.classifications:
            raise ConfigError(f"tenant {self._tenant.id!r} has no classification {name!r}")
        return self._tenant.classifications[name]

    def dataset_gaps(self, name: str) -> GapRule | None:
        if name not in self._tenant.datasets:
            raise ConfigError(f"tenant {self._tenant.id!r} has no dataset {name!r}")
        # a swapped-in vintage's own declaration: a gap is a fact of the file that is read
        return self._tenant.datasets[self._swaps.get(name, name)].gaps

    def model_rows(self, model_id: str) -> pl.DataFrame:
        """The lineage rows of a model computed earlier in the run (text columns as text)."""
        if model_id not in self.results:
            raise RfmError(f"model {model_id!r} has not been computed (is it an input?)")
        return render_lineage(self.results[model_id])


@attrs.frozen
class RunResult:
    """What a run produced, and everything needed to say where each number came from."""

    tenant: Tenant
    scenario: Scenario
    years: tuple[int, ...]
    prices: str
    parameters: ParameterSet
    rows: pl.DataFrame
    """Rows of the models the scenario reports, as the run holds them: text as Categorical,
    each basis a template with its figures (see :mod:`rfm.basis`). :attr:`lineage` is the
    same rows written out."""
    all_rows: pl.DataFrame
    """Rows of every model computed, including those only read by others."""
    datasets: tuple[DatasetUse, ...]
    _written: dict[str, pl.DataFrame] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    @property
    def lineage(self) -> pl.DataFrame:
        """The lineage rows of the models the scenario reports: model, recipient, year,
        component, volume × rate = amount, and the basis as text. Written out on first use."""
        return self._write("lineage", self.rows)

    @property
    def all_lineage(self) -> pl.DataFrame:
        """:attr:`lineage` of every model computed, including those only read by others."""
        return self._write("all_lineage", self.all_rows)

    def _write(self, name: str, rows: pl.DataFrame) -> pl.DataFrame:
        if name not in self._written:
            self._written[name] = render_lineage(rows)
        return self._written[name]

    def totals(self, by: Sequence[str] = ("model", "recipient", "year")) -> pl.DataFrame:
        """Amounts summed by ``by`` (exact; round with :func:`rfm.transitions.largest_remainder`)."""
        keys = list(by)
        summed = self.rows.group_by(keys).agg(pl.col("amount").sum())
        text = [pl.col(k).cast(pl.String) for k in keys if self.rows.schema[k] == pl.Categorical]
        return summed.with_columns(text).sort(keys)


def run(
    tenant: Tenant,
    registry: Registry,
    years: Sequence[int],
    *,
    scenario: str | None = None,
    prices: str = "fixed",
    models: Sequence[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    frames: Mapping[str, pl.DataFrame] | None = None,
) -> RunResult:
    """Compute the tenant's models for ``years`` under ``scenario`` at ``prices``.

    ``models`` reports these models instead of the scenario's own list (``rfm explain`` uses
    it to show a model that is only an input to another). ``progress(done, total, model_id)``
    is called after each model (the command line draws a progress bar with it on a terminal).
    ``frames`` are validated datasets to use instead of reading those files: a simulation
    passes perturbed populations this way (the run then records them as held in memory).
    """
    if prices not in PRICE_LEVELS:
        raise ConfigError(f"prices must be one of {', '.join(PRICE_LEVELS)}, not {prices!r}")
    years = tuple(sorted(set(years)))
    if not years:
        raise ConfigError("no budget years asked for")
    chosen = tenant.scenario(scenario)
    parameters = scenario_parameters(tenant, chosen)
    reported = tuple(models) if models is not None else tenant.reported_models(chosen)
    for model_id in reported:
        tenant.model(model_id)
    needed = _with_inputs(tenant, reported)
    for name in frames or {}:
        if name not in tenant.datasets:
            raise ConfigError(f"tenant {tenant.id!r} has no dataset {name!r} to replace")
    ctx = RunContext(tenant, registry, parameters, frames, chosen.datasets)
    factors = price_factors(tenant.prices, parameters, years) if prices == "current" else None
    ordered = order_models([m for m in tenant.models if m.id in needed])
    for done, model in enumerate(ordered, start=1):
        rows = compute_rows(tenant, model, ctx, years)
        if factors is not None and not model.inputs():
            own = {
                prefix: price_factors(attrs.evolve(tenant.prices, index=index), parameters, years)
                for prefix, index in model.price_indices().items()
            }
            rows = _to_current_prices(rows, factors, own)
        lineage = in_canonical_order(apply_contract(rows, tenant.id, model.id))
        _check_years(lineage, years, model)
        if not lineage_is_valid(lineage):  # the schema then names every failing row
            validate_frame(render_lineage(lineage), LINEAGE, f"model '{model.id}' rows")
        ctx.results[model.id] = lineage
        if progress is not None:
            progress(done, len(ordered), model.id)
    # Each model's rows are sorted, and "model" is the first sort key: concatenated in model
    # order they are sorted as a whole (sorting a million rows again costs half a second).
    all_rows = pl.concat([ctx.results[m] for m in sorted(ctx.results)], how="vertical").select(
        ROW_COLUMNS
    )
    return RunResult(
        tenant=tenant,
        scenario=chosen,
        years=years,
        prices=prices,
        parameters=parameters,
        rows=all_rows.filter(pl.col("model").is_in(list(reported))),
        all_rows=all_rows,
        datasets=tuple(ctx.used[k] for k in sorted(ctx.used)),
    )


def _check_years(lineage: pl.DataFrame, years: Sequence[int], model: Model) -> None:
    """Every budget year asked for has rows: a model never drops a year in silence."""
    have = set(lineage.get_column("year").unique().to_list())
    missing = [y for y in years if y not in have]
    extra = sorted(have - set(years))
    if missing:
        raise ModelError(
            f"{model.config.where}: gives no rows for budget year(s) "
            f"{', '.join(map(str, missing))}; its data do not cover them (run years the data "
            "cover, or add data for these years)"
        )
    if extra:
        raise ContractError(
            f"model {model.id!r} yielded rows for year(s) {', '.join(map(str, extra))}, "
            "which were not asked for"
        )


def scenario_parameters(tenant: Tenant, chosen: Scenario) -> ParameterSet:
    """The tenant's parameters with the scenario's overrides merged in, year by year."""
    try:
        return tenant.parameters.with_overrides(chosen.overrides)
    except ParameterError as exc:
        raise ConfigError(f"scenario {chosen.name!r}: {exc}") from None


def compute_context(
    tenant: Tenant, registry: Registry, scenario: str | None = None
) -> ComputeContext:
    """The datasets and parameters a run of ``scenario`` would see, for work beside a run.

    A plugin command that needs more detail than the lineage rows (a month-by-month settlement,
    say) asks its model for it with this context, so it reads the same validated data.
    """
    chosen = tenant.scenario(scenario)
    parameters = scenario_parameters(tenant, chosen)
    return RunContext(tenant, registry, parameters, swaps=chosen.datasets)


def _with_inputs(tenant: Tenant, model_ids: Sequence[str]) -> set[str]:
    needed: set[str] = set()
    stack = list(model_ids)
    while stack:
        model: Model = tenant.model(stack.pop())
        if model.id not in needed:
            needed.add(model.id)
            stack.extend(model.inputs())
    return needed


def _to_current_prices(
    rows: pl.DataFrame,
    factors: dict[int, tuple[float, str]],
    own: Mapping[str, dict[int, tuple[float, str]]] | None = None,
) -> pl.DataFrame:
    """Each kr rate × the factor from the base year to its year; components that start with a
    prefix of ``own`` (a rate table with its own index) use that index's factors."""
    tables = [("", factors), *((own or {}).items())]
    table = pl.DataFrame(
        [
            (prefix, year, factor, how)
            for prefix, by_year in tables
            for year, (factor, how) in by_year.items()
        ],
        schema={"_prefix": pl.String, "year": pl.Int64, "_factor": pl.Float64, "_how": pl.String},
        orient="row",
    )
    prefix: pl.Expr = pl.lit("")
    for start in sorted((own or {}), key=len):
        prefix = (
            pl.when(pl.col("component").cast(pl.String).str.starts_with(start))
            .then(pl.lit(start))
            .otherwise(prefix)
        )
    is_kr = pl.col("rate_unit").cast(pl.String).str.starts_with("kr/")
    return (
        rows.with_columns(prefix.alias("_prefix"))
        .join(table, on=["_prefix", "year"], how="left")
        .drop("_prefix")
        .with_columns(
            pl.when(is_kr)
            .then(exact_product(pl.col("rate"), pl.col("_factor")))
            .otherwise(pl.col("rate")),
            pl.when(is_kr)
            .then(pl.col("basis").cast(pl.String) + pl.lit(" ") + pl.col("_how"))
            .otherwise(pl.col("basis").cast(pl.String)),
        )
        .drop("_factor", "_how")
    )


def compare(a: RunResult, b: RunResult) -> pl.DataFrame:
    """Per model, recipient and year: amount under A, under B, Δ kr and Δ % (of B).

    The two runs must cover the same budget years. A row that only one side has keeps the other
    side empty (null): a model or a recipient that does not exist in B is "finns inte i B", never
    0 kr, and its Δ is empty too.
    """
    if a.years != b.years:
        raise ConfigError(
            f"the runs cover different years ({_years_text(a.years)} and "
            f"{_years_text(b.years)}); compare the same budget years"
        )
    key = ["model", "recipient", "year"]
    return compare_totals(a.totals(key), b.totals(key))


def compare_totals(a: pl.DataFrame, b: pl.DataFrame) -> pl.DataFrame:
    """:func:`compare` over two frames with model, recipient, year and amount (summed here)."""
    key = ["model", "recipient", "year"]
    ta = a.group_by(key).agg(pl.col("amount").sum().alias("a"))
    tb = b.group_by(key).agg(pl.col("amount").sum().alias("b"))
    joined = ta.join(tb, on=key, how="full", coalesce=True)
    both = pl.col("a").is_not_null() & pl.col("b").is_not_null()
    diff = pl.col("a") - pl.col("b")
    return joined.with_columns(
        pl.when(both).then(diff).alias("diff"),
        pl.when(both & (pl.col("b") != 0))
        .then(diff.cast(pl.Float64) / pl.col("b").cast(pl.Float64).abs())
        .alias("diff_share"),
    ).sort(key)


def _years_text(years: Sequence[int]) -> str:
    return ", ".join(map(str, years))
