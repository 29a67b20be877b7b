"""The tenant file's JSON Schema, generated from the loader's own definitions.

Editors check and complete TOML against a JSON Schema: Even Better TOML (VS Code) and taplo
read one named on the file's first line::

    #:schema ./tenant.schema.json

``rfm tenants schema`` writes the schema, ``rfm init`` puts one beside every new tenant file, and
``docs/tenant-file.schema.json`` is the one for rfm with every plugin of this repository.
``rfm tenants check FILE`` validates a file against it (every structural problem at once, with
its place), then loads it as ``rfm run`` would.

Nothing here is written by hand twice: the allowed keys are the tuples the loader checks with
(:mod:`rfm.tenants.toml_loader`, :mod:`rfm.rates`, :mod:`rfm.classification`,
:mod:`rfm.coverage`, :mod:`rfm.tenants.goals`, :mod:`rfm.tenants.forecast_error`,
:mod:`rfm.parameters.config`), and each model type's table its ``config_keys`` and
``required_keys`` — those of the installed plugins too, so the schema follows what is installed.
The schema says what keys a table may have and what shape a value takes; what only the data can
tell (a dataset that exists, a parameter's unit) the loader checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rfm.classification import KEYS as CLASSIFICATION_KEYS
from rfm.coverage import GAP_MEANINGS
from rfm.deferred import usable
from rfm.errors import PluginError
from rfm.models.base import COMMON_KEYS
from rfm.parameters.config import PARAMETER_KEYS, VALUE_KEYS
from rfm.rates import DERIVE_KEYS, ROW_KEYS, TABLE_KEYS
from rfm.registry import Registry
from rfm.tenants import goals, toml_loader
from rfm.tenants.forecast_error import KEYS as SIMULATION_KEYS

DRAFT = "http://json-schema.org/draft-07/schema#"
ID = "https://rfm.invalid/schemas/tenant.schema.json"

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
YEAR_KEY = r"^\d{4}$"
ANY: Schema = {}

DESCRIPTIONS: Mapping[str, str] = {
    "tenant": "Who the file is for: id, name, kommunkod, and extends/own/inherit.",
    "prices": "The price level of the kr parameters: base_year and index (a parameter key).",
    "data": "Datasets by name: [data.NAME] path, schema, reader options, columns, source.",
    "parameters": 'Dated parameters: "key" = { unit, values = { 2024 = … }, source }.',
    "overrides": "Values laid over existing parameters (a base tenant's, a model's own).",
    "models": "[[models]]: id, type, and the keys of that model type.",
    "scenarios": "Named alternatives: [scenarios.NAME] models, overrides, data.",
    "documentation": "What rfm docs says about the models: introduction, source, criteria.",
    "frame": "The frame build-up steg för steg: previous, programs, additions, savings.",
    "report": 'What rfm run, report and demo compute when not told (years = "2023-2030") and '
    "the report's look (name, logo, colours).",
    "goals": "Goals and Kolada indicators judged beside the money.",
    "simulation": "The forecast-error model rfm simulate draws population paths from.",
    "rates": "Rate tables: [rates.NAME] dimensions, unit, rows or a file.",
    "classifications": "Dated threshold tables: [classifications.NAME] boundary, levels.",
    "id": "Lower-case letters, digits, '-' and '_'.",
    "kommunkod": 'Four digits as text, e.g. "0665" (Vaggeryd).',
    "extends": "A packaged tenant (rfm tenants) or a tenant file in this folder to build on.",
    "own": "This kommun's own figures (data.NAME, parameters.KEY) a tenant extending it replaces.",
    "inherit": "The base's own figures this tenant means to use as they are.",
    "source": 'Where the figures come from: a decision ("KF 2023-06-12 § 45") or a table.',
    "path": "A file in this tenant's folder (never outside it).",
    "schema": "The table schema the dataset is checked against (rfm schemas lists them).",
    "gaps": 'What a missing row means: { means = "zero", reason = "…" }.',
}


def _described(key: str, schema: Schema) -> Schema:
    text = DESCRIPTIONS.get(key)
    return {**schema, "description": text} if text and "description" not in schema else schema


def table(
    keys: Iterable[str],
    required: Sequence[str] = (),
    values: Mapping[str, Schema] | None = None,
    description: str = "",
) -> Schema:
    """An object with exactly ``keys`` (and ``required`` among them)."""
    values = values or {}
    out: Schema = {
        "type": "object",
        "properties": {
            k: _described(k, values.get(k, ANY)) for k in dict.fromkeys([*keys, *required])
        },
        "additionalProperties": False,
    }
    if required:
        out["required"] = list(required)
    if description:
        out["description"] = description
    return out


def named(item: Schema, description: str = "") -> Schema:
    """``[x.NAME]`` tables: any name, each an ``item``."""
    out: Schema = {"type": "object", "additionalProperties": item}
    if description:
        out["description"] = description
    return out


STRINGS: Schema = {"type": "array", "items": TEXT}
GAPS = table(
    ("means", "reason"),
    ("means", "reason"),
    {"means": {"enum": sorted(GAP_MEANINGS)}, "reason": TEXT},
)
DATED_VALUE: Schema = {
    "oneOf": [
        {"type": "number"},
        table(
            VALUE_KEYS, (), {"value": {"type": "number"}, "source": TEXT, "end": {"const": True}}
        ),
    ]
}
DATED_VALUES: Schema = {
    "type": "object",
    "description": "Values by the budget year each takes effect: { 2024 = 21900 } or "
    '{ 2024 = { value = 21900, source = "…" } }.',
    "patternProperties": {YEAR_KEY: DATED_VALUE},
    "additionalProperties": False,
    "minProperties": 1,
}
PARAMETER = table(
    PARAMETER_KEYS,
    ("unit", "values"),
    {"unit": TEXT, "description": TEXT, "source": TEXT, "values": DATED_VALUES},
)


def _ignore(_: PluginError) -> None:
    """Say nothing of a model type that cannot be imported (``rfm tenants check`` says it when
    a tenant uses it)."""


def model_schema(registry: Registry, on_error: Callable[[PluginError], None] = _ignore) -> Schema:
    """``[[models]]``: the common keys, then per ``type`` the keys of that model type.

    A model type that cannot be imported (a plugin's broken entry, told to ``on_error``) is
    still a known ``type``, without the keys of its own: loading a tenant that uses it gives
    the plugin's error, and every other model type is checked as ever.
    """
    types = sorted(usable(registry.model_types, on_error))
    branches = []
    for name, model_type in types:
        branches.append(
            {
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": table(
                    (*COMMON_KEYS, *model_type.config_keys),
                    ("id", "type", *model_type.required_keys),
                    {"id": {"type": "string", "pattern": toml_loader.ID_PATTERN.pattern}},
                    f"{name}: {model_type.summary}",
                ),
            }
        )
    return {
        "type": "object",
        "required": ["id", "type"],
        "properties": {
            "id": {"type": "string", "pattern": toml_loader.ID_PATTERN.pattern},
            "type": {
                "enum": sorted(registry.model_types),
                "description": "The model type (rfm models lists them with what they compute).",
            },
            "source": TEXT,
            "description": TEXT,
            "label": TEXT,
            "criteria": {"type": "object", "additionalProperties": TEXT},
        },
        "allOf": branches,
    }


def tenant_schema(registry: Registry, on_error: Callable[[PluginError], None] = _ignore) -> Schema:
    """The JSON Schema (draft-07) of a tenant file with the model types of ``registry``."""
    loader = toml_loader
    head = table(
        loader.TENANT_KEYS,
        ("id",),
        {
            "id": {"type": "string", "pattern": loader.ID_PATTERN.pattern},
            "name": TEXT,
            "kommunkod": {"type": "string", "pattern": r"^\d{4}$"},
            "description": TEXT,
            "extends": TEXT,
            "own": STRINGS,
            "inherit": STRINGS,
        },
    )
    data = table(
        loader.DATA_KEYS,
        ("path",),
        {
            "path": TEXT,
            "schema": {"type": "string", "examples": sorted(registry.schemas)},
            "format": {"type": "string", "examples": sorted(registry.readers)},
            "columns": {"type": "object", "additionalProperties": TEXT},
            "source": TEXT,
            "description": TEXT,
            "sheet": {"type": ["string", "integer"]},
            "separator": TEXT,
            "encoding": TEXT,
            "decimal_comma": {"type": "boolean"},
            "thousands_separator": TEXT,
            "gaps": GAPS,
            "numbers": STRINGS,
        },
    )
    scenario = table(
        loader.SCENARIO_KEYS,
        (),
        {
            "description": TEXT,
            "models": STRINGS,
            "overrides": named(PARAMETER),
            "data": {"type": "object", "additionalProperties": TEXT},
        },
    )
    rate_row = {
        "type": "object",
        "required": ["from_year", "rate"],
        "properties": dict.fromkeys(ROW_KEYS, ANY),
    }
    rates = table(
        TABLE_KEYS,
        ("dimensions", "unit"),
        {
            "dimensions": STRINGS,
            "unit": {"type": "string", "pattern": "^kr/."},
            "source": TEXT,
            "description": TEXT,
            "rows": {"type": "array", "items": rate_row},
            "path": TEXT,
            "format": TEXT,
            "sheet": {"type": ["string", "integer"]},
            "separator": TEXT,
            "encoding": TEXT,
            "decimal_comma": {"type": "boolean"},
            "thousands_separator": TEXT,
            "index": TEXT,
            "derive": {"type": "array", "items": table(DERIVE_KEYS, ("set", "from"))},
        },
    )
    indicator = table(
        goals.INDICATOR_KEYS, ("kpi", "title", "goals", "program", "direction", "target")
    )
    return {
        "$schema": DRAFT,
        "$id": ID,
        "title": "rfm tenant file",
        "description": "A kommun's resursfördelningsmodeller for rfm: data, models and every "
        "decided figure with its source (docs/tenant-file.md).",
        **table(
            loader.TOP_KEYS,
            ("tenant",),
            {
                "tenant": head,
                "prices": table(
                    loader.PRICES_KEYS, (), {"base_year": {"type": "integer"}, "index": TEXT}
                ),
                "data": named(data),
                "parameters": named(PARAMETER),
                "overrides": named(PARAMETER),
                "models": {"type": "array", "items": model_schema(registry, on_error)},
                "scenarios": named(scenario),
                "documentation": table(
                    loader.DOCUMENTATION_KEYS,
                    (),
                    {
                        "introduction": TEXT,
                        "source": TEXT,
                        "criteria": {"type": "object", "additionalProperties": TEXT},
                    },
                ),
                "frame": table(loader.FRAME_KEYS, ("previous", "programs")),
                "report": table(
                    loader.REPORT_KEYS,
                    (),
                    {
                        "years": TEXT,
                        "against": TEXT,
                        "name": TEXT,
                        "logo": TEXT,
                        "colours": {
                            "type": "object",
                            "properties": {
                                k: {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}
                                for k in ("primary", "accent")
                            },
                            "additionalProperties": False,
                        },
                    },
                ),
                "goals": table(
                    goals.GOAL_KEYS,
                    ("list", "indicators"),
                    {"indicators": {"type": "array", "items": indicator}},
                ),
                "simulation": table(
                    SIMULATION_KEYS, ("dataset", "first_forecast_year", "sigma", "source")
                ),
                "rates": named(rates),
                "classifications": named(
                    table(CLASSIFICATION_KEYS, ("boundary", "levels", "source"))
                ),
            },
        ),
    }


def schema_text(registry: Registry, on_error: Callable[[PluginError], None] = _ignore) -> str:
    """The schema as the JSON text written to files (stable key order, two-space indent)."""
    return json.dumps(tenant_schema(registry, on_error), ensure_ascii=False, indent=2) + "\n"
