"""Which models of a workbook follow a change on *Parametrar*, judged from the cells written.

*Läs mig* tells the user which model sheets recalculate when a yellow cell changes. That must
be true of the book as written, not of the model type: a derived rate whose formula failed its
check against rfm's value (:mod:`rfm.reports.derivation`) is written as a plain number, and a
sheet can mix formulas with plain numbers (a ``change_limit``'s cap). So the writer records, for
every lineage row, what its volume and rate cells read:

* a parameter (a named cell on *Parametrar*), or
* other models' sheets (a blend, the LSS standard cost's S), or its own (a key's Σ poäng);

and a row follows *Parametrar* when it reads a parameter, or a model sheet of which some row
does (followed to a fixed point, since sheets refer to each other in any order). A model whose
every row follows is *live*, one with some rows that do is *partly* live, the rest are *fixed*.
"""

from __future__ import annotations

from typing import Literal

from rfm.reports.derivation import Expr, ModelSum, Op, Param, Step, VolumeSum

Verdict = Literal["live", "partly", "fixed"]


def reads(expr: Expr | None, model: str) -> tuple[bool, frozenset[str]]:
    """Whether ``expr`` (written on ``model``'s sheet) reads a parameter, and which sheets."""
    if expr is None:
        return False, frozenset()
    if isinstance(expr, Param):
        return True, frozenset()
    if isinstance(expr, ModelSum):
        return False, frozenset(expr.models)
    if isinstance(expr, VolumeSum):
        return False, frozenset((model,))
    if isinstance(expr, Step):
        return reads(expr.expr, model)
    if isinstance(expr, Op):
        lp, lm = reads(expr.left, model)
        rp, rm = reads(expr.right, model)
        return lp or rp, lm | rm
    return False, frozenset()


class Liveness:
    """Collects what each written row reads; :meth:`verdicts` judges every model."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[bool, frozenset[str]]]] = {}

    def add(self, model: str, *written: Expr | None) -> None:
        """One lineage row of ``model`` whose cells were written as ``written`` (None: a number)."""
        param, sheets = False, frozenset[str]()
        for expr in written:
            p, m = reads(expr, model)
            param, sheets = param or p, sheets | m
        self.rows.setdefault(model, []).append((param, sheets))

    def verdicts(self) -> dict[str, Verdict]:
        live = {m: [param for param, _ in rows] for m, rows in self.rows.items()}
        changed = True
        while changed:
            changed = False
            reaching = {m for m, flags in live.items() if any(flags)}
            for m, rows in self.rows.items():
                for i, (_, sheets) in enumerate(rows):
                    if not live[m][i] and sheets & reaching:
                        live[m][i] = changed = True
        out: dict[str, Verdict] = {}
        for m, flags in live.items():
            out[m] = "live" if flags and all(flags) else "partly" if any(flags) else "fixed"
        return out
