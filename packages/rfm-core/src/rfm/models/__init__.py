"""The model types of the core, each usable from a tenant file with no Python."""

from rfm.models.age_bands import AgeBands
from rfm.models.base import ComputeContext, Model, ModelConfig, ParameterRef
from rfm.models.blend import Blend
from rfm.models.change_limit import ChangeLimit
from rfm.models.distribution_key import DistributionKey
from rfm.models.per_capita_standard_cost import PerCapitaStandardCost
from rfm.models.price_tags import PriceTags

BUILTIN_MODEL_TYPES: tuple[type[Model], ...] = (
    AgeBands,
    PriceTags,
    PerCapitaStandardCost,
    DistributionKey,
    Blend,
    ChangeLimit,
)

__all__ = [
    "BUILTIN_MODEL_TYPES",
    "AgeBands",
    "Blend",
    "ChangeLimit",
    "ComputeContext",
    "DistributionKey",
    "Model",
    "ModelConfig",
    "ParameterRef",
    "PerCapitaStandardCost",
    "PriceTags",
]
