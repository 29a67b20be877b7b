"""A what-if: changes to dated parameters for chosen years, laid over a decided scenario.

"What if the 90+ rate rises 3 % from 2025?" is one :class:`Change`: a parameter key, the first
and (optionally) the last budget year it applies to, how it changes the value (a new value, a
change in per cent, or an amount added in the parameter's own unit) and the source the new
values carry. A what-if is a list of changes applied in order to the parameters of the decided
scenario; :func:`whatif_tenant` turns it into one more scenario of the tenant, so the engine
computes it exactly as it computes a scenario written in a tenant file, and
:func:`scenario_file` writes that scenario as a tenant file that ``extends`` the tenant — which
``rfm run --config FILE --scenario NAME`` reruns to the same amounts.

A change writes dated values, never a rule: "from 2025 to 2026" sets the value in force in
2025, replaces every value decided for 2026 as well, and puts the decided value back from 2027.
Outside the chosen years every value stays as decided.

Form fields are read with the tenant file's own readers (:func:`rfm.config.get_number`,
:func:`rfm.config.get_year`), so a bad value gets the same message as in a tenant file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

from rfm.config import MAX_NUMBER, check_name, get_number, get_year
from rfm.engine import scenario_parameters
from rfm.errors import ConfigError, ParameterError, RfmError
from rfm.parameters import DatedValue, Parameter, ParameterSet
from rfm.parameters.dated import MAX_YEAR, MIN_YEAR
from rfm.tenants.tenant import DEFAULT_SCENARIO, Scenario, Tenant

WHATIF = "vad-om"
"""The name the unsaved what-if has as a scenario (``rfm explain`` and reports show it)."""
MODES = {
    "set": "nytt värde",
    "percent": "ändra med procent",
    "add": "ändra med belopp",
}
"""How a change makes the new value from the decided one."""
DEFAULT_SOURCE = "Vad om-beräkning i rfm serve"
MAX_CHANGES = 50
"""Changes one what-if may hold: enough for any question, a bound on the work per request."""
MAX_TEXT = 300
"""The longest source or description a form may give."""

_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3})+(?:[.,][0-9]+)?")
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")


class FieldErrors(RfmError):
    """Errors of a form, by field name; the message of each is what the CLI would say."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@attrs.frozen
class Change:
    """One change of a dated parameter for the budget years ``first`` to ``last``."""

    key: str
    first: int
    last: int | None
    """The last budget year the change applies to; None: every year from ``first`` on."""
    mode: str
    """One of :data:`MODES`."""
    amount: float
    """The new value, the change in per cent, or the amount added (by ``mode``)."""
    source: str

    def describe(self, unit: str) -> str:
        """The change in Swedish: ``aldreomsorg.bands.90+ 2025–2026: +3 %``."""
        years = f"{self.first}–{self.last}" if self.last is not None else f"från {self.first}"
        if self.mode == "percent":
            how = f"{'+' if self.amount >= 0 else ''}{_num(self.amount)} %"
        elif self.mode == "add":
            how = f"{'+' if self.amount >= 0 else ''}{_num(self.amount)} {unit}"
        else:
            how = f"= {_num(self.amount)} {unit}"
        return f"{self.key} {years}: {how}"


def _num(value: float) -> str:
    from rfm.formatting import number

    return number(value)


def plain_text(text: str) -> str:
    """Text from a form as one line: whitespace runs as one space, no control characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def parse_number(text: str, where: str) -> float:
    """A number as a person types it: ``381 100``, ``0,5``, ``−3``, ``1.5e6``, ``3 %``.

    Then :func:`rfm.config.get_number` checks it as it checks a tenant file's number (finite,
    at most 10^15), with the same message.
    """
    raw = text.strip().replace("\u2212", "-").removesuffix("%").strip()
    if raw.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return get_number(float(raw), where)
    if _GROUPED.fullmatch(raw):
        raw = re.sub(r"[ \u00a0\u202f\u2009]", "", raw)
    if not _PLAIN.fullmatch(raw):
        raise ConfigError(f"{where}: expected a number, found {text!r}")
    try:
        value = float(raw.replace(",", "."))
    except (ValueError, OverflowError):
        raise ConfigError(f"{where}: expected a number, found {text!r}") from None
    return get_number(value, where)


def parse_year(text: str, where: str) -> int:
    """A budget year 1900–2200 as a tenant file's year key is read."""
    year = get_year(text, where)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ConfigError(
            f"{where}: {year} is not a budget year; expected a year from {MIN_YEAR} to {MAX_YEAR}"
        )
    return year


def parse_change(form: Mapping[str, str], parameters: ParameterSet) -> Change:
    """The change a form describes (fields ``parameter``, ``first``, ``last``, ``mode``,
    ``value``, ``source``); every bad field at once as :class:`FieldErrors`."""
    errors: dict[str, str] = {}
    key = form.get("parameter", "").strip()
    if not key:
        errors["parameter"] = "name a parameter (rfm models TENANT lists them)"
    elif key not in parameters:
        try:
            parameters[key]
        except RfmError as exc:
            errors["parameter"] = str(exc)
    first = last = None
    try:
        first = parse_year(form.get("first", ""), "first year")
    except RfmError as exc:
        errors["first"] = str(exc)
    if form.get("last", "").strip():
        try:
            last = parse_year(form.get("last", ""), "last year")
        except RfmError as exc:
            errors["last"] = str(exc)
        if first is not None and last is not None and last < first:
            errors["last"] = f"last year: {last} is before the first year {first}"
    mode = form.get("mode", "set")
    if mode not in MODES:
        errors["mode"] = f"mode: expected one of {', '.join(MODES)}, found {mode!r}"
    amount = None
    typed = form.get("value", "")
    try:
        amount = parse_number(typed, "value")
    except RfmError as exc:
        errors["value"] = str(exc)
    if amount is not None and typed.strip().endswith("%"):
        if mode == "set":
            amount /= 100  # "50 %" of a share is 0,5
        elif mode == "add":
            errors["value"] = "value: a change in per cent is mode 'percent' (ändra med procent)"
    if amount is not None and mode == "percent" and amount <= -100:
        errors["value"] = f"value: a change of {_num(amount)} % leaves nothing; expected above −100"
    source = plain_text(form.get("source", "")) or DEFAULT_SOURCE
    if len(source) > MAX_TEXT:
        errors["source"] = f"source: at most {MAX_TEXT} characters"
    if errors:
        raise FieldErrors(errors)
    assert first is not None and amount is not None
    change = Change(key, first, last, mode, amount, source)
    try:
        change_values(parameters[key], change)
    except RfmError as exc:
        field = "first" if "no value" in str(exc) else "value"
        raise FieldErrors({field: str(exc)}) from None
    return change


def change_values(parameter: Parameter, change: Change) -> tuple[DatedValue, ...]:
    """The dated values ``change`` lays over ``parameter`` (see the module docstring)."""
    end = change.last if change.last is not None else MAX_YEAR

    def new(value: float | None, year: int) -> float | None:
        if change.mode == "set":
            result: float | None = change.amount
        elif value is None:
            return None  # an ended parameter stays ended
        elif change.mode == "percent":
            result = value * (1 + change.amount / 100)
        else:
            result = value + change.amount
        assert result is not None
        if not math.isfinite(result) or abs(result) > MAX_NUMBER:
            raise ParameterError(
                f"value: {parameter.key} would be {result!r} in {year}, larger than any "
                "municipal figure (at most 10^15)"
            )
        return result + 0.0

    out: dict[int, DatedValue] = {}
    in_force = _in_force(parameter, change.first)
    if change.mode != "set" and (in_force is None or in_force.value is None):
        parameter.at(change.first)  # raises: no value to change in that year
    out[change.first] = DatedValue(
        change.first, new(in_force.value if in_force else None, change.first), change.source
    )
    for dated in parameter.values:
        if change.first < dated.year <= end:
            value = new(dated.value, dated.year)
            source = change.source if value is not None else dated.source
            out[dated.year] = DatedValue(dated.year, value, source)
    after = end + 1
    restore = change.last is not None and after <= MAX_YEAR
    if restore and after not in out and after not in parameter.years():
        before = _in_force(parameter, after)
        if before is None:  # the parameter had no value yet: end the change there
            out[after] = DatedValue(after, None, f"{change.source} (slut)")
        else:
            out[after] = DatedValue(after, before.value, before.source)
    return tuple(out[y] for y in sorted(out))


def _in_force(parameter: Parameter, year: int) -> DatedValue | None:
    found = None
    for dated in parameter.values:
        if dated.year <= year:
            found = dated
    return found


def written_overrides(
    parameters: ParameterSet, changes: Sequence[Change]
) -> tuple[ParameterSet, dict[str, Parameter]]:
    """Apply ``changes`` in order to ``parameters``: the parameters after them, and per key
    the dated values the changes wrote (what a scenario's ``overrides`` must say)."""
    written: dict[str, dict[int, DatedValue]] = {}
    for change in changes:
        current = parameters[change.key]
        values = change_values(current, change)
        parameters = parameters.with_overrides([Parameter(current.key, current.unit, values)])
        written.setdefault(change.key, {}).update({v.year: v for v in values})
    return parameters, {
        key: Parameter(key, parameters[key].unit, tuple(values.values()))
        for key, values in written.items()
    }


def base_parameters(tenant: Tenant, base: str | None) -> ParameterSet:
    """The parameters of the decided scenario ``base`` (the tenant's default when None)."""
    return scenario_parameters(tenant, tenant.scenario(base))


def whatif_scenario(tenant: Tenant, base: str | None, changes: Sequence[Change]) -> Scenario:
    """The what-if as a scenario: ``base``'s models, data and overrides, then the changes."""
    decided = tenant.scenario(base)
    _, written = written_overrides(base_parameters(tenant, base), changes)
    return attrs.evolve(
        decided,
        name=WHATIF,
        description=f"{decided.name} med ändringar",
        overrides=(*decided.overrides, *written.values()),
    )


def whatif_tenant(tenant: Tenant, base: str | None, changes: Sequence[Change]) -> Tenant:
    """``tenant`` with the what-if as its scenario :data:`WHATIF`."""
    scenario = whatif_scenario(tenant, base, changes)
    return attrs.evolve(tenant, scenarios={**tenant.scenarios, WHATIF: scenario})


def scenario_file(
    tenant: Tenant,
    extends: str,
    base: str | None,
    changes: Sequence[Change],
    name: str,
    description: str,
) -> str:
    """A tenant file that ``extends`` the tenant and adds the what-if as scenario ``name``.

    ``extends`` is the installed tenant's id or the tenant file's name in the same folder.
    Overrides are written with every value the decided scenario and the changes set, as exact
    numbers (a float's shortest repr reads back to the same float), so a rerun computes the
    same amounts.
    """
    check_name(name, "scenario name")
    if name in tenant.scenarios or name in (DEFAULT_SCENARIO, WHATIF):
        raise ConfigError(f"scenario name: {name!r} is taken; choose another name")
    decided = tenant.scenario(base)
    _, written = written_overrides(base_parameters(tenant, base), changes)
    merged: dict[str, dict[int, DatedValue]] = {}
    units: dict[str, str] = {}
    for p in (*decided.overrides, *written.values()):
        merged.setdefault(p.key, {}).update({v.year: v for v in p.values})
        units[p.key] = p.unit
    lines = [
        "# A what-if saved by rfm serve: the tenant it extends, and one scenario more.",
        f"# Rerun: rfm run --config FILE --scenario {name}",
        "[tenant]",
        f"id = {_toml_str(tenant.id)}",
        f"extends = {_toml_str(extends)}",
        "",
        f"[scenarios.{name}]",
        f"description = {_toml_str(description or decided.description)}",
    ]
    if decided.models is not None:
        lines.append(f"models = [{', '.join(_toml_str(m) for m in decided.models)}]")
    if decided.datasets:
        swaps = ", ".join(f"{_toml_key(k)} = {_toml_str(v)}" for k, v in decided.datasets.items())
        lines.append(f"data = {{ {swaps} }}")
    for key in sorted(merged):
        lines += [
            "",
            f"[scenarios.{name}.overrides.{_toml_key(key)}]",
            f"unit = {_toml_str(units[key])}",
        ]
        lines.append(f"[scenarios.{name}.overrides.{_toml_key(key)}.values]")
        for year in sorted(merged[key]):
            v = merged[key][year]
            if v.value is None:
                lines.append(f"{year} = {{ end = true, source = {_toml_str(v.source)} }}")
            else:
                lines.append(
                    f"{year} = {{ value = {_toml_float(v.value)}, source = {_toml_str(v.source)} }}"
                )
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    """A TOML basic string: JSON's escapes, with DEL escaped too (TOML forbids it raw)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_str(key)


def _toml_float(value: float) -> str:
    text = repr(float(value))
    return text if any(c in text for c in ".en") else f"{text}.0"


def saved_path(folder: Path, tenant_id: str, name: str) -> Path:
    """Where scenario ``name`` of ``tenant_id`` is saved in ``folder``: ``ID-NAME.toml``."""
    check_name(name, "scenario name")
    return folder / f"{check_name(tenant_id, 'tenant id')}-{name}.toml"
