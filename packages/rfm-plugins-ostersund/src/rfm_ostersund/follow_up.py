"""Budget against outcome per verksamhet, laid out as a committee reports it.

For budget year Y the table shows, per post: Budget Y, Bokslut Y−1 with the result
(Budget Y−1 − Bokslut Y−1) in brackets for each verksamhet, and Budget Y−1; the layout of the
audit's Tabell 1 (vård- och omsorgsnämnden) and Tabell 2 (socialnämnden), seed 002.

Rows keep their role:

* ``verksamhet`` — a cost line; its result is shown in brackets (+ = under budget);
* ``post`` — a signed line (intäkter +, kostnader −, tilläggsanslag +);
* ``summa`` — the committee's stated total of the verksamheter (or posts); rfm adds the parts
  again and refuses a total that differs by more than the parts' rounding (half a unit of
  their last printed decimal each); a smaller difference is noted under the table;
* ``resultat`` — shown as stated.
"""

from __future__ import annotations

from decimal import Decimal

import attrs
import polars as pl

import rfm


@attrs.frozen
class FollowUpTable:
    committee: str
    year: int
    rows: tuple[dict[str, object], ...]
    notes: tuple[str, ...]
    sources: tuple[str, ...]


def _places(value: float) -> int:
    """Decimals as printed: 363.5 → 1, 341 → 0."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -int(exponent))


def follow_up(data: pl.DataFrame, committee: str, year: int) -> FollowUpTable:
    mine = data.filter(pl.col("committee") == committee)
    if mine.height == 0:
        known = ", ".join(sorted(set(data["committee"].to_list())))
        raise rfm.ConfigError(f"no follow-up rows for committee {committee!r} (known: {known})")
    columns = {
        "budget": (year, "budget"),
        "utfall": (year - 1, "utfall"),
        "budget_prev": (year - 1, "budget"),
    }

    def cell(post: str, key: str) -> float | None:
        y, kind = columns[key]
        hit = mine.filter(
            (pl.col("post") == post) & (pl.col("year") == y) & (pl.col("kind") == kind)
        )
        return None if hit.height == 0 else float(hit.item(0, "amount"))

    posts = mine.unique("post", maintain_order=True).select("post", "role").rows()
    if not any(cell(p, k) is not None for p, _ in posts for k in columns):
        raise rfm.ConfigError(
            f"{committee}: no budget {year} or outcome {year - 1} in the follow-up data"
        )
    rows, notes = [], []
    for post, role in posts:
        values = {k: cell(post, k) for k in columns}
        result = None
        if (
            role == "verksamhet"
            and values["budget_prev"] is not None
            and values["utfall"] is not None
        ):
            result = round(values["budget_prev"] - values["utfall"], 10)
        if role == "summa":
            part_role = "verksamhet" if any(r == "verksamhet" for _, r in posts) else "post"
            for key, stated in values.items():
                parts = [cell(p, key) for p, r in posts if r == part_role]
                present = [v for v in parts if v is not None]
                if not present:
                    continue
                computed = round(sum(present), 10)
                if stated is None:
                    values[key] = computed
                    continue
                slack = sum(0.5 * 10 ** -_places(v) for v in present) + 0.5 * 10 ** -_places(stated)
                if abs(computed - stated) > slack + 1e-9:
                    raise rfm.ConfigError(
                        f"{committee} {post} ({columns[key][1]} {columns[key][0]}): the parts sum to "
                        f"{rfm.format_number(computed)}, the stated total is {rfm.format_number(stated)}"
                    )
                if computed != stated:
                    notes.append(
                        f"{post}, {columns[key][1]} {columns[key][0]}: delarna summerar till "
                        f"{rfm.format_number(computed)}; angivet {rfm.format_number(stated)} "
                        "(avrundning i källan)"
                    )
        rows.append({"post": post, "role": role, **values, "result_prev": result})
    sources = tuple(sorted(set(mine["source"].to_list())))
    return FollowUpTable(committee, year, tuple(rows), tuple(notes), sources)


def signed(value: float) -> str:
    text = rfm.format_number(round(value, 1))
    return f"({'+' if value > 0 else ''}{text})"


def render(table: FollowUpTable) -> str:
    y = table.year
    n = rfm.format_number
    lines = [
        rfm.text_table(
            [
                "Verksamhet",
                f"Budget {y}",
                f"Bokslut {y - 1}",
                f"(Resultat {y - 1})",
                f"Budget {y - 1}",
            ],
            [
                [
                    str(r["post"]),
                    "" if r["budget"] is None else n(r["budget"]),  # type: ignore[arg-type]
                    "" if r["utfall"] is None else n(r["utfall"]),  # type: ignore[arg-type]
                    "" if r["result_prev"] is None else signed(r["result_prev"]),  # type: ignore[arg-type]
                    "" if r["budget_prev"] is None else n(r["budget_prev"]),  # type: ignore[arg-type]
                ]
                for r in table.rows
            ],
            [False, True, True, True, True],
        )
    ]
    lines += [f"Anm. {note}" for note in table.notes]
    lines.append("Källa: " + "; ".join(table.sources))
    return "\n".join(lines)
