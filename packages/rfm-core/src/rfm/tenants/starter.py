"""``rfm init``: the first files of a kommun's own tenant.

    rfm init 0680                      # Jönköping: a tenant file, its population, a README
    rfm init 0680 --from vaggeryd      # Vaggeryd's models, with Vaggeryd's own figures to replace

Without ``--from`` the tenant file is a commented starting point that runs at once: the kommun's
population from SCB (single years of age, 31 December of SCB's latest year) and one
``age_bands`` model whose kr per inhabitant are Sjöbo's published figures, each marked
``EXEMPEL … ERSÄTT`` so nobody mistakes them for the kommun's own decision. ``[report] years``
is the year after the population's, so ``rfm run --config …/tenant.toml`` needs no ``--years``.

With ``--from TENANT`` the file ``extends`` the packaged tenant and lists, for every figure the
base marks as its own (``[tenant] own``), what the base has and where to put the kommun's own:
a population from SCB is filled in; every other dataset gets a CSV template with its schema's
columns and a commented ``[data.NAME]`` table; every parameter a commented line in
``[overrides]`` showing the base's values. Until each is given (or named in ``[tenant]
inherit``), loading the tenant is refused with the list of what is left, so no figure of the
base kommun is used in silence.

SCB unreachable (or ``--no-scb``): the population file is a template with its columns, and the
README says the one command that fills it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date

import attrs

from rfm.errors import ConfigError
from rfm.registry import Registry
from rfm.tenants.tenant import Tenant

MARK = "ERSÄTT"
"""The word that marks a value to replace (``rfm tenants check`` lists every one left)."""
POPULATION_SCHEMAS = ("population", "municipal_population")
SJOBO = "Sjöbo kommun, Resursfördelningsmodellen, budget"
EXAMPLE_BANDS = {
    "65-79": ((2018, 16500), (2020, 17700), (2021, 18000), (2024, 21900)),
    "80-89": ((2018, 95400), (2020, 102700), (2021, 104600), (2024, 137300)),
    "90+": ((2018, 346400), (2020, 374900), (2021, 381800), (2024, 381100)),
}
"""Sjöbo's kr per inhabitant by age band and budget year (the bundled demo tenant's figures)."""


@attrs.frozen
class Population:
    """The population file's content and where it came from (or why it is a template)."""

    csv: str
    source: str
    year: int | None
    """The population's year (31 December), or None for a template."""
    problem: str = ""


@attrs.frozen
class Starter:
    """The files of a new tenant folder, by name, and what to say about them."""

    tenant_id: str
    name: str
    files: Mapping[str, str]
    to_replace: tuple[str, ...]


def kommun_name(kommunkod: str) -> str:
    """The kommun's name from rfm's list of the 290 (0680 → Jönköping)."""
    from rfm.schemas.builtin import kommun_names

    names = kommun_names()
    if kommunkod not in names:
        from rfm.scb.population import closest

        near = closest(kommunkod, list(names))
        raise ConfigError(
            f"{kommunkod!r} is not the kommunkod of any of Sweden's 290 kommuner"
            + (
                f"; did you mean {' or '.join(f'{k} ({names[k]})' for k in near)}?"
                if near
                else " (four digits, e.g. 0680 for Jönköping)"
            )
        )
    return names[kommunkod]


def tenant_name(kommun: str) -> str:
    """``Jönköpings kommun``, ``Vännäs kommun`` (no genitive s after s, x or z)."""
    return f"{kommun}{'' if kommun[-1] in 'sxz' else 's'} kommun"


def tenant_id(kommun: str) -> str:
    """``jonkoping``, ``upplands-vasby``: lower-case letters, digits and '-'."""
    plain = unicodedata.normalize("NFKD", kommun.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def toml_text(value: str) -> str:
    """A TOML basic string."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def starter(kommunkod: str, population: Population, *, today: date | None = None) -> Starter:
    """A tenant of its own for ``kommunkod``: one commented age_bands model that runs."""
    kommun = kommun_name(kommunkod)
    name, tid = tenant_name(kommun), tenant_id(kommun)
    today = today or date.today()
    budget = (population.year + 1) if population.year else today.year + 1
    own = ["data.population", *(f"parameters.aldreomsorg.bands.{b}" for b in EXAMPLE_BANDS)]
    bands = []
    for band, values in EXAMPLE_BANDS.items():
        dated = ", ".join(
            f"{year} = {{ value = {value}, source = "
            f"{toml_text(f'EXEMPEL ({SJOBO} {year}); {MARK} med kommunens eget beslut')} }}"
            for year, value in values
        )
        bands.append(f"{toml_text(band)} = {{ {dated} }}")
    lines = [
        "#:schema ./tenant.schema.json",
        f"# {name}: tenant file made by `rfm init {kommunkod}` on {today.isoformat()}.",
        "#",
        "# A tenant file says which data a kommun's resursfördelningsmodeller read, which models",
        "# turn the data into money, and every decided figure with its source. Nothing in it is",
        "# run as code. Every key is described in docs/tenant-file.md (`rfm manual tenant-file`);",
        "# `rfm tenants check --config tenant.toml` checks the file, `rfm run --config tenant.toml` runs it.",
        "#",
        f"# Figures marked {MARK} are examples: replace them with the kommun's own decisions.",
        "",
        "[tenant]",
        f"id = {toml_text(tid)}",
        f"name = {toml_text(name)}",
        f"kommunkod = {toml_text(kommunkod)}",
        'description = "Resursfördelningsmodeller: kommunfullmäktige → nämnderna"',
        "# The kommun's own figures: a tenant that extends this one for another kommun must",
        "# replace each of them, or say in [tenant] inherit that it means to use them.",
        f"own = [{', '.join(toml_text(o) for o in own)}]",
        "",
        "# The population by area, year (31 December) and single year of age, from SCB.",
        "# Refresh it with: rfm scb population "
        + f"{kommunkod} --years … --format csv --out befolkning.csv",
        "[data.population]",
        'path = "befolkning.csv"',
        'schema = "municipal_population"',
        f"source = {toml_text(population.source)}",
        "",
        "# One model to start from: äldreomsorg as population in age bands × kr per inhabitant",
        "# (amount = Σ invånare i åldersgruppen × ersättning per invånare). The volume of budget",
        "# year t is the population of 31 December t − 1 (data_lag = 1). `rfm models` lists the",
        "# other model types; docs/model-types.md describes each.",
        "[[models]]",
        'id = "aldreomsorg"',
        'type = "age_bands"',
        'label = "Äldreomsorg"',
        'recipient = "Äldreomsorg"',
        'dataset = "population"',
        "data_lag = 1",
        f"source = {toml_text(f'EXEMPEL: Sjöbo kommuns belopp per invånare; {MARK}')}",
        "[models.bands]",
        "# kr per inhabitant in each age band, from the budget year each value takes effect",
        *bands,
        "",
        "# What `rfm run`, `rfm report` and `rfm demo` compute when not told --years.",
        "[report]",
        f'years = "{budget}"',
        "",
    ]
    readme = _readme(kommunkod, name, population, budget, base=None)
    return Starter(
        tid,
        name,
        {
            "tenant.toml": "\n".join(lines),
            "befolkning.csv": population.csv,
            "README.md": readme,
        },
        tuple(own[1:]) + (("data.population",) if population.year is None else ()),
    )


def starter_from(
    kommunkod: str,
    base: Tenant,
    population: Population,
    registry: Registry,
    *,
    today: date | None = None,
) -> Starter:
    """A tenant that extends ``base`` for ``kommunkod``, with the base's own figures to replace."""
    from rfm.formatting import number

    kommun = kommun_name(kommunkod)
    name, tid = tenant_name(kommun), tenant_id(kommun)
    today = today or date.today()
    files: dict[str, str] = {}
    data_lines: list[str] = []
    override_lines: list[str] = []
    left: list[str] = []
    for item in base.own:
        kind, _, key = item.partition(".")
        if kind == "data":
            config = base.datasets[key]
            if config.schema in POPULATION_SCHEMAS and population.year is not None:
                data_lines += [
                    f"# {item}: {base.name}s population replaced by {name}s, from SCB.",
                    f"[data.{_key(key)}]",
                    'path = "befolkning.csv"',
                    f"schema = {toml_text(config.schema)}",
                    f"source = {toml_text(population.source)}",
                    "",
                ]
                files["befolkning.csv"] = population.csv
                continue
            columns = [c.name for c in registry.schema(config.schema).columns]
            file = f"{key}.csv"
            files[file] = ",".join(columns) + "\n"
            left.append(item)
            data_lines += [
                f"# {MARK} {item}: {base.name} reads {config.display_path or config.path.name} "
                f"(schema {config.schema}: {', '.join(columns)})",
                f"#   — {_short(config.source)}",
                f"# Fill {file} (its columns are there) and remove the # before these lines:",
                f"# [data.{_key(key)}]",
                f"# path = {toml_text(file)}",
                f"# schema = {toml_text(config.schema)}",
                '# source = "…"',
                "",
            ]
        elif kind == "parameters":
            p = base.parameters[key]
            left.append(item)
            shown = "; ".join(
                f"från {v.year}: {'upphör' if v.value is None else number(v.value)} {p.unit}"
                for v in p.values[-4:]
            )
            last = p.values[-1] if p.values else None
            example_year = last.year if last is not None else today.year
            override_lines += [
                f"# {MARK} {item} — {base.name}: {shown}"
                + (f" ({_short(last.source)})" if last is not None else ""),
                f"# {toml_text(key)} = {{ unit = {toml_text(p.unit)}, values = {{ {example_year} = "
                '{ value = …, source = "…" } } }',
            ]
    if population.year is None and any(
        base.datasets[i.partition(".")[2]].schema in POPULATION_SCHEMAS
        for i in base.own
        if i.startswith("data.")
    ):
        files["befolkning.csv"] = population.csv
    lines = [
        "#:schema ./tenant.schema.json",
        f"# {name}: built on the packaged tenant {base.id!r} ({base.name}); made by",
        f"# `rfm init {kommunkod} --from {base.id}` on {today.isoformat()}.",
        "#",
        f"# Everything of {base.id!r} is used as it is (models, national figures, scenarios), except",
        f"# the figures {base.id!r} marks as its own kommun's: each is listed below, marked {MARK},",
        "# with the base's value beside it. Give your own (remove the # and fill in), or name it",
        "# in `inherit` if you mean to use the base's. Until then rfm refuses to load the file and",
        "# lists what is left; `rfm tenants show --config tenant.toml --inherited` lists all the",
        "# file inherits.",
        "",
        "[tenant]",
        f"id = {toml_text(tid)}",
        f"name = {toml_text(name)}",
        f"kommunkod = {toml_text(kommunkod)}",
        f"extends = {toml_text(base.id)}",
        f"description = {toml_text(f'{name}, byggd på {base.name}')}",
        "# inherit = []   # the base's own figures you mean to use as they are",
        "",
        *data_lines,
        "[overrides]",
        *override_lines,
        "",
    ]
    files["tenant.toml"] = "\n".join(lines)
    files["README.md"] = _readme(kommunkod, name, population, None, base=base, left=left)
    return Starter(tid, name, files, tuple(left))


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_text(key)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _readme(
    kommunkod: str,
    name: str,
    population: Population,
    budget: int | None,
    *,
    base: Tenant | None,
    left: Sequence[str] = (),
) -> str:
    lines = [
        f"# {name} (kommunkod {kommunkod})",
        "",
        "The tenant folder `rfm init` made. Everything rfm reads is in this folder:",
        "",
        "| file | what it is |",
        "| --- | --- |",
        "| `tenant.toml` | the tenant file: data, models, every figure with its source |",
        "| `tenant.schema.json` | the tenant file's JSON Schema, for editors (first line `#:schema`) |",
        "| `befolkning.csv` | the population: area, year, age, count |",
        "",
        "## The population",
        "",
    ]
    if population.year is not None:
        lines += [f"From SCB, 31 December {population.year}: {population.source}", ""]
    else:
        lines += [
            "A template with the columns only: SCB could not be asked"
            + (f" ({population.problem})" if population.problem else "")
            + ". Fill it with one command when SCB can be reached:",
            "",
            f"    rfm scb population {kommunkod} --years 2020-2024 --format csv --out befolkning.csv",
            "",
        ]
    lines += ["## Next steps", ""]
    if base is None:
        lines += [
            f"1. Replace every figure marked {MARK} in `tenant.toml` with the kommun's decision.",
            "2. Check the file: `rfm tenants check --config tenant.toml`.",
            f"3. Run it: `rfm run --config tenant.toml` (budget year {budget}, from `[report]`),",
            "   and see where a number comes from: "
            "`rfm explain --config tenant.toml --model aldreomsorg --recipient Äldreomsorg "
            f"--year {budget}`.",
            "4. Add models: `rfm models` lists the model types, `rfm manual model-types` describes "
            "them.",
        ]
    else:
        lines += [
            f"`tenant.toml` extends the packaged tenant `{base.id}` ({base.name}). These of its "
            f"own figures are still to replace ({MARK} in `tenant.toml`):",
            "",
            *[f"- `{item}`" for item in left],
            "",
            "1. Give each (or list it in `[tenant] inherit`). Until then `rfm run --config "
            "tenant.toml` stops and lists them.",
            "2. `rfm tenants show --config tenant.toml --inherited` lists what the file takes "
            f"from `{base.id}`.",
            "3. `rfm tenants check --config tenant.toml`, then `rfm run --config tenant.toml`.",
        ]
    return "\n".join(lines) + "\n"
