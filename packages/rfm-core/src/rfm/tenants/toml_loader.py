"""Reading a tenant file: the TOML a municipality writes to run rfm with no Python.

The format is documented in ``docs/tenant-file.md``. In short::

    [tenant]        id, name, kommunkod, description, extends (a packaged tenant to build on)
    [prices]        base_year, index (a parameter key)
    [data.NAME]     path, schema, format, sheet/separator/encoding/decimal_comma, columns, source
    [parameters]    "key" = { unit, values, source, description }
    [overrides]     "key" = { unit, values, … } laid over an existing parameter
    [[models]]      id, type, and the keys of that model type
    [scenarios.N]   description, models, overrides
    [documentation] introduction, source, criteria = { "Stabilitet" = "…" }
    [frame]         previous, programs = { model = "programområde" }, additions, savings,
                    price_index, reform_space (the frame build-up, "steg för steg")

Every table is checked against the keys it may have; every path must stay inside the folder
of the file that names it. Nothing is evaluated as code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rfm.classification import Classification, parse_classifications
from rfm.config import (
    NAME_PATTERN,
    Table,
    check_keys,
    check_name,
    get_reader_options,
    get_str,
    get_table,
    load_toml,
)
from rfm.coverage import parse_gaps
from rfm.errors import ConfigError, ParameterError, RfmError
from rfm.models.base import Model, ModelConfig
from rfm.parameters import ParameterSet, parse_parameter_table
from rfm.parameters.dated import MAX_YEAR, MIN_YEAR
from rfm.plugins.failures import guarded
from rfm.rates import RateTable, parse_rate_tables
from rfm.tenants.forecast_error import parse_forecast_error
from rfm.tenants.goals import parse_goals
from rfm.tenants.paths import resolve_inside
from rfm.tenants.tenant import (
    DatasetConfig,
    Documentation,
    FrameSettings,
    PriceSettings,
    ReportSettings,
    Scenario,
    Tenant,
)

if TYPE_CHECKING:
    from rfm.registry import Registry

TOP_KEYS = (
    "tenant",
    "prices",
    "data",
    "parameters",
    "overrides",
    "models",
    "scenarios",
    "documentation",
    "frame",
    "report",
    "goals",
    "simulation",
    "rates",
    "classifications",
)
FRAME_KEYS = (
    "description",
    "previous",
    "programs",
    "additions",
    "savings",
    "price_index",
    "reform_space",
)
TENANT_KEYS = ("id", "name", "kommunkod", "description", "extends", "own", "inherit")
DATA_KEYS = (
    "path",
    "schema",
    "format",
    "columns",
    "source",
    "description",
    "sheet",
    "separator",
    "encoding",
    "decimal_comma",
    "thousands_separator",
    "gaps",
    "numbers",
)
READER_OPTIONS = ("sheet", "separator", "encoding", "decimal_comma", "thousands_separator")
SCENARIO_KEYS = ("description", "models", "overrides", "data")
PRICES_KEYS = ("base_year", "index")
DOCUMENTATION_KEYS = ("introduction", "source", "criteria")
REPORT_KEYS = ("years", "against", "name", "logo", "colours")
# The JSON Schema's pattern for ids: check_name's NAME_PATTERN, anchored (JSON Schema searches).
ID_PATTERN = re.compile(rf"^{NAME_PATTERN.pattern}$")

# Datasets named like a schema use that schema unless they say otherwise.
DEFAULT_SCHEMAS = {
    "population": "population",
    "counts": "category_counts",
    "need": "area_variables",
    "standard_costs": "standard_costs",
}


def load_tenant_file(path: Path, registry: Registry) -> Tenant:
    """Read and check the tenant file at ``path``."""
    path = Path(path)
    return tenant_from_document(load_toml(path), path, registry)


def check_kommunkod(kommunkod: object, name: str, file: str) -> None:
    """A kommunkod of one of the 290 kommuner, and not another kommun's than the name says.

    The kommunkod decides whose figures Kolada compares with: "Sjöbo kommun" with 1267 (Höör)
    would benchmark the wrong municipality without a word.
    """
    from rfm.schemas.builtin import kommun_names

    where = f"{file}: [tenant].kommunkod"
    if not (isinstance(kommunkod, str) and re.fullmatch(r"\d{4}", kommunkod)):
        raise ConfigError(f'{where}: expected four digits as text, e.g. "0665"')
    names = kommun_names()
    if kommunkod not in names:
        raise ConfigError(
            f"{where}: {kommunkod!r} is not the code of any of Sweden's 290 kommuner "
            "(SCB's kommunkoder; 0665 is Vaggeryd)"
        )
    own = names[kommunkod]
    text = unicodedata.normalize("NFC", name)
    shouted = text.isupper()  # "SJÖBO KOMMUN" names Sjöbo too
    if shouted:
        text = text.casefold()
    mentioned = {
        n
        for n in names.values()
        for form in _name_forms(n)
        if re.search(rf"(?<!\w){re.escape(form.casefold() if shouted else form)}s?(?!\w)", text)
    }
    if mentioned and own not in mentioned:
        raise ConfigError(
            f"{where}: {kommunkod} is {own}, but the tenant's name {name!r} names "
            f"{', '.join(sorted(mentioned))}; give the kommunkod of the kommun the tenant is for"
        )


_OFFICIAL_FORMS = {"Falun": ("Falu",), "Malung-Sälen": ("Malung",), "Upplands-Bro": ("Bro",)}
"""Forms a kommun's own name takes ("Falu kommun" is Falun's official name)."""


def _name_forms(name: str) -> tuple[str, ...]:
    return (name, *_OFFICIAL_FORMS.get(name, ()))


def _check_id(value: str, where: str) -> str:
    return check_name(value, where)  # a full match: "prov\n" is not an id


def _datasets(doc: Table, folder: Path, file: str) -> dict[str, DatasetConfig]:
    out = {}
    for name, table in get_table(doc, "data", file).items():
        where = f"{file}: [data.{name}]"
        _check_id(name, f"{file}: [data] name")
        check_keys(table, where, allowed=DATA_KEYS, required=("path",))
        rel = get_str(table, "path", where)
        columns = table.get("columns", {})
        if not isinstance(columns, Mapping) or not all(
            isinstance(v, str) for v in columns.values()
        ):
            raise ConfigError(f'{where}.columns: expected {{ name in file = "name rfm expects" }}')
        schema = get_str(table, "schema", where, DEFAULT_SCHEMAS.get(name, ""))
        if not schema:
            raise ConfigError(
                f"{where}: give 'schema' (population, municipal_population, category_counts, "
                "standard_costs, area_variables, allocation, or one a plugin adds)"
            )
        out[name] = DatasetConfig(
            name=name,
            path=resolve_inside(folder, rel, f"{where}.path"),
            schema=schema,
            format=table.get("format"),
            options=get_reader_options(table, READER_OPTIONS, where),
            columns=dict(columns),
            source=get_str(table, "source", where, ""),
            description=get_str(table, "description", where, ""),
            display_path=rel,
            gaps=parse_gaps(table.get("gaps"), where),
            numbers=tuple(_names(table, "numbers", where)),
        )
    return out


def _models(
    doc: Table,
    file: str,
    registry: Registry,
    params: ParameterSet,
    rates: Mapping[str, RateTable],
    classifications: Mapping[str, Classification],
) -> list[Model]:
    raw_models = doc.get("models", [])
    if not isinstance(raw_models, list):
        raise ConfigError(f"{file}: 'models' must be written as [[models]] tables")
    models: list[Model] = []
    for i, table in enumerate(raw_models):
        where = f"{file}: models[{i + 1}]"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: expected a table")
        model_id = _check_id(get_str(table, "id", where), f"{where}.id")
        where = f"{file}: model '{model_id}'"
        type_name = get_str(table, "type", where)
        if type_name not in registry.model_types:
            raise ConfigError(
                f"{where}.type: unknown model type {type_name!r}; known: "
                f"{', '.join(sorted(registry.model_types))} (rfm models lists them; a plugin may add more)"
            )
        model_type = registry.model_type(type_name)
        config = ModelConfig(model_id, type_name, table, where, params, rates, classifications)
        models.append(guarded(model_type, model_id, where, model_type.from_config, config))
    return models


def _scenarios(doc: Table, file: str, model_ids: set[str]) -> dict[str, Scenario]:
    out = {}
    for name, table in get_table(doc, "scenarios", file).items():
        where = f"{file}: [scenarios.{name}]"
        _check_id(name, f"{file}: [scenarios] name")
        check_keys(table, where, allowed=SCENARIO_KEYS)
        models = table.get("models")
        if models is not None:
            if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
                raise ConfigError(f"{where}.models: expected a list of model ids")
            if not models:
                raise ConfigError(f"{where}.models: an empty list runs nothing; name a model")
            unknown = [m for m in models if m not in model_ids]
            if unknown:
                raise ConfigError(
                    f"{where}.models: unknown model(s) {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(model_ids))}"
                )
        overrides = parse_parameter_table(table.get("overrides", {}), f"{where}.overrides")
        swaps = get_table(table, "data", where)
        if not all(isinstance(v, str) for v in swaps.values()):
            raise ConfigError(f'{where}.data: expected {{ population = "prognos_2024" }}')
        out[name] = Scenario(
            name,
            get_str(table, "description", where, ""),
            tuple(models) if models is not None else None,
            tuple(overrides.values()),
            {str(k): str(v) for k, v in swaps.items()},
        )
    return out


def _documentation(doc: Table, file: str, models: list[Model]) -> Documentation:
    table = get_table(doc, "documentation", file)
    where = f"{file}: [documentation]"
    check_keys(table, where, allowed=DOCUMENTATION_KEYS)
    criteria = get_table(table, "criteria", where)
    if not all(isinstance(v, str) for v in criteria.values()):
        raise ConfigError(f'{where}.criteria: expected {{ "criterion" = "what it demands" }}')
    for m in models:
        unknown = sorted(set(m.criteria) - set(criteria)) if criteria else []
        if unknown:
            raise ConfigError(
                f"{file}: model '{m.id}'.criteria: {', '.join(map(repr, unknown))} is not one "
                f"of the criteria in [documentation.criteria] ({', '.join(criteria)})"
            )
    return Documentation(
        get_str(table, "introduction", where, "").strip(),
        get_str(table, "source", where, ""),
        {str(k): str(v) for k, v in criteria.items()},
    )


def _frame(
    doc: Table,
    file: str,
    models: list[Model],
    datasets: Mapping[str, DatasetConfig],
    params: ParameterSet,
) -> FrameSettings | None:
    table = get_table(doc, "frame", file)
    if not table:
        return None
    where = f"{file}: [frame]"
    check_keys(table, where, allowed=FRAME_KEYS, required=("previous", "programs"))
    programs = get_table(table, "programs", where)
    ids = {m.id for m in models}
    for model_id, program in programs.items():
        if model_id not in ids:
            raise ConfigError(
                f"{where}.programs: no model {model_id!r} (models: {', '.join(sorted(ids))})"
            )
        if not isinstance(program, str) or not program:
            raise ConfigError(f"{where}.programs.{model_id}: expected the programområde's name")
    names: dict[str, str | None] = {}
    for key, schema in (
        ("previous", "allocation"),
        ("additions", "budget_items"),
        ("savings", "budget_items"),
    ):
        name = get_str(table, key, where, "") or None
        if name is not None:
            if name not in datasets:
                raise ConfigError(f"{where}.{key}: no dataset {name!r} ([data.{name}])")
            if datasets[name].schema != schema:
                raise ConfigError(
                    f"{where}.{key}: dataset {name!r} has schema {datasets[name].schema!r}; "
                    f"expected {schema!r}"
                )
        names[key] = name
    keys: dict[str, str | None] = {}
    for key, unit in (("price_index", "andel"), ("reform_space", "kr")):
        name = get_str(table, key, where, "") or None
        if name is not None:
            if name not in params:
                raise ConfigError(f"{where}.{key}: no parameter {name!r} in [parameters]")
            if params[name].unit != unit:
                raise ConfigError(f"{where}.{key}: parameter {name!r} must be in {unit!r}")
        keys[key] = name
    previous = names["previous"]
    assert previous is not None
    return FrameSettings(
        previous=previous,
        programs={str(k): str(v) for k, v in programs.items()},
        additions=names["additions"],
        savings=names["savings"],
        price_index=keys["price_index"],
        reform_space=keys["reform_space"],
        description=get_str(table, "description", where, ""),
    )


def tenant_from_document(doc: Table, path: Path, registry: Registry) -> Tenant:
    """Build a tenant from a parsed tenant file (``path`` locates its folder and messages)."""
    file = str(path)
    folder = Path(path).resolve().parent
    check_keys(doc, file, allowed=TOP_KEYS, required=("tenant",))
    head = get_table(doc, "tenant", file)
    check_keys(head, f"{file}: [tenant]", allowed=TENANT_KEYS, required=("id",))
    tenant_id = _check_id(get_str(head, "id", f"{file}: [tenant]"), f"{file}: [tenant].id")
    base: Tenant | None = None
    if "extends" in head:
        base = _base(get_str(head, "extends", f"{file}: [tenant]"), folder, file, registry)
    kommunkod = head.get("kommunkod", base.kommunkod if base else None)
    name = get_str(head, "name", f"{file}: [tenant]", base.name if base else tenant_id)
    if kommunkod is not None:
        check_kommunkod(kommunkod, name, file)
    own = _names(head, "own", f"{file}: [tenant]")
    if base is not None:
        _check_inheritance(doc, head, base, kommunkod, file)

    rates, rate_params = parse_rate_tables(doc, folder, file, registry)
    clash = sorted(set(rates) & set(base.rates)) if base else []
    if clash:
        raise ConfigError(f"{file}: rate table(s) {', '.join(clash)} already in {base.id!r}")  # type: ignore[union-attr]
    rates = {**(base.rates if base else {}), **rates}
    own_classifications = parse_classifications(doc, file)
    clash = sorted(set(own_classifications) & set(base.classifications)) if base else []
    if clash:
        # the base's models classify by name: a new table of the same name would change their
        # levels without a word
        raise ConfigError(
            f"{file}: classification(s) {', '.join(clash)} already in {base.id!r}"  # type: ignore[union-attr]
        )
    classifications = {**(base.classifications if base else {}), **own_classifications}
    try:
        own_params = parse_parameter_table(doc.get("parameters", {}), f"{file}: [parameters]")
        own_params = own_params.union(ParameterSet.of(rate_params))
        tenant_params = base.parameters.union(own_params) if base else own_params
        models = _models(doc, file, registry, tenant_params, rates, classifications)
        all_models = [*(base.models if base else ()), *models]
        if not all_models:
            raise ConfigError(
                f"{file}: no [[models]]; a tenant file needs at least one model "
                "(rfm models lists the model types, docs/tenant-file.md shows how)"
            )
        ids = [m.id for m in all_models]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ConfigError(f"{file}: model id(s) defined twice: {', '.join(dupes)}")
        params = tenant_params.union(ParameterSet.of(p for m in models for p in m.own_parameters))
        overrides = parse_parameter_table(doc.get("overrides", {}), f"{file}: [overrides]")
        params = params.with_overrides(overrides.values())
    except ParameterError as exc:
        raise ConfigError(f"{file}: {exc}") from None

    datasets = {**(base.datasets if base else {}), **_datasets(doc, folder, file)}
    scenarios = {**(base.scenarios if base else {}), **_scenarios(doc, file, set(ids))}
    for scenario in scenarios.values():
        try:
            params.with_overrides(scenario.overrides)
        except ParameterError as exc:
            raise ConfigError(f"{file}: [scenarios.{scenario.name}]: {exc}") from None
        _check_swaps(scenario, datasets, file)
    _check_graph(all_models, datasets, file)

    prices = _prices(doc, file, params)
    if base and "prices" not in doc:
        prices = base.prices
        check_index(prices, params, file)

    documentation = _documentation(doc, file, all_models)
    if base and "documentation" not in doc:
        documentation = base.documentation
    frame = _frame(doc, file, all_models, datasets, params)
    if base and "frame" not in doc:
        frame = base.frame
    report = _report(doc, file, scenarios)
    if base and "report" not in doc:
        report = base.report
    goals = base.goals if base else None
    if "goals" in doc:
        programs = set(frame.programs.values()) if frame is not None else None
        goals = parse_goals(get_table(doc, "goals", file), f"{file}: [goals]", programs)
    simulation = base.simulation if base else None
    if "simulation" in doc:
        simulation = parse_forecast_error(
            get_table(doc, "simulation", file), f"{file}: [simulation]"
        )
        if simulation.dataset not in datasets:
            raise ConfigError(
                f"{file}: [simulation].dataset: no dataset {simulation.dataset!r} "
                f"(known: {', '.join(sorted(datasets)) or 'none'})"
            )

    unknown = [o for o in own if _own_kind(o, datasets, params) is None]
    if unknown:
        raise ConfigError(
            f"{file}: [tenant].own: {', '.join(map(repr, unknown))} is no dataset or parameter "
            "of the tenant; write 'data.NAME' or 'parameters.KEY'"
        )
    for table in rates.values():
        if table.index is not None and table.index not in params:
            raise ConfigError(f"{table.where}.index: no parameter {table.index!r}")
        if table.index is not None:  # checked as the tenant's index is: a level above 0, …
            check_index(PriceSettings(None, table.index), params, file, f"{table.where}.index")
    return Tenant(
        id=tenant_id,
        rates=rates,
        classifications=classifications,
        name=name,
        kommunkod=kommunkod,
        own=tuple(dict.fromkeys([*(base.own if base else ()), *own])),  # a chain keeps both
        folder=folder,
        models=tuple(all_models),
        parameters=params,
        datasets=datasets,
        scenarios=scenarios,
        prices=prices,
        description=get_str(head, "description", f"{file}: [tenant]", ""),
        origin=file,
        documentation=documentation,
        frame=frame,
        report=report,
        goals=goals,
        simulation=simulation,
    )


def _prices(doc: Table, file: str, params: ParameterSet) -> PriceSettings:
    """``[prices] base_year = 2022, index = "pkv"``: the price level of the kr parameters."""
    table = get_table(doc, "prices", file)
    where = f"{file}: [prices]"
    check_keys(table, where, allowed=PRICES_KEYS)
    if ("index" in table) != ("base_year" in table):
        raise ConfigError(f"{where}: give both 'base_year' and 'index', or neither")
    if not table:
        return PriceSettings()
    year = table["base_year"]
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ConfigError(
            f"{where}.base_year: expected a year {MIN_YEAR}–{MAX_YEAR} written as a whole number "
            f"(base_year = 2022), found {year!r}"
        )
    prices = PriceSettings(year, get_str(table, "index", where))
    check_index(prices, params, file)
    return prices


def check_index(
    prices: PriceSettings, params: ParameterSet, file: str, where: str | None = None
) -> None:
    """The price index exists and every value of it can carry money: a level above 0, a
    yearly change above −100 % (a change of −1 would make every amount 0 kr). ``where`` names
    the index in messages (default: the tenant's ``[prices].index``)."""
    from rfm.prices import CHANGE_UNIT, LEVEL_UNIT

    if prices.index is None:
        return
    where = where or f"{file}: [prices].index"
    if prices.index not in params:
        raise ConfigError(f"{where}: no parameter {prices.index!r}")
    index = params[prices.index]
    if index.unit not in (LEVEL_UNIT, CHANGE_UNIT):
        raise ConfigError(
            f"{where}: parameter {prices.index!r} is in {index.unit!r}; expected "
            f"{LEVEL_UNIT!r} (levels, PKV 2022 = 100) or {CHANGE_UNIT!r} (yearly change)"
        )
    for dated in index.values:
        if dated.value is None:
            continue
        if index.unit == LEVEL_UNIT and dated.value <= 0:
            raise ConfigError(
                f"{where}: {prices.index!r} is {dated.value} from {dated.year}; an index level "
                "must be above 0"
            )
        if index.unit == CHANGE_UNIT and dated.value <= -1:
            raise ConfigError(
                f"{where}: {prices.index!r} changes by {dated.value} from {dated.year}; a yearly "
                "change must be above −1 (−100 %)"
            )


MAX_EXTENDS = 20
"""How many tenant files may extend one another in a chain."""
_EXTENDING: ContextVar[tuple[Path, ...]] = ContextVar("rfm_extending", default=())
"""Tenant files being loaded through ``extends`` (to refuse a circle), per thread of work."""


def _base(name: str, folder: Path, file: str, registry: Registry) -> Tenant:
    """The tenant ``extends`` names: an installed tenant, or a tenant file beside this one.

    ``extends = "vaggeryd"`` builds on a packaged tenant; ``extends = "gemensam.toml"`` on a
    tenant file in this folder (a consultant's shared model), which may not leave the folder.
    """
    if not name.lower().endswith(".toml"):
        return registry.tenant(name)
    where = f"{file}: [tenant].extends"
    path = resolve_inside(folder, name, where)
    if not path.is_file():
        raise ConfigError(f"{where}: no tenant file {name!r} in {folder}")
    chain = _EXTENDING.get()
    if path in chain:
        shown = " → ".join(p.name for p in (*chain, path))
        raise ConfigError(f"{where} goes round in a circle: {shown}")
    if len(chain) >= MAX_EXTENDS:
        raise ConfigError(
            f"{where}: more than {MAX_EXTENDS} tenant files extend one another "
            f"({' → '.join(p.name for p in chain[:3])} → …); shorten the chain"
        )
    token = _EXTENDING.set((*chain, path))
    try:
        return load_tenant_file(path, registry)
    finally:
        _EXTENDING.reset(token)


def _check_swaps(scenario: Scenario, datasets: Mapping[str, DatasetConfig], file: str) -> None:
    """A scenario's ``data = { population = "prognos_2024" }``: both datasets exist and share a
    schema, so the scenario reads another vintage of the same kind of data."""
    where = f"{file}: [scenarios.{scenario.name}].data"
    for name, other in scenario.datasets.items():
        for n in (name, other):
            if n not in datasets:
                raise ConfigError(
                    f"{where}: no dataset {n!r} (datasets: {', '.join(sorted(datasets))})"
                )
        if datasets[name].schema != datasets[other].schema:
            raise ConfigError(
                f"{where}: {other!r} has schema {datasets[other].schema!r} and {name!r} "
                f"{datasets[name].schema!r}; a scenario swaps data of the same kind"
            )


def _names(table: Table, key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f'{where}.{key}: expected a list of names such as ["data.population"]')
    return list(value)


def _own_kind(item: str, datasets: Mapping[str, Any], params: ParameterSet) -> str | None:
    """What ``data.NAME`` or ``parameters.KEY`` of an ``own`` list is, or None."""
    kind, _, name = item.partition(".")
    if kind == "data" and name in datasets:
        return "data"
    if kind == "parameters" and name in params:
        return "parameters"
    return None


def _check_inheritance(doc: Table, head: Table, base: Tenant, kommunkod: object, file: str) -> None:
    """A tenant of another kommun may not take the base kommun's own figures in silence.

    The base marks its kommun-specific datasets and parameters in ``[tenant] own`` (its
    population, its frames, the population the equalisation divided by). A tenant that extends it
    for another kommun replaces each of them — ``[data.NAME]`` or ``[overrides]`` — or names it
    in ``[tenant] inherit`` to say that it means to use the base's figure.
    """
    inherit = set(_names(head, "inherit", f"{file}: [tenant]"))
    unknown = sorted(inherit - set(base.own))
    if unknown:
        raise ConfigError(
            f"{file}: [tenant].inherit: {', '.join(map(repr, unknown))} is not marked as "
            f"{base.id!r}'s own (its own figures: {', '.join(base.own) or 'none'})"
        )
    if kommunkod == base.kommunkod:
        return
    replaced_data = set(get_table(doc, "data", file))
    # An override replaces a base parameter only if no base value stays in force: its first
    # year is at or before the base's first (a value from 2099 leaves every earlier year as is).
    replaced_params = set()
    for key, table in get_table(doc, "overrides", file).items():
        values = table.get("values", {}) if isinstance(table, Mapping) else {}
        years = [int(y) for y in values if str(y).isdigit()] if isinstance(values, Mapping) else []
        if key in base.parameters and years and min(years) <= base.parameters[key].values[0].year:
            replaced_params.add(key)
    taken = [
        item
        for item in base.own
        if item not in inherit
        and not (item.startswith("data.") and item[5:] in replaced_data)
        and not (item.startswith("parameters.") and item[11:] in replaced_params)
    ]
    if taken:
        described = []
        for item in taken:
            kind, _, key = item.partition(".")
            source = (
                base.datasets[key].source
                if kind == "data"
                else base.parameters[key].values[-1].source
            )
            described.append(f"{item} ({source[:60]}{'…' if len(source) > 60 else ''})")
        raise ConfigError(
            f"{file}: extends {base.id!r} ({base.kommunkod or 'no kommunkod'}) for kommunkod "
            f"{kommunkod or 'none'}, but would take {base.id!r}'s own figures: "
            + "; ".join(described)
            + ". Give your own ([data.NAME] or [overrides]) or list them in [tenant] inherit = "
            "[…] if you mean to use them"
        )


def _report(
    doc: Mapping[str, Any], file: str, scenarios: Mapping[str, Any]
) -> ReportSettings | None:
    """``[report]``: defaults of rfm report and demo (years, against) and the report's look
    (name, logo, colours); see :class:`~rfm.tenants.tenant.ReportSettings`."""
    if "report" not in doc:
        return None
    table = get_table(doc, "report", file)
    where = f"{file}: [report]"
    check_keys(table, where, allowed=REPORT_KEYS)
    years = get_str(table, "years", where, "") or None
    if years is not None and not re.fullmatch(
        r"\d{4}(?:[-–]\d{4})?(?:,\d{4}(?:[-–]\d{4})?)*", years.replace(" ", "")
    ):
        raise ConfigError(
            f"{where}.years: expected years like 2023-2030 or 2018,2020, not {years!r}"
        )
    against = table.get("against")
    if against is not None and against not in scenarios:
        raise ConfigError(
            f"{where}.against: no scenario {against!r} (scenarios: {', '.join(sorted(scenarios)) or 'none'})"
        )
    name = get_str(table, "name", where, "") or None
    logo = None
    if "logo" in table:
        relative = get_str(table, "logo", where)
        logo = resolve_inside(Path(file).resolve().parent, relative, f"{where}.logo")
        if logo.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
            raise ConfigError(f"{where}.logo: expected a .png, .jpg or .svg file, not {relative!r}")
    colours = table.get("colours", {})
    if not isinstance(colours, Mapping) or set(colours) - {"primary", "accent"}:
        raise ConfigError(
            f'{where}.colours: expected {{ primary = "#005B99", accent = "#E4002B" }}'
        )
    for key, value in colours.items():
        if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise ConfigError(
                f'{where}.colours.{key}: expected a colour such as "#005B99", not {value!r}'
            )
    return ReportSettings(years, against, name, logo, dict(colours))


def _check_graph(models: list[Model], datasets: Mapping[str, Any], file: str) -> None:
    ids = {m.id for m in models}
    problems = []
    for m in models:
        for d in m.datasets():
            if d not in datasets:
                problems.append(f"model '{m.id}' reads dataset {d!r}, which no [data.{d}] defines")
        for i in m.inputs():
            if i not in ids:
                problems.append(f"model '{m.id}' reads model {i!r}, which is not defined")
    if problems:
        raise ConfigError(f"{file}: " + "; ".join(problems))
    order_models(models)


def order_models(models: list[Model] | tuple[Model, ...]) -> list[Model]:
    """The models in an order where each comes after the models it reads; cycles are errors."""
    by_id = {m.id: m for m in models}
    done: list[Model] = []
    state: dict[str, int] = {}

    def visit(model_id: str, chain: tuple[str, ...]) -> None:
        if state.get(model_id) == 2:
            return
        if state.get(model_id) == 1:
            raise RfmError(f"models read each other in a circle: {' → '.join((*chain, model_id))}")
        state[model_id] = 1
        for dep in by_id[model_id].inputs():
            visit(dep, (*chain, model_id))
        state[model_id] = 2
        done.append(by_id[model_id])

    for m in models:
        visit(m.id, ())
    return done
