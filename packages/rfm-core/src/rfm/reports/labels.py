"""Labels for people instead of internal ids: parameters, price levels, years."""

from __future__ import annotations

from collections.abc import Sequence

from rfm.tenants.tenant import Tenant

PRICES = {
    "sv": {"fixed": "fasta priser", "current": "löpande priser"},
    "en": {"fixed": "fixed prices", "current": "current prices"},
}


def prices_text(prices: str, lang: str = "sv") -> str:
    """``"fixed"`` → ``"fasta priser"``."""
    return PRICES.get(lang, PRICES["sv"]).get(prices, prices)


def years_text(years: Sequence[int]) -> str:
    """``[2023, …, 2030]`` → ``"2023–2030"``; one year as itself."""
    ys = sorted(years)
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def parameter_label(tenant: Tenant, key: str) -> str:
    """What a parameter is, for a reader: ``"IFO: uppräkning av standardkostnaden"``.

    A model's own parameter is named by the model's label and its role; a tenant parameter by
    its description; the key only when nothing else says what it is.
    """
    for model in tenant.models:
        for p in model.own_parameters:
            if p.key == key:
                return f"{model.label}: {p.description or key}"
    if key in tenant.parameters:
        description = tenant.parameters[key].description
        if description:
            return description
    return key
