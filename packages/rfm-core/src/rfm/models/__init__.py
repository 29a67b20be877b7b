"""The model types of the core, each usable from a tenant file with no Python.

Each model type is imported when it is first used (``rfm.models.AgeBands``, or a tenant file
naming it through the registry): a run imports the types its tenant uses, not all nine.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import TYPE_CHECKING, Any

from rfm.models.base import ComputeContext, Model, ModelConfig, ParameterRef

if TYPE_CHECKING:
    from rfm.models.age_bands import AgeBands
    from rfm.models.base_year_rate import BaseYearRate
    from rfm.models.blend import Blend
    from rfm.models.change_limit import ChangeLimit
    from rfm.models.distribution_key import DistributionKey
    from rfm.models.lss_standard_cost import LssStandardCost
    from rfm.models.per_capita_standard_cost import PerCapitaStandardCost
    from rfm.models.price_tags import PriceTags
    from rfm.models.rate_table import RateTableModel

    BUILTIN_MODEL_TYPES: tuple[type[Model], ...]

_MODULES = {
    "AgeBands": "age_bands",
    "PriceTags": "price_tags",
    "PerCapitaStandardCost": "per_capita_standard_cost",
    "LssStandardCost": "lss_standard_cost",
    "BaseYearRate": "base_year_rate",
    "DistributionKey": "distribution_key",
    "Blend": "blend",
    "ChangeLimit": "change_limit",
    "RateTableModel": "rate_table",
}
"""Each model type's module in this package, in the order BUILTIN_MODEL_TYPES lists them."""


def __getattr__(name: str) -> Any:
    value: Any
    if name == "BUILTIN_MODEL_TYPES":
        value = tuple(__getattr__(type_name) for type_name in _MODULES)
    elif name in _MODULES:
        value = getattr(importlib.import_module(f"rfm.models.{_MODULES[name]}"), name)
    elif name.isidentifier() and importlib.util.find_spec(f"rfm.models.{name}") is not None:
        value = importlib.import_module(f"rfm.models.{name}")  # rfm.models.age_bands, as before
    else:  # name and obj: Python's "Did you mean: 'AgeBands'?" looks in dir() below
        raise AttributeError(
            f"module 'rfm.models' has no attribute {name!r}", name=name, obj=sys.modules[__name__]
        )
    globals()[name] = value  # imported once: the same object each time, and in vars()
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "BUILTIN_MODEL_TYPES",
    "AgeBands",
    "BaseYearRate",
    "Blend",
    "ChangeLimit",
    "ComputeContext",
    "DistributionKey",
    "LssStandardCost",
    "Model",
    "ModelConfig",
    "ParameterRef",
    "PerCapitaStandardCost",
    "PriceTags",
    "RateTableModel",
]
