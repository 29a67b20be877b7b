"""Which of a tenant's figures are real and which are not, read from their sources.

Every dataset and every dated parameter value of a tenant carries a source. A tenant marks a
figure that is not a real, published one by words in that source, and says why no real one
exists:

* ``ILLUSTRATIVT eftersom …`` (or ``ILLUSTRATIV``): made up or projected for the demonstration;
* ``KONSTRUERAT eftersom …``: built so that a stated figure comes out (e.g. frames set so that a
  change of −7,5 mnkr results);
* ``Kalibrerat …`` / ``kalibrerad``: chosen so that the model reproduces a figure of the sources;
* ``ANTAGANDE eftersom …``: an assumption where the sources are silent.

Everything else counts as real, with its source. ``rfm docs`` lists the four groups, so a
reader of a decision's appendix sees at once what rests on published figures and what does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from rfm.formatting import number
from rfm.tenants.tenant import Tenant

KINDS = (
    ("kalibrerad", ("KALIBRERA",)),
    ("konstruerad", ("KONSTRUERAT", "KONSTRUERAD")),
    ("antagande", ("ANTAGANDE",)),
    ("illustrativ", ("ILLUSTRATIV",)),
)
"""Kind → the words (upper case) that mark it, in order of precedence: an illustrative figure
calibrated to the sources counts as calibrated."""
REAL = "verklig"
HEADINGS = {
    REAL: "Verkliga uppgifter, med källa",
    "kalibrerad": "Kalibrerade mot källornas siffror",
    "antagande": "Antaganden där källorna är tysta",
    "konstruerad": "Konstruerade uppgifter",
    "illustrativ": "Illustrativa eller delvis illustrativa uppgifter, och varför",
}


def kind_of(source: str) -> str:
    """The kind of figure a source describes (see the module docstring)."""
    upper = source.upper()
    for kind, words in KINDS:
        if any(w in upper for w in words):
            return kind
    return REAL


@attrs.frozen
class Figure:
    what: str
    """``dataset population`` or ``parameter ifo.uplift 2023 = 5 %``."""
    source: str
    kind: str


def figures(tenant: Tenant) -> list[Figure]:
    """Every dataset and every dated parameter value of the tenant, with its kind."""
    out: list[Figure] = []
    # Named for a reader: a dataset by its file (and description), a parameter by what it is
    # (its description, or the role its model gave it), never by an internal key alone.
    for config in tenant.datasets.values():
        source = config.source or "(ingen källa angiven)"
        shown = config.display_path or config.path.name
        what = f"{config.description} ({shown})" if config.description else f"filen {shown}"
        out.append(Figure(what, source, kind_of(source)))
    for key in sorted(tenant.parameters):
        parameter = tenant.parameters[key]
        label = parameter.description.strip() or key
        for dated in parameter.values:
            value = "upphör" if dated.value is None else number(dated.value)
            out.append(
                Figure(
                    f"{label} från {dated.year} = {value} {parameter.unit}",
                    dated.source,
                    kind_of(dated.source),
                )
            )
    return out


def grouped(items: Sequence[Figure]) -> list[tuple[str, list[Figure]]]:
    """(heading, figures) in the order real, calibrated, assumed, constructed, illustrative."""
    return [
        (HEADINGS[k], [f for f in items if f.kind == k])
        for k in (REAL, "kalibrerad", "antagande", "konstruerad", "illustrativ")
        if any(f.kind == k for f in items)
    ]
