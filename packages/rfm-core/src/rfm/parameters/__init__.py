"""Dated parameters with units and sources, and sets of them."""

from rfm.parameters.config import parse_dated_values, parse_parameter, parse_parameter_table
from rfm.parameters.dated import DatedValue, Parameter, constant, series
from rfm.parameters.parameter_set import ParameterSet

__all__ = [
    "DatedValue",
    "Parameter",
    "ParameterSet",
    "constant",
    "parse_dated_values",
    "parse_parameter",
    "parse_parameter_table",
    "series",
]
