"""The basis of a lineage row, kept structured and written out as Swedish text only when shown.

Every lineage row says *why* its rate is what it is: ``poäng = vikt 0,5 (KF 2023) × 65,77
äldre 80+; kr per poäng = 10 000 000 000 kr (KF) ÷ 10 935 039 poäng``. Most of that text is the
same for every row of a component and year (the weight and its source, the budget and its
source); only a figure or two belong to the row itself (its own need, an index). Formatting a
160-character string for each of a million rows costs most of a run's time and memory, and
almost none of those strings is ever read.

So a model gives the shared text once per component and year as a *template*, with slots where
the row's own figures go, and the figures as numbers in two columns:

* ``basis``: the template (held as a Polars Categorical: one copy per distinct text);
* ``basis_x``, ``basis_y``: the row's figures for the slots ``x`` and ``y`` (or null).

A slot is written :func:`figure` (``figure("x")``, ``figure("y", 4)`` for four decimals).
:func:`render` fills the slots for the rows that are shown or written out (``rfm explain``,
CSV, the workbook, the report), giving exactly the text a row would have had.
"""

from __future__ import annotations

import re
from typing import Literal

import polars as pl

from rfm.formatting import number_text_expr

MARK = "\x1f"
"""Opens and closes a slot in a template. A control character: no name or source contains it
(:func:`text` removes it from text that goes into a template)."""
_SLOT = re.compile(MARK + r"([xy])(\d)" + MARK)
FIGURES = ("basis_x", "basis_y")
"""The columns holding the figures of the slots ``x`` and ``y``."""


def figure(slot: Literal["x", "y"], decimals: int = 6) -> str:
    """A slot for the row's figure in column ``basis_<slot>``, shown with up to ``decimals``."""
    if not 0 <= decimals <= 9:
        raise ValueError(f"a slot shows 0–9 decimals, not {decimals}")
    return f"{MARK}{slot}{decimals}{MARK}"


def text(value: str) -> str:
    """``value`` made safe to put in a template (a stray slot mark removed)."""
    return value.replace(MARK, "")


def is_template(value: str) -> bool:
    return MARK in value


def render(frame: pl.DataFrame) -> pl.Series:
    """The ``basis`` column of ``frame`` as text, every slot filled with the row's figure.

    ``frame`` has ``basis`` (text or Categorical) and, if any template has slots, the figure
    columns. Rows whose basis has no slot keep it as it is. Only the distinct templates are
    parsed; the figures are formatted in Polars, for the rows whose template names them.
    """
    basis = frame.get_column("basis").cast(pl.String)
    templates = [t for t in basis.unique().drop_nulls().to_list() if MARK in t]
    if not templates:
        return basis
    pieces: dict[str, list[str | tuple[str, int]]] = {}
    for template in templates:
        parts: list[str | tuple[str, int]] = []
        at = 0
        for match in _SLOT.finditer(template):
            parts.append(template[at : match.start()])
            parts.append((match.group(1), int(match.group(2))))
            at = match.end()
        parts.append(template[at:])
        pieces[template] = parts
    # One expression per distinct shape (the sequence of slots and decimals): the texts
    # between the slots come from a small table joined on the template.
    shapes: dict[tuple[tuple[str, int], ...], list[str]] = {}
    for template, parts in pieces.items():
        slots = tuple(p for p in parts if isinstance(p, tuple))
        shapes.setdefault(slots, []).append(template)
    out = frame.select(
        basis.alias("_template"),
        *[
            (frame.get_column(c) if c in frame.columns else pl.lit(None, pl.Float64)).alias(c)
            for c in FIGURES
        ],
    )
    rendered = pl.col("_template")
    for number, (slots, members) in enumerate(shapes.items()):
        # the parts alternate text, slot, text, …: the texts are the even ones
        texts = {
            f"_t{number}_{i}": [pieces[t][2 * i] for t in members] for i in range(len(slots) + 1)
        }
        table = pl.DataFrame({"_template": members, **texts})
        out = out.join(table, on="_template", how="left", maintain_order="left")
        joined: list[pl.Expr] = [pl.col(f"_t{number}_0")]
        for i, (slot, decimals) in enumerate(slots):
            joined.append(number_text_expr(pl.col(f"basis_{slot}"), decimals).fill_null("–"))
            joined.append(pl.col(f"_t{number}_{i + 1}"))
        rendered = (
            pl.when(pl.col(f"_t{number}_0").is_not_null())
            .then(pl.concat_str(joined))
            .otherwise(rendered)
        )
    return out.select(rendered.alias("basis")).get_column("basis")
