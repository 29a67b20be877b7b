"""The model types of the core, each usable from a tenant file with no Python."""

from rfm.models.age_bands import AgeBands
from rfm.models.base import ComputeContext, Model, ModelConfig, ParameterRef
from rfm.models.base_year_rate import BaseYearRate
from rfm.models.blend import Blend
from rfm.models.change_limit import ChangeLimit
from rfm.models.distribution_key import DistributionKey
from rfm.models.lss_standard_cost import LssStandardCost
from rfm.models.per_capita_standard_cost import PerCapitaStandardCost
from rfm.models.price_tags import PriceTags
from rfm.models.rate_table import RateTableModel

BUILTIN_MODEL_TYPES: tuple[type[Model], ...] = (
    AgeBands,
    PriceTags,
    PerCapitaStandardCost,
    LssStandardCost,
    BaseYearRate,
    DistributionKey,
    Blend,
    ChangeLimit,
    RateTableModel,
)

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
