"""Dated parameters: effect from a budget year until the next; units and sources required."""

from __future__ import annotations

import pytest

from rfm import ConfigError, DatedValue, Parameter, ParameterError, ParameterSet, UnknownNameError
from rfm.parameters import parse_parameter, series

UPLIFT = Parameter(
    "ifo.uplift",
    "andel",
    (DatedValue(2023, 0.05, "KF 2022-06-20 § 87"), DatedValue(2019, 0.10, "KF 2018-11-19 § 12")),
)


def test_value_holds_until_the_next_dated_value():
    assert UPLIFT.value_at(2019) == 0.10
    assert UPLIFT.value_at(2022) == 0.10  # seed 000: 10 % up to budget 2022
    assert UPLIFT.value_at(2023) == 0.05  # 5 % from budget 2023
    assert UPLIFT.value_at(2030) == 0.05
    assert UPLIFT.at(2025).source == "KF 2022-06-20 § 87"


def test_before_the_first_value_is_an_error():
    with pytest.raises(ParameterError, match="no value for 2018"):
        UPLIFT.value_at(2018)


def test_an_ended_parameter_has_no_value():
    p = Parameter("x", "kr", (DatedValue(2020, 5.0, "a"), DatedValue(2024, None, "b")))
    assert p.value_at(2023) == 5.0
    with pytest.raises(ParameterError, match="ended"):
        p.value_at(2024)


def test_missing_unit_and_source_are_errors():
    with pytest.raises(ParameterError, match="no unit"):
        Parameter("x", " ", (DatedValue(2020, 1.0, "a"),))
    with pytest.raises(ParameterError, match="no source"):
        DatedValue(2020, 1.0, "")
    with pytest.raises(ConfigError, match="missing required key"):
        parse_parameter("x", {"values": {2020: 1}}, "f")
    with pytest.raises(ConfigError, match="has no source"):
        parse_parameter("x", {"unit": "kr", "values": {"2020": 1}}, "f")
    with pytest.raises(ConfigError, match="unknown key"):
        parse_parameter("x", {"unit": "kr", "source": "s", "values": {"2020": 1}, "valu": 2}, "f")


def test_parse_full_form():
    p = parse_parameter(
        "ifo.uplift",
        {
            "unit": "andel",
            "source": "KF 2018",
            "values": {"2019": 0.10, "2023": {"value": 0.05, "source": "KF 2022"}},
        },
        "f",
    )
    assert p == Parameter(
        "ifo.uplift", "andel", (DatedValue(2019, 0.1, "KF 2018"), DatedValue(2023, 0.05, "KF 2022"))
    )


def test_unknown_keys_are_errors():
    params = ParameterSet.of([UPLIFT])
    with pytest.raises(UnknownNameError, match=r"unknown parameter 'ifo\.uplif'"):
        params["ifo.uplif"]


def test_override_merges_by_year_and_checks_every_key_first():
    params = ParameterSet.of([UPLIFT, series("pkv", "förändring", [(2023, 0.02)], "SKR")])
    over = params.with_overrides([series("ifo.uplift", "andel", [(2025, 0.07)], "KF 2024")])
    assert over.value("ifo.uplift", 2024) == 0.05
    assert over.value("ifo.uplift", 2025) == 0.07
    assert params.value("ifo.uplift", 2025) == 0.05  # the original is unchanged
    with pytest.raises(ParameterError, match="unknown parameter"):
        params.with_overrides(
            [
                series("ifo.uplift", "andel", [(2025, 0.07)], "x"),
                series("nope", "kr", [(2025, 1)], "x"),
            ]
        )
    with pytest.raises(ParameterError, match="is in 'procent'"):
        params.with_overrides([series("ifo.uplift", "procent", [(2025, 7)], "x")])
