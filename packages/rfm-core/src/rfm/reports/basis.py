"""The basis of each lineage row as fields beside its text: which parameters, which values.

``basis`` is a sentence for people ("standardkostnad 4 900 kr/invånare (källa) × (1 + 5 %)
(källa)"). JSON outputs also carry ``basis_parameters``: for every parameter the row's volume
and rate read, its key, label, value, unit, the year the value took effect and its source. For
the built-in model types these come from :mod:`rfm.reports.derivation` (exactly the parameters
the rate is computed from); for a plugin's model type, or a row whose numbers no derivation
gives, the model's parameters in force in the row's year.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from rfm.engine import RunResult
from rfm.errors import RfmError
from rfm.reports.derivation import Derivations, Param, params_in
from rfm.reports.labels import parameter_label

FIELDS = pl.Struct(
    {
        "key": pl.String,
        "label": pl.String,
        "value": pl.Float64,
        "unit": pl.String,
        "from_year": pl.Int64,
        "source": pl.String,
    }
)


def basis_fields(result: RunResult, frame: pl.DataFrame) -> pl.Series:
    """One list of parameter records per row of ``frame`` (lineage rows of ``result``)."""
    derivations = Derivations(result)
    tenant = result.tenant
    out: list[list[dict[str, Any]]] = []
    for r in frame.iter_rows(named=True):
        model = tenant.model(r["model"])
        used: list[Param] = []
        if derivations.model_is_live(model):
            found = derivations.row(model, r)
            used = params_in(found.volume) + [
                p for p in params_in(found.rate) if p not in params_in(found.volume)
            ]
        if not used:  # a plugin's type, or a row whose numbers stay rfm's (a change_limit's cap)
            used = [Param(ref.key, r["year"]) for ref in model.parameter_refs]
        records = []
        for p in used:
            try:
                dated = result.parameters[p.key].at(p.year)
            except RfmError:  # not in force that year: the model did not use it
                continue
            records.append(
                {
                    "key": p.key,
                    "label": parameter_label(tenant, p.key),
                    "value": dated.value,
                    "unit": result.parameters[p.key].unit,
                    "from_year": dated.year,
                    "source": dated.source,
                }
            )
        out.append(records)
    return pl.Series("basis_parameters", out, dtype=pl.List(FIELDS))
