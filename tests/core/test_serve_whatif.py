"""The what-if's arithmetic of dated values, and its saved scenario file, without a server.

Each expectation is written out by hand: which dated values a change writes for which years.
"""

from __future__ import annotations

import tomllib

import pytest

import rfm
from rfm.errors import RfmError
from rfm.parameters import DatedValue, Parameter, ParameterSet
from rfm.serve.whatif import (
    Change,
    FieldErrors,
    change_values,
    parse_change,
    parse_number,
    scenario_file,
    whatif_tenant,
)
from tests.core.serve_helpers import write_tenant

RATE = Parameter(
    "r",
    "kr",
    (DatedValue(2020, 100.0, "KF 2019"), DatedValue(2023, 120.0, "KF 2022"),
     DatedValue(2026, None, "KF 2025: upphör")),
)  # fmt: skip


def values(change: Change) -> list[tuple[int, float | None, str]]:
    return [(v.year, v.value, v.source) for v in change_values(RATE, change)]


def test_a_new_value_for_some_years_puts_the_decided_value_back_after_them():
    assert values(Change("r", 2021, 2023, "set", 90.0, "F")) == [
        (2021, 90.0, "F"),
        (2023, 90.0, "F"),  # the value decided for 2023 is replaced too
        (2024, 120.0, "KF 2022"),  # and from 2024 the decided value holds again
    ]


def test_without_a_last_year_the_change_holds_on_but_an_end_stays_an_end_in_relative_modes():
    assert values(Change("r", 2021, None, "percent", 10.0, "F")) == [
        (2021, 100.0 * 1.1, "F"),
        (2023, 120.0 * 1.1, "F"),
        (2026, None, "KF 2025: upphör"),
    ]
    assert values(Change("r", 2024, None, "add", -20.0, "F")) == [
        (2024, 100.0, "F"),
        (2026, None, "KF 2025: upphör"),
    ]
    # a new value from 2024 on replaces the end as well: it is what was asked
    assert values(Change("r", 2024, None, "set", 5.0, "F")) == [(2024, 5.0, "F"), (2026, 5.0, "F")]


def test_a_value_before_the_first_is_ended_again_after_the_chosen_years():
    assert values(Change("r", 2010, 2011, "set", 7.0, "F")) == [
        (2010, 7.0, "F"),
        (2012, None, "F (slut)"),
    ]


def test_a_relative_change_needs_a_value_in_force():
    with pytest.raises(RfmError, match="has no value for 2010"):
        change_values(RATE, Change("r", 2010, None, "percent", 3.0, "F"))
    with pytest.raises(FieldErrors) as caught:
        parse_change(
            {"parameter": "r", "first": "2027", "mode": "percent", "value": "3"},
            ParameterSet.of([RATE]),
        )
    assert "no value for 2027 (it ended before)" in caught.value.errors["first"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("381 100", 381100.0), ("0,5", 0.5), ("−3", -3.0), ("+3 %", 3.0), ("1.5e6", 1.5e6),
     ("12\u00a0000,25", 12000.25), (",5", 0.5)],
)  # fmt: skip
def test_numbers_as_people_type_them(text, number):
    assert parse_number(text, "value") == number


@pytest.mark.parametrize("text", ["", "abc", "1 23", "1,2,3", "0x10", "1_000", "١٢"])
def test_what_is_not_a_number_is_said(text):
    with pytest.raises(RfmError, match=r"value: expected a number"):
        parse_number(text, "value")


def test_a_share_typed_in_per_cent_is_a_share():
    share = Parameter("s", "andel", (DatedValue(2020, 0.7, "KF"),))
    change = parse_change(
        {"parameter": "s", "first": "2021", "mode": "set", "value": "50 %"},
        ParameterSet.of([share]),
    )
    assert change.amount == 0.5


def test_the_saved_file_reads_back_to_the_same_parameters(tmp_path, rfm_registry):
    path = write_tenant(tmp_path)
    tenant = rfm.load_tenant_file(path, rfm_registry)
    odd = 'Förslag "A" \\ \x7f\u2028 slut'
    changes = (
        Change("aldreomsorg.bands.90+", 2024, 2024, "percent", 3.0, odd),
        Change("ny.total", 2025, None, "add", -20_000_000.0, "KF"),
    )
    text = scenario_file(tenant, "tenant.toml", "snal", changes, "prov-a", 'Beskrivning "x"\n')
    tomllib.loads(text)  # valid TOML, whatever the texts hold
    target = tmp_path / "prov-prov-a.toml"
    target.write_text(text, encoding="utf-8")
    saved = rfm.load_tenant_file(target, rfm_registry)
    expected = whatif_tenant(tenant, "snal", changes)
    from rfm.engine import scenario_parameters

    mine = scenario_parameters(saved, saved.scenario("prov-a"))
    theirs = scenario_parameters(expected, expected.scenario("vad-om"))
    for key in ("aldreomsorg.bands.90+", "ny.total"):
        assert mine[key].values == theirs[key].values
    assert mine["ny.total"].value_at(2024) == 90_000_000  # snal's override is kept
    assert mine["ny.total"].value_at(2025) == 70_000_000
    assert mine["aldreomsorg.bands.90+"].at(2024).source == odd
    with pytest.raises(RfmError, match="is taken"):
        scenario_file(tenant, "tenant.toml", None, changes, "snal", "")
    with pytest.raises(RfmError, match="not a valid name"):
        scenario_file(tenant, "tenant.toml", None, changes, "../x", "")
