"""A tenant: who a run is for, with its datasets, models, parameters and scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from rfm.classification import Classification
from rfm.coverage import GapRule
from rfm.errors import UnknownNameError
from rfm.models.base import Model
from rfm.parameters import Parameter, ParameterSet
from rfm.rates import RateTable
from rfm.tenants.forecast_error import ForecastError
from rfm.tenants.goals import GoalSet


@attrs.frozen
class DatasetConfig:
    """A dataset a tenant reads: file, schema, reader options, column renames and provenance."""

    name: str
    path: Path
    schema: str
    format: str | None = None
    options: Mapping[str, Any] = attrs.field(factory=dict)
    columns: Mapping[str, str] = attrs.field(factory=dict)
    source: str = ""
    description: str = ""
    display_path: str = ""
    gaps: GapRule | None = None
    """What a missing row of this dataset means, when the tenant declared it (rfm.coverage)."""
    numbers: tuple[str, ...] = ()
    """Further columns read as numbers (a schema's extra columns are otherwise text)."""


@attrs.frozen
class Scenario:
    """A named alternative: which models it reports and which parameters it overrides."""

    name: str
    description: str = ""
    models: tuple[str, ...] | None = None
    overrides: tuple[Parameter, ...] = ()
    datasets: Mapping[str, str] = attrs.field(factory=dict)
    """Dataset name → the dataset this scenario reads in its place (another forecast vintage)."""


@attrs.frozen
class PriceSettings:
    """The price level of the tenant's kr parameters, and the index to current prices."""

    base_year: int | None = None
    index: str | None = None


@attrs.frozen
class Documentation:
    """What the tenant says about its models as a whole: an introduction and its criteria."""

    introduction: str = ""
    source: str = ""
    criteria: Mapping[str, str] = attrs.field(factory=dict)
    """Criterion → what it demands (seed 000's opåverkbarhet, stabilitet, …)."""


@attrs.frozen
class ReportSettings:
    """What ``rfm report`` and ``rfm demo`` show when not told, and how the report looks.

    ``[report] years = "2006-2008"`` and optionally ``against = "gammal-modell"`` (a scenario);
    ``name`` (the heading instead of the tenant's name), ``logo`` (a PNG, JPEG or SVG file in
    the tenant's folder, embedded in the report) and ``colours = { primary = "#005B99",
    accent = "#E4002B" }`` give the report the municipality's own look.
    """

    years: str | None = None
    against: str | None = None
    name: str | None = None
    logo: Path | None = None
    colours: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class FrameSettings:
    """How the committee's frame is built up year by year ("steg för steg").

    Ram(t) = Ram(t−1) + volymkompensation + förändrat ersättningsbelopp
             + pris- och lönekompensation + beviljade tilläggsäskanden − besparingar
    """

    previous: str
    """Dataset (schema ``allocation``) with the frame per programområde of earlier years."""
    programs: Mapping[str, str]
    """Model id → the programområde its money goes to."""
    additions: str | None = None
    """Dataset (schema ``budget_items``) of tilläggsäskanden."""
    savings: str | None = None
    """Dataset (schema ``budget_items``) of besparingar (positive amounts are taken away)."""
    price_index: str | None = None
    """Parameter key (andel) of the price and wage compensation on last year's frame."""
    reform_space: str | None = None
    """Parameter key (kr) of the reformutrymme the council shares between all committees."""
    description: str = ""


DEFAULT_SCENARIO = "standard"


@attrs.frozen
class Tenant:
    """A municipality (or a city, or a committee) and everything its runs need."""

    id: str
    name: str
    kommunkod: str | None
    folder: Path
    models: tuple[Model, ...]
    parameters: ParameterSet
    datasets: Mapping[str, DatasetConfig] = attrs.field(factory=dict)
    scenarios: Mapping[str, Scenario] = attrs.field(factory=dict)
    prices: PriceSettings = PriceSettings()
    description: str = ""
    origin: str = ""
    documentation: Documentation = Documentation()
    frame: FrameSettings | None = None
    report: ReportSettings | None = None
    goals: GoalSet | None = None
    simulation: ForecastError | None = None
    """The forecast-error model ``rfm simulate`` draws from (``[simulation]``), if any."""
    rates: Mapping[str, RateTable] = attrs.field(factory=dict)
    """Rate tables (``[rates.NAME]``, rfm.rates); their rows are parameters of the tenant."""
    classifications: Mapping[str, Classification] = attrs.field(factory=dict)
    """Dated threshold tables (``[classifications.NAME]``, rfm.classification)."""
    own: tuple[str, ...] = ()
    """Its kommun-specific figures (``data.NAME``, ``parameters.KEY``): a tenant extending it for
    another kommun must replace them or say it inherits them."""

    def model(self, model_id: str) -> Model:
        for m in self.models:
            if m.id == model_id:
                return m
        raise UnknownNameError(
            f"model of tenant {self.id!r}", model_id, [m.id for m in self.models]
        )

    def scenario(self, name: str | None) -> Scenario:
        """The named scenario; without a name (or by the name ``standard``), the tenant's default.

        The default scenario exists without being declared, so ``--scenario standard`` names
        it even when the tenant file has no ``[scenarios]``.
        """
        if name is None or (name == DEFAULT_SCENARIO and name not in self.scenarios):
            if DEFAULT_SCENARIO in self.scenarios:
                return self.scenarios[DEFAULT_SCENARIO]
            return Scenario(DEFAULT_SCENARIO, "alla modeller som inte är delar av andra modeller")
        if name not in self.scenarios:
            known = sorted({DEFAULT_SCENARIO, *self.scenarios})
            raise UnknownNameError(f"scenario of tenant {self.id!r}", name, known)
        return self.scenarios[name]

    def reported_models(self, scenario: Scenario) -> tuple[str, ...]:
        """The models a scenario reports: its list, or every model no other model reads."""
        if scenario.models is not None:
            return scenario.models
        used = {i for m in self.models for i in m.inputs()}
        return tuple(m.id for m in self.models if m.id not in used)
