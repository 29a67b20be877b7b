"""A committee's goals and the quality indicators that measure them, as tenant data.

    [goals]
    source = "Socialnämnden, PFÖ budget 2023"
    margin = 0                       # percentage points that still count as "i paritet med"
    [goals.list]
    "1" = "Följa samhällsutvecklingen samt möta medborgarnas vård- och omsorgsbehov."
    [[goals.indicators]]
    kpi = "U23471"                   # a Kolada KPI id, found with `rfm kolada kpi`
    title = "Brukarbedömning särskilt boende äldreomsorg -  helhetssyn, andel (%)"
    goals = [1, 3, 4]
    program = "771 Äldreomsorg"      # a programområde of [frame.programs]
    direction = "higher"             # or "lower": which way is better
    target = ["county", "country"]   # on par with or better than these; or { value = 80 }
    require = "any"                  # "any" or "all" of the comparisons
    trend = "→ ↑"                    # optional: also hold (→) or raise (↑) last year's value

``trend`` is a second aim beside the target: "→ ↑" or "→" means not worse than the year before
(within ``margin``), "↑" better than the year before, both in the indicator's direction.
Vaggeryd's PFÖ writes "→ ↑" under "Målvärde"; its footnote reads them as on par with or better
than the county/country (the target), and they read as a trend too, so both are judged.

The core only holds and checks the goal set; rfm-kolada fetches the values and judges them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from rfm.config import check_keys, get_str
from rfm.errors import ConfigError

COMPARISONS = ("county", "country", "kommungrupp")
DIRECTIONS = ("higher", "lower")
TRENDS = {"→ ↑": "→ ↑", "→↑": "→ ↑", "→": "→", "↑": "↑"}
GOAL_KEYS = ("source", "margin", "list", "indicators")
INDICATOR_KEYS = (
    "kpi",
    "title",
    "label",
    "goals",
    "program",
    "direction",
    "target",
    "require",
    "note",
    "trend",
)


@attrs.frozen
class Indicator:
    """One quality indicator: its KPI, the goals it measures, which way is better, its target."""

    kpi: str
    title: str
    label: str
    goals: tuple[int, ...]
    program: str
    direction: str
    comparisons: tuple[str, ...]
    fixed_value: float | None
    require: str
    note: str = ""
    trend: str = ""
    """"→ ↑" / "→": not worse than the year before; "↑": better; "": no trend aim."""

    def target_text(self, lang: str = "sv") -> str:
        names = {"county": "länet", "country": "riket", "kommungrupp": "kommungruppen"}
        better = "högre" if self.direction == "higher" else "lägre"
        if self.fixed_value is not None:
            return f"{self.fixed_value:g} eller {better}".replace(".", ",")
        joined = (" eller " if self.require == "any" else " och ").join(
            names[c] for c in self.comparisons
        )
        return f"i paritet med eller bättre än {joined}"


@attrs.frozen
class GoalSet:
    """Numbered goals with their text, the indicators that measure them, and the source."""

    goals: Mapping[int, str]
    indicators: tuple[Indicator, ...]
    source: str = ""
    margin: float = 0.0


def _trend(item: Mapping[str, Any], at: str) -> str:
    raw = item.get("trend", "")
    if raw == "":
        return ""
    if not isinstance(raw, str) or raw.strip() not in TRENDS:
        raise ConfigError(f'{at}.trend: "→ ↑", "→" or "↑", not {raw!r}')
    return TRENDS[raw.strip()]


def parse_goals(table: Mapping[str, Any], where: str, programs: set[str] | None) -> GoalSet:
    """Check and read a ``[goals]`` table (see the module docstring)."""
    check_keys(
        table,
        where,
        allowed=GOAL_KEYS,
        required=("list", "indicators"),
    )
    raw_goals = table["list"]
    if not isinstance(raw_goals, Mapping) or not raw_goals:
        raise ConfigError(f'{where}.list: expected {{ "1" = "the goal\'s text", … }}')
    goals: dict[int, str] = {}
    for key, text in raw_goals.items():
        if not str(key).isdigit() or not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{where}.list: goal {key!r} needs a number and a text")
        goals[int(key)] = text.strip()
    margin = table.get("margin", 0)
    if isinstance(margin, bool) or not isinstance(margin, int | float) or margin < 0:
        raise ConfigError(f"{where}.margin: expected a number ≥ 0 (percentage points)")
    indicators = []
    raw_indicators = table["indicators"]
    if not isinstance(raw_indicators, list) or not raw_indicators:
        raise ConfigError(f"{where}.indicators: expected [[goals.indicators]] tables")
    for i, item in enumerate(raw_indicators, start=1):
        at = f"{where}.indicators[{i}]"
        if not isinstance(item, Mapping):
            raise ConfigError(f"{at}: expected a table")
        check_keys(
            item,
            at,
            allowed=INDICATOR_KEYS,
            required=("kpi", "title", "goals", "program", "direction", "target"),
        )
        kpi = get_str(item, "kpi", at)
        measured = item["goals"]
        if not isinstance(measured, list) or not measured or any(g not in goals for g in measured):
            raise ConfigError(
                f"{at}.goals: expected goal numbers among {sorted(goals)}, found {measured!r}"
            )
        program = get_str(item, "program", at)
        if programs is not None and program not in programs:
            raise ConfigError(
                f"{at}.program: {program!r} is not a programområde of [frame.programs] ({', '.join(sorted(programs))})"
            )
        direction = get_str(item, "direction", at)
        if direction not in DIRECTIONS:
            raise ConfigError(f"{at}.direction: higher or lower, not {direction!r}")
        target = item["target"]
        comparisons: tuple[str, ...] = ()
        fixed: float | None = None
        if isinstance(target, Mapping):
            check_keys(target, f"{at}.target", allowed=("value",), required=("value",))
            if isinstance(target["value"], bool) or not isinstance(target["value"], int | float):
                raise ConfigError(f"{at}.target.value: expected a number")
            fixed = float(target["value"])
        elif isinstance(target, list) and target and all(t in COMPARISONS for t in target):
            comparisons = tuple(target)
        else:
            raise ConfigError(
                f"{at}.target: a list of {', '.join(COMPARISONS)}, or {{ value = 80 }}; found {target!r}"
            )
        require = item.get("require", "any")
        if require not in ("any", "all"):
            raise ConfigError(f"{at}.require: any or all, not {require!r}")
        title = get_str(item, "title", at)
        indicators.append(
            Indicator(
                kpi,
                title,
                get_str(item, "label", at, title),
                tuple(measured),
                program,
                direction,
                comparisons,
                fixed,
                require,
                get_str(item, "note", at, ""),
                _trend(item, at),
            )
        )
    return GoalSet(goals, tuple(indicators), get_str(table, "source", where, ""), float(margin))
