"""The model documentation a decision's appendix promises: text and mathematics, with sources.

``rfm docs TENANT`` writes, for every model of the tenant: what it is for, its formula, the
variables it reads (datasets with their sources), every parameter value by year with its unit
and source, and how the model meets each of the tenant's criteria (opåverkbarhet, stabilitet,
tillförlitlig dataförsörjning, …). Then the scenarios, the frame build-up, and every figure
grouped as real (with its source), calibrated, assumed, constructed or illustrative (with why),
as its source marks it (:mod:`rfm.provenance`). The document is
built once as blocks and rendered to Markdown or to a self-contained HTML page, so the two
never say different things.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from rfm import __version__
from rfm.formatting import number
from rfm.models.base import Model
from rfm.parameters import Parameter
from rfm.reports.labels import parameter_label
from rfm.safe_text import markdown_code, markdown_text
from rfm.tenants.tenant import Tenant

TYPE_NAMES = {
    "age_bands": "befolkning i åldersgrupper × ersättning per invånare",
    "distribution_key": "fördelningsnyckel: en fast summa fördelad efter behovspoäng",
    "per_capita_standard_cost": "befolkning × standardkostnad per invånare",
    "base_year_rate": "volym × ersättningsbelopp ur basårets kostnad och volym",
    "price_tags": "antal per kategori × prislapp per kategori",
    "lss_standard_cost": "befolkning × standardkostnad enligt LSS-utjämningen",
    "blend": "övergång: andel av ny modell + resten av gammal modell",
    "change_limit": "begränsning av förändringen per mottagare",
}
"""The built-in model types in Swedish words (a plugin's type is described by its formula)."""


def readable(text: str, tenant: Tenant) -> str:
    """``text`` with the tenant's model ids replaced by their labels (longest first)."""
    labels = {m.id: m.label for m in tenant.models if m.label != m.id}
    for model_id in sorted(labels, key=len, reverse=True):
        # The label as a literal replacement: a backslash in it is text, not a group reference.
        literal = labels[model_id].replace("\\", "\\\\")
        text = re.sub(rf"(?<![\w.]){re.escape(model_id)}(?![\w])", literal, text)
    return text


@attrs.frozen
class Heading:
    level: int
    text: str


@attrs.frozen
class Paragraph:
    text: str


@attrs.frozen
class Formula:
    text: str


@attrs.frozen
class Bullets:
    items: tuple[str, ...]


@attrs.frozen
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Formula | Bullets | Table


def _value(parameter: Parameter, value: float | None) -> str:
    if value is None:
        return "upphör"
    if parameter.unit == "andel":
        return f"{number(value * 100)} %"
    return number(value)


def _parameter_rows(tenant: Tenant, model: Model) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for ref in model.parameter_refs:
        parameter = tenant.parameters[ref.key]
        own = any(p.key == ref.key for p in model.own_parameters)
        what = ref.role if own else parameter_label(tenant, ref.key)
        for dated in parameter.values:
            rows.append(
                (
                    what,
                    str(dated.year),
                    _value(parameter, dated.value),
                    parameter.unit,
                    dated.source,
                )
            )
    return rows


def _model_blocks(tenant: Tenant, model: Model) -> list[Block]:
    blocks: list[Block] = [Heading(2, model.label)]
    if model.description:
        blocks.append(Paragraph(model.description))
    kind = TYPE_NAMES.get(model.config.type)
    if kind:
        blocks.append(Paragraph(f"Modell: {kind}."))
    blocks.append(Formula(readable(model.formula(), tenant)))
    variables = []
    for name in model.datasets():
        config = tenant.datasets[name]
        text = f"Fil {config.display_path or config.path.name}"
        if config.source:
            text += f". Källa: {config.source}"
        if config.description:
            text += f". {config.description}"
        variables.append(text)
    variables += [f"resultatet av modellen {tenant.model(i).label}" for i in model.inputs()]
    if variables:
        blocks += [Paragraph("Variabler och indata:"), Bullets(tuple(variables))]
    rows = _parameter_rows(tenant, model)
    if rows:
        blocks += [
            Paragraph("Parametrar (värdet gäller från året och tills ett nytt värde beslutas):"),
            Table(("Parameter", "Från år", "Värde", "Enhet", "Källa"), tuple(rows)),
        ]
    if model.source:
        blocks.append(Paragraph(f"Modellens källa: {model.source}"))
    if model.criteria:
        blocks += [
            Paragraph("Kriterier:"),
            Bullets(tuple(f"{name}: {text}" for name, text in model.criteria.items())),
        ]
    return blocks


def document(tenant: Tenant) -> list[Block]:
    """The documentation of ``tenant`` as blocks."""
    doc = tenant.documentation
    blocks: list[Block] = [Heading(1, f"Resursfördelningsmodeller: {tenant.name}")]
    if tenant.description:
        blocks.append(Paragraph(tenant.description))
    if tenant.kommunkod:
        blocks.append(Paragraph(f"Kommunkod {tenant.kommunkod}."))
    if doc.introduction:
        blocks.append(Paragraph(doc.introduction))
    if doc.source:
        blocks.append(Paragraph(f"Källa: {doc.source}"))
    blocks.append(
        Paragraph(
            "Grundprincip: belopp = Σ volym × ersättningsbelopp. Varje belopp som rfm räknar "
            "fram kan spåras till en volym, ett ersättningsbelopp och en källa "
            "(rfm explain)."
        )
    )
    if doc.criteria:
        blocks += [
            Heading(2, "Kriterier för modellerna"),
            Bullets(tuple(f"{name}: {text}" for name, text in doc.criteria.items())),
        ]
    for model in tenant.models:
        blocks += _model_blocks(tenant, model)
    if tenant.scenarios:
        blocks.append(Heading(2, "Scenarier"))
        rows = []
        for s in tenant.scenarios.values():
            overrides = "; ".join(
                f"{parameter_label(tenant, p.key)}: "
                + ", ".join(f"{v.year} = {_value(p, v.value)} ({v.source})" for v in p.values)
                for p in s.overrides
            )
            rows.append(
                (
                    s.name,
                    s.description,
                    ", ".join(tenant.model(m).label for m in s.models)
                    if s.models is not None
                    else "alla",
                    overrides,
                )
            )
        blocks.append(
            Table(("Scenario", "Beskrivning", "Modeller", "Ändrade parametrar"), tuple(rows))
        )
    if tenant.frame is not None:
        frame = tenant.frame
        blocks += [
            Heading(2, "Ramberäkning steg för steg"),
            Paragraph(frame.description or "Ram(t) = Ram(t−1) + förändringar."),
            Formula(
                "Ram(t) = Ram(t−1) + Σ ersättning(t−1) × (volym(t) − volym(t−1)) "
                "+ Σ (ersättning(t) − ersättning(t−1)) × volym(t) + Ram(t−1) × PLK(t) "
                "+ beviljade tilläggsäskanden − besparingar"
            ),
            Table(
                ("Modell", "Programområde"),
                tuple(
                    (tenant.model(m).label if m in {x.id for x in tenant.models} else m, p)
                    for m, p in frame.programs.items()
                ),
            ),
        ]
    blocks += _provenance_blocks(tenant)
    blocks.append(Paragraph(f"Framtagen med rfm {__version__}."))
    return blocks


def _provenance_blocks(tenant: Tenant) -> list[Block]:
    from rfm.provenance import figures, grouped

    blocks: list[Block] = [
        Heading(2, "Verkliga och illustrativa uppgifter"),
        Paragraph(
            "Varje dataset och varje parametervärde med sin källa. En uppgift som inte är "
            "verklig är märkt i källan (ILLUSTRATIVT, KONSTRUERAT, ANTAGANDE eller kalibrerad) "
            "och säger varför ingen verklig uppgift finns."
        ),
    ]
    for heading, items in grouped(figures(tenant)):
        blocks += [
            Heading(3, f"{heading} ({len(items)})"),
            Table(("Uppgift", "Källa"), tuple((f.what, f.source) for f in items)),
        ]
    return blocks


def _md_cell(text: str) -> str:
    return markdown_text(text)


def to_markdown(blocks: Sequence[Block]) -> str:
    """Markdown in which every text is escaped: no tag, link or emphasis comes from data."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {markdown_text(b.text)}")
        elif isinstance(b, Paragraph):
            out.append(markdown_text(b.text))
        elif isinstance(b, Formula):
            out.append("```\n" + markdown_code(b.text) + "\n```")
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {markdown_text(i)}" for i in b.items))
        else:
            lines = ["| " + " | ".join(_md_cell(h) for h in b.headers) + " |"]
            lines.append("|" + "|".join(" --- " for _ in b.headers) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _as_dict(b: Block) -> dict[str, Any]:
    if isinstance(b, Heading):
        return {"kind": "heading", "level": min(max(b.level, 1), 6), "text": b.text}
    if isinstance(b, Paragraph):
        return {"kind": "paragraph", "text": " ".join(b.text.split())}
    if isinstance(b, Formula):
        return {"kind": "formula", "text": b.text}
    if isinstance(b, Bullets):
        return {"kind": "bullets", "items": list(b.items)}
    return {"kind": "table", "headers": list(b.headers), "rows": [list(r) for r in b.rows]}


def to_html(blocks: Sequence[Block], title: str, tenant: Tenant | None = None) -> str:
    """A self-contained HTML page (the report's template and look, escaped by Jinja2)."""
    from rfm.reports.pages import DEFAULT_COLOURS, branding, render_page

    colours = branding(tenant)["colours"] if tenant is not None else DEFAULT_COLOURS
    return render_page(
        "docs.html.j2",
        lang="sv",
        title=title,
        colours=colours,
        blocks=[_as_dict(b) for b in blocks],
    )


def render(tenant: Tenant, fmt: str = "md") -> str:
    """The documentation of ``tenant`` as Markdown (``md``) or HTML (``html``)."""
    blocks = document(tenant)
    if fmt == "html":
        return to_html(blocks, f"Resursfördelningsmodeller: {tenant.name}", tenant)
    return to_markdown(blocks)
