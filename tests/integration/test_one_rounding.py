"""One ``--round`` across the commands (issue 19, item 4): frame, simulate, goals and compare
show the same run's exact amounts rounded by the one nested largest-remainder rule.

Each test takes the exact amounts from rfm's own CSV or JSON (the digits of the exact
decimals), rounds them by the rule as tests/rounding_rule.py writes it out (independently of
rfm's rounding code) and compares every figure the command shows. The roundings were chosen
where a rule applied per figure gives other figures than the nested one: with ``tkr:1`` the
exact total of Vaggeryd's frames 2023, 365 652 542,06 kr, is 365 652,5 tkr, while the
programområden rounded each on its own add up to 365 652,6; with ``tkr`` Hälso- och sjukvård
2023 is 33 760 tkr in ``rfm run`` and 33 759 tkr rounded on its own; with ``tkr:1`` IFO 2028 is
47 370,7 in ``rfm run`` and 47 370,6 on its own.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction

import pytest

import rfm
from tests.rounding_rule import (
    exact,
    half_up,
    in_steps,
    largest_remainder,
    nested,
    step_of,
    text_tables,
)

PARTS = ["previous", "volume", "rate_change", "price_wage", "additions", "savings"]


def ok(done) -> str:
    assert done.exit_code == 0, done.output
    return done.stdout


def run_amounts(rfm_cli, *args: str) -> dict[tuple[int, str, str], Fraction]:
    """``rfm run ARGS --format csv``: the exact amount per (year, model, recipient)."""
    out: dict[tuple[int, str, str], Fraction] = {}
    for r in csv.DictReader(io.StringIO(ok(rfm_cli("run", *args, "--format", "csv")))):
        key = (int(r["year"]), r["model"], r["recipient"])
        out[key] = out.get(key, Fraction(0)) + exact(r["amount"])
    return out


def frame_expected(rows: list[dict], rounding: str) -> list[list[int]]:
    """A year's build-up by the rule: the total frame half up, the programområden's frames by
    largest remainder (in the table's order), each row's steps (besparingar subtracted) by
    largest remainder to its frame."""
    step = step_of(rounding)
    frames = [exact(r["frame"]) / step for r in rows]
    targets = largest_remainder(frames, half_up(sum(frames, Fraction(0))))
    out = []
    for r, target in zip(rows, targets, strict=True):
        sign = [1, 1, 1, 1, 1, -1]
        parts = [exact(r[n]) * s / step for n, s in zip(PARTS, sign, strict=True)]
        got = largest_remainder(parts, target)
        out.append([v * s for v, s in zip(got, sign, strict=True)] + [target])
    return out


@pytest.mark.parametrize("rounding", ["tkr:1", "tkr", "mnkr:1"])
def test_rfm_frame_shows_the_build_up_rounded_nested(rfm_cli, rounding):
    year = 2023
    args = ("frame", "vaggeryd", "--year", str(year), "--round", rounding)
    document = json.loads(ok(rfm_cli(*args, "--format", "json")), parse_float=Decimal)
    rows = document["rows"]
    expected = frame_expected(rows, rounding)
    unit = rounding.partition(":")[0]
    names = [*PARTS, "frame"]
    # JSON: the rounded columns beside the exact ones
    for r, figures in zip(rows, expected, strict=True):
        assert [in_steps(str(r[f"{n}_{unit}"]).replace(".", ","), rounding) for n in names] == (
            figures
        ), r["program"]
    # the table: every programområde's row, and the sum row, which ends in the total frame
    # rounded from its exact value
    (head, body), (model_head, model_rows), *_ = text_tables(ok(rfm_cli(*args)))
    assert head[0] == "Programområde" and head[-1] == f"Ram {year}"
    assert [r[0] for r in body] == [r["program"] for r in rows] + ["Summa"]
    for cells, figures in zip(body, expected, strict=False):
        assert [in_steps(c, rounding) for c in cells[1:]] == figures, cells[0]
    sums = [in_steps(c, rounding) for c in body[-1][1:]]
    assert sums == [sum(col) for col in zip(*expected, strict=True)]
    total = sum((exact(r["frame"]) for r in rows), Fraction(0))
    assert sums[-1] == half_up(total / step_of(rounding))

    # the models' change: the amounts of t−1 and t are rfm run's figures for those years,
    # and volume and rate change add up to their difference
    assert model_head[2:] == [f"Belopp {year - 1}", f"Belopp {year}", "Volym", "Ersättning"]
    amounts = run_amounts(rfm_cli, "vaggeryd", "--years", f"{year - 1}-{year}")
    figures = nested(amounts, step_of(rounding))
    registry = rfm.PluginHost().registry
    tenant = registry.tenant("vaggeryd")
    label = {m.id: m.label for m in tenant.models}
    split = {
        r["model"]: (exact(r["volume"]), exact(r["rate_change"]))
        for r in rfm.build_frame(tenant, registry, year).models.iter_rows(named=True)
    }
    assert len(model_rows) == len(split) == 5
    for cells in model_rows:
        model = next(m for m, text in label.items() if text == cells[0])
        before, after = figures[(year - 1, model)], figures[(year, model)]
        volume, rate = (v / step_of(rounding) for v in split[model])
        assert [in_steps(c, rounding) for c in cells[2:]] == [
            before, after, *largest_remainder([volume, rate], after - before)
        ], cells[0]  # fmt: skip
    # and rfm run with the same --round prints the same amounts for those models
    (_, run_rows), *_ = text_tables(ok(rfm_cli("run", "vaggeryd", "--year", str(year),
                                               "--round", rounding)))  # fmt: skip
    shown_by_run = {r[0]: in_steps(r[3], rounding) for r in run_rows if r[1] != "Summa"}
    assert {r[0]: in_steps(r[3], rounding) for r in model_rows} == shown_by_run


def test_rfm_simulate_shows_the_forecast_as_rfm_run_and_percentiles_half_up(rfm_cli):
    rounding, years = "tkr:1", "2028-2030"
    args = ("simulate", "vaggeryd", "--years", years, "--draws", "20", "--round", rounding)
    figures = nested(run_amounts(rfm_cli, "vaggeryd", "--years", years), step_of(rounding))
    table = list(csv.DictReader(io.StringIO(ok(rfm_cli(*args, "--format", "csv")))))
    assert len(table) == 15
    step = step_of(rounding)
    for r in table:
        key = (int(r["year"]), r["model"], r["recipient"])
        assert in_steps(r["amount_tkr"].replace(".", ","), rounding) == figures[key], key
        for p in ("p5", "p50", "p95"):  # no part of a sum: each on its own, half up
            assert in_steps(r[f"{p}_tkr"].replace(".", ","), rounding) == half_up(
                exact(r[p]) / step
            ), (key, p)
    # the table: Prognos as rfm run, percentiles as in the CSV of the same seed
    registry = rfm.PluginHost().registry
    label = {m.id: m.label for m in registry.tenant("vaggeryd").models}
    by_label = {(label[r["model"]], r["recipient"], r["year"]): r for r in table}
    (head, body), *_ = text_tables(ok(rfm_cli(*args)))
    assert head[3:7] == ["Prognos (tkr)", "P5 (tkr)", "P50 (tkr)", "P95 (tkr)"]
    assert len(body) == 15
    for cells in body:
        r = by_label[(cells[0], cells[1], cells[2])]
        key = (int(r["year"]), r["model"], r["recipient"])
        assert in_steps(cells[3], rounding) == figures[key], cells
        assert [in_steps(c, rounding) for c in cells[4:7]] == [
            half_up(exact(r[p]) / step) for p in ("p5", "p50", "p95")
        ], cells
    # the case the nested rule decides: IFO 2028 is 47 370 636,6 kr, 47 370,6 on its own
    assert figures[(2028, "ifo", "Socialnämnden")] == 473707
    assert half_up(exact(by_label[(label["ifo"], "Socialnämnden", "2028")]["amount"]) / step) == (
        473706
    )


def test_rfm_compare_shows_a_b_and_their_difference_rounded_nested(rfm_cli):
    """Stockholm: districts under each model, A and B nested on their own runs, Δ = A − B."""
    rounding = "tkr:1"
    args = ("compare", "stockholm", "--scenario", "ny-modell", "--against", "gammal-modell",
            "--years", "2006-2008", "--round", rounding)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(ok(rfm_cli(*args, "--format", "csv")))))
    step = step_of(rounding)
    a_exact = run_amounts(rfm_cli, "stockholm", "--years", "2006-2008", "--scenario", "ny-modell")
    b_exact = run_amounts(rfm_cli, "stockholm", "--years", "2006-2008", "--scenario",
                          "gammal-modell")  # fmt: skip
    a, b = nested(a_exact, step), nested(b_exact, step)
    assert len(rows) == len(set(a_exact) | set(b_exact)) > 20
    for r in rows:
        key = (int(r["year"]), r["model"], r["recipient"])
        if r["a"]:
            assert exact(r["a"]) == a_exact[key]
            assert in_steps(r["a_tkr"].replace(".", ","), rounding) == a[key], key
        if r["b"]:
            assert in_steps(r["b_tkr"].replace(".", ","), rounding) == b[key], key
        if r["a"] and r["b"]:
            assert in_steps(r["diff_tkr"].replace(".", ","), rounding) == a[key] - b[key], key
    # the table shows the same figures (Δ = A − B as shown)
    (_, body), *_ = text_tables(ok(rfm_cli(*args)))
    registry = rfm.PluginHost().registry
    label = {m.id: m.label for m in registry.tenant("stockholm").models}
    checked = 0
    for cells in body:
        if cells[1] == "Summa":
            continue
        model = next(m for m, text in label.items() if text == cells[0])
        key = (int(cells[2]), model, cells[1])
        if key in a:
            assert in_steps(cells[3], rounding) == a[key], cells
        if key in b:
            assert in_steps(cells[4], rounding) == b[key], cells
        if key in a and key in b:
            assert in_steps(cells[5], rounding) == a[key] - b[key], cells
            checked += 1
    assert checked > 20


def test_rfm_goals_shows_the_frames_of_rfm_frame(kolada_env, rfm_cli, tmp_path):
    rounding, year = "tkr:1", 2023
    frame = json.loads(
        ok(rfm_cli("frame", "vaggeryd", "--year", str(year), "--format", "json")),
        parse_float=Decimal,
    )["rows"]
    expected = {
        r["program"]: (figures[-1], figures[1] + figures[2])  # the frame; volume + rate change
        for r, figures in zip(frame, frame_expected(frame, rounding), strict=True)
    }
    assert expected["750 Verkställighet IFO"][0] == 418029  # 41 802 960,45 kr, the rest lost
    args = ("goals", "vaggeryd", "--year", str(year), "--round", rounding)
    text = ok(rfm_cli(*args))
    lines = [line for line in text.splitlines() if f" — ram {year}: " in line]
    goals = rfm.PluginHost().registry.tenant("vaggeryd").goals
    assert goals is not None
    programs = {i.program for i in goals.indicators}
    assert {line.split(" — ")[0] for line in lines} == programs and len(lines) == 3
    for line in lines:
        program, money = line.split(" — ")
        ram, change = money.removeprefix(f"ram {year}: ").split("; modellernas förändring ")
        assert in_steps(ram.removesuffix(" tkr"), rounding) == expected[program][0], line
        assert (
            in_steps(change.removesuffix(" tkr").lstrip("+"), rounding) == (expected[program][1])
        ), line
    for r in json.loads(ok(rfm_cli(*args, "--format", "json"))):
        ram, change = expected[r["programomrade"]]
        assert in_steps(str(r["ram_tkr"]).replace(".", ","), rounding) == ram
        assert in_steps(str(r["modellernas_forandring_tkr"]).replace(".", ","), rounding) == change
    import fastexcel

    book = tmp_path / "mal.xlsx"
    ok(rfm_cli(*args, "--format", "xlsx", "--out", str(book)))
    sheet = fastexcel.read_excel(str(book)).load_sheet("Mål och resurser", header_row=3)
    for r in sheet.to_polars().iter_rows(named=True):
        ram, change = expected[r["Programområde"]]
        assert round(r["Ram (tkr)"] * 10) == ram
        assert round(r["Modellernas förändring (tkr)"] * 10) == change
