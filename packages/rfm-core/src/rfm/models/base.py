"""What a model type is, and what it is given to compute with.

A *model type* (``age_bands``, ``distribution_key``, …) is a class a tenant names in its file.
It reads its own table of the tenant file in :meth:`Model.from_config`, declaring the parameters
it needs (dated, with units and sources) and the datasets and models it reads. The engine later
calls :meth:`Model.compute` with a :class:`ComputeContext` for all requested years at once, and
the model returns *model rows* (see :mod:`rfm.contract`): volume, rate and basis, never amounts.

Parameters are looked up through the context, never held by the model, so that a scenario can
override any of them and the run records exactly which values it used.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import attrs
import polars as pl

from rfm.config import Table, check_keys, get_str
from rfm.coverage import GapRule

if TYPE_CHECKING:
    from rfm.classification import Classification
    from rfm.rates import RateTable
from rfm.errors import ConfigError
from rfm.parameters import Parameter, ParameterSet, parse_dated_values


class ComputeContext(Protocol):
    """What a model may read while it computes."""

    tenant_id: str

    @property
    def parameters(self) -> ParameterSet: ...

    def dataset(self, name: str) -> pl.DataFrame:
        """The named dataset of the tenant, read and validated against its schema."""
        ...

    def dataset_gaps(self, name: str) -> GapRule | None:
        """What the tenant declared a missing row of dataset ``name`` to mean, if anything."""
        ...

    def classification(self, name: str) -> Classification:
        """The tenant's classification (dated threshold table) ``name``."""
        ...

    def model_rows(self, model_id: str) -> pl.DataFrame:
        """The lineage rows (with amounts) of a model this one depends on."""
        ...


@attrs.frozen
class ModelConfig:
    """One ``[[models]]`` table of a tenant file, and where it came from (for messages)."""

    id: str
    type: str
    table: Table
    where: str
    tenant_parameters: ParameterSet = attrs.field(factory=ParameterSet)
    rate_tables: Mapping[str, RateTable] = attrs.field(factory=dict)
    """The tenant's ``[rates.NAME]`` tables (rfm.rates)."""
    classifications: Mapping[str, Classification] = attrs.field(factory=dict)
    """The tenant's ``[classifications.NAME]`` threshold tables (rfm.classification)."""


COMMON_KEYS = ("id", "type", "source", "description", "label", "criteria")


@attrs.frozen
class ParameterRef:
    """The key of a parameter a model reads, and what it is for (shown in documentation)."""

    key: str
    role: str


class Model(abc.ABC):
    """A configured model of one tenant. Subclasses are the model types."""

    type_name: ClassVar[str]
    """The name a tenant file uses in ``type = "…"``."""
    summary: ClassVar[str]
    """One line saying what the model type computes."""
    config_keys: ClassVar[tuple[str, ...]] = ()
    """Keys the type accepts in its table, beyond :data:`COMMON_KEYS`."""
    required_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: ModelConfig) -> None:
        check_keys(
            config.table,
            config.where,
            allowed=(*COMMON_KEYS, *self.config_keys),
            required=("id", "type", *self.required_keys),
        )
        self.id = config.id
        self.config = config
        self.source = get_str(config.table, "source", config.where, "")
        self.description = get_str(config.table, "description", config.where, "")
        self.label = get_str(config.table, "label", config.where, config.id)
        criteria = config.table.get("criteria", {})
        if not isinstance(criteria, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in criteria.items()
        ):
            raise ConfigError(
                f'{config.where}.criteria: expected {{ "criterion" = "how this model meets it" }}'
            )
        self.criteria: dict[str, str] = dict(criteria)
        self.own_parameters: list[Parameter] = []
        self.parameter_refs: list[ParameterRef] = []

    @classmethod
    def from_config(cls, config: ModelConfig) -> Model:
        """Build the model from its tenant-file table (the default calls ``cls(config)``)."""
        return cls(config)

    # -- what the engine asks -------------------------------------------------------------

    def datasets(self) -> tuple[str, ...]:
        """Names of the tenant datasets this model reads."""
        return ()

    def inputs(self) -> tuple[str, ...]:
        """Ids of the models whose rows this model needs (computed before it)."""
        return ()

    @abc.abstractmethod
    def compute(self, ctx: ComputeContext, years: Sequence[int]) -> pl.DataFrame:
        """Model rows (:data:`rfm.contract.MODEL_COLUMNS`) for every year in ``years``."""

    @abc.abstractmethod
    def formula(self) -> str:
        """The model's formula in words and symbols, for documentation and ``rfm explain``."""

    def price_indices(self) -> Mapping[str, str]:
        """Component prefix → the price index (a parameter key) its kr rates follow at current
        prices, where it is not the tenant's own (a rate table with ``index``). Default: none."""
        return {}

    def explain(self, rows: pl.DataFrame, recipient: str, year: int) -> list[str]:
        """Lines of arithmetic ``rfm explain`` prints beneath the lineage rows.

        ``rows`` are this model's lineage rows (every recipient and year of the run), so a key
        can set one recipient's points against everyone's. The default adds nothing.
        """
        return []

    # -- helpers for subclasses -------------------------------------------------------------

    def dated_parameter(self, field: str, unit: str, role: str, *, suffix: str = "") -> str:
        """Declare the parameter in ``field`` of the table; return the key to look it up by.

        The field is either inline dated values (``{ 2024 = 21900 }``), which become the
        parameter ``<model id>.<field>[.<suffix>]`` with the model's ``source``, or the text key
        of a parameter defined in the tenant's ``[parameters]`` table.
        """
        raw = self.config.table[field] if not suffix else self.config.table[field][suffix]
        where = f"{self.config.where}.{field}" + (f".{suffix}" if suffix else "")
        return self.declare(
            raw, where, f"{self.id}.{field}" + (f".{suffix}" if suffix else ""), unit, role
        )

    def declare(self, raw: Any, where: str, key: str, unit: str, role: str) -> str:
        """Declare a parameter from ``raw`` (inline values or a key); return its key."""
        if isinstance(raw, str):
            known = self.config.tenant_parameters
            if raw not in known:
                raise ConfigError(
                    f"{where}: refers to parameter {raw!r}, which the tenant's [parameters] "
                    f"does not define (defined: {', '.join(sorted(known)) or 'none'})"
                )
            if known[raw].unit != unit:
                raise ConfigError(
                    f"{where}: parameter {raw!r} is in {known[raw].unit!r}; this field needs {unit!r}"
                )
            self.parameter_refs.append(ParameterRef(raw, role))
            return raw
        values = parse_dated_values(raw, where, self.source or None)
        self.own_parameters.append(Parameter(key, unit, values, role))
        self.parameter_refs.append(ParameterRef(key, role))
        return key

    def optional_int(self, key: str, default: int) -> int:
        value = self.config.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(
                f"{self.config.where}.{key}: expected a whole number, found {value!r}"
            )
        return value

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.config.table.get(key)
        if not isinstance(value, Mapping) or not value:
            raise ConfigError(f"{self.config.where}.{key}: expected a non-empty table")
        return value
