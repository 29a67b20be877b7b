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

import html
from collections.abc import Sequence

import attrs

from rfm import __version__
from rfm.formatting import number
from rfm.models.base import Model
from rfm.parameters import Parameter
from rfm.tenants.tenant import Tenant


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
        for dated in parameter.values:
            rows.append(
                (
                    ref.role,
                    str(dated.year),
                    _value(parameter, dated.value),
                    parameter.unit,
                    dated.source,
                    ref.key,
                )
            )
    return rows


def _model_blocks(tenant: Tenant, model: Model) -> list[Block]:
    blocks: list[Block] = [Heading(2, f"{model.label} ({model.id})")]
    if model.description:
        blocks.append(Paragraph(model.description))
    blocks += [Paragraph(f"Modelltyp: {model.config.type}."), Formula(model.formula())]
    variables = []
    for name in model.datasets():
        config = tenant.datasets[name]
        text = f"{name}: {config.display_path or config.path.name} (schema {config.schema})"
        if config.source:
            text += f". Källa: {config.source}"
        if config.description:
            text += f". {config.description}"
        variables.append(text)
    variables += [f"resultatet av modellen {i}" for i in model.inputs()]
    if variables:
        blocks += [Paragraph("Variabler och indata:"), Bullets(tuple(variables))]
    rows = _parameter_rows(tenant, model)
    if rows:
        blocks += [
            Paragraph("Parametrar (värdet gäller från året och tills ett nytt värde beslutas):"),
            Table(("Parameter", "Från år", "Värde", "Enhet", "Källa", "Nyckel"), tuple(rows)),
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
        blocks.append(Paragraph(f"Kommunkod {tenant.kommunkod}. Tenant-id {tenant.id}."))
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
                f"{p.key}: "
                + ", ".join(f"{v.year} = {_value(p, v.value)} ({v.source})" for v in p.values)
                for p in s.overrides
            )
            rows.append(
                (
                    s.name,
                    s.description,
                    ", ".join(s.models) if s.models is not None else "alla",
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
                tuple((m, p) for m, p in frame.programs.items()),
            ),
        ]
    blocks += _provenance_blocks(tenant)
    blocks.append(Paragraph(f"Framtagen med rfm {__version__} ur {tenant.origin or tenant.id}."))
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
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"{'#' * b.level} {b.text}")
        elif isinstance(b, Paragraph):
            out.append(" ".join(b.text.split()))
        elif isinstance(b, Formula):
            out.append("```\n" + b.text + "\n```")
        elif isinstance(b, Bullets):
            out.append("\n".join(f"- {' '.join(i.split())}" for i in b.items))
        else:
            lines = ["| " + " | ".join(_md_cell(h) for h in b.headers) + " |"]
            lines.append("|" + "|".join(" --- " for _ in b.headers) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
pre { background: #f6f6f6; padding: 0.6rem; white-space: pre-wrap; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2rem; }
"""


def to_html(blocks: Sequence[Block], title: str) -> str:
    e = html.escape
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{e(b.text)}</h{b.level}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{e(' '.join(b.text.split()))}</p>")
        elif isinstance(b, Formula):
            out.append(f"<pre>{e(b.text)}</pre>")
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>")
        else:
            head = "".join(f"<th>{e(h)}</th>" for h in b.headers)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(out)
        + "\n</body>\n</html>\n"
    )


def render(tenant: Tenant, fmt: str = "md") -> str:
    """The documentation of ``tenant`` as Markdown (``md``) or HTML (``html``)."""
    blocks = document(tenant)
    if fmt == "html":
        return to_html(blocks, f"Resursfördelningsmodeller: {tenant.name}")
    return to_markdown(blocks)
