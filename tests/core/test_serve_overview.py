"""rfm serve's tenant page (Översikt): its totals per year, its money per model and year, the
chart's points and the summary are the figures of ``rfm run`` (issue 22).

The test tenant, Provkommun (tests/core/serve_helpers.py), has an äldreomsorg model whose
amounts are worked out by hand (inhabitants × kr per inhabitant) and an IFO blend that shares a
budget of 100 000 000 kr a year. The page is read from the real server over HTTP; the expected
figures come from ``rfm run --format csv`` (exact amounts) rounded by the rule written out in
tests/rounding_rule.py, from ``rfm run``'s own table, and for äldreomsorg from the hand count.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import httpx
import pytest

import rfm
from tests.core.serve_helpers import (
    AREAS,
    BUDGET,
    aldreomsorg_by_hand,
    cli,
    cli_amounts,
    server,
    write_tenant,
)
from tests.html_reading import Node, check_largest, parse, summary_of, table_rows, who
from tests.rounding_rule import in_steps, nested, step_of, text_tables

YEARS = (2024, 2025)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve-overview")
    write_tenant(folder)
    return folder


@pytest.fixture(scope="module")
def page(folder) -> str:
    with (
        server("--config", str(folder / "tenant.toml"), cwd=folder) as url,
        httpx.Client(base_url=url, timeout=60) as c,
    ):
        answer = c.get("/t/prov")
    assert answer.status_code == 200
    return answer.text


@pytest.fixture(scope="module")
def expected(folder) -> dict[tuple, int]:
    """Every figure in kr by the nested rule: (year,), (year, model), (year, model, recipient)."""
    amounts = cli_amounts("--config", str(folder / "tenant.toml"), "--years", "2024-2025")
    exact = {(y, m, r): Fraction(v) for (m, r, y), v in amounts.items()}
    return nested(exact, step_of("kr"))


def labels(folder: Path) -> dict[str, str]:
    tenant = rfm.load_tenant_file(folder / "tenant.toml", rfm.PluginHost().registry)
    return {m.id: m.label for m in tenant.models}


def section(page: str, ident: str) -> Node:
    return parse(page).by_id(ident)


def test_the_totals_per_year_are_rfm_runs(page, expected):
    (table,) = section(page, "ar").all("table")
    rows = table_rows(table)
    assert [r[0] for r in rows] == ["2024", "2025"]
    for year, figure in rows:
        assert in_steps(figure, "kr") == expected[(int(year),)], year
    # by hand: äldreomsorg's inhabitants × rates, and the blend's whole budget
    for year in YEARS:
        by_hand = sum(aldreomsorg_by_hand(a, year) for a in AREAS) + BUDGET
        assert expected[(year,)] == by_hand
    assert [in_steps(r[1], "kr") for r in rows] == [282_086_700, 288_711_000]


def test_the_money_per_model_and_its_chart_are_rfm_runs(page, expected, folder):
    label = labels(folder)
    money = section(page, "money")
    (table,) = money.all("table")
    rows = {r[0]: [in_steps(c, "kr") for c in r[1:]] for r in table_rows(table)}
    shown_models = {m for m in label if (YEARS[0], m) in expected}
    assert set(rows) == {label[m] for m in shown_models} | {"Summa"}
    for model in shown_models:
        assert rows[label[model]] == [expected[(y, model)] for y in YEARS], model
    assert rows["Summa"] == [expected[(y,)] for y in YEARS]
    for year in YEARS:  # äldreomsorg by hand, to the krona
        assert rows["Äldreomsorg"][YEARS.index(year)] == sum(
            aldreomsorg_by_hand(a, year) for a in AREAS
        )
    # rfm run's table prints the same model sums
    (_, run_rows), *_ = text_tables(cli("run", "--config", str(folder / "tenant.toml"),
                                        "--years", "2024-2025"))  # fmt: skip
    run_sums = {(r[0], int(r[2])): in_steps(r[3], "kr") for r in run_rows if r[1] == "Summa"}
    for (model_label, year), figure in run_sums.items():
        assert rows[model_label][YEARS.index(year)] == figure
    # the chart: one point per model and year with the table's figure, a legend entry per line
    (chart,) = money.all("svg")
    points = [c.all("title")[0].text() for c in chart.all("circle")]
    assert len(points) == len(shown_models) * len(YEARS)
    for point in points:
        name, figure = point.rsplit(": ", 1)
        model_label, year = name.rsplit(" ", 1)
        assert in_steps(figure, "kr") == rows[model_label][YEARS.index(int(year))], point
    legend = [t.text() for t in chart.all("text") if "text-anchor" not in t.attrs]
    assert legend == [r[0] for r in table_rows(table) if r[0] != "Summa"]


def test_the_summary_is_rfm_runs(page, expected, folder):
    # the report's sections follow the page's own (models, scenarios, years): the summary
    # is the first of them
    figures, paragraphs, rows = summary_of(report_sections(page))
    first, last = expected[(2024,)], expected[(2025,)]
    assert [(f[0], in_steps(f[1].removesuffix(" kr"), "kr")) for f in figures] == [
        ("Summa 2024", first), ("Summa 2025", last), ("Förändring 2024–2025", last - first)
    ]  # fmt: skip
    assert paragraphs[0] == "Förändring från 2024 till 2025 (kr):"
    label = labels(folder)
    keys = {k[1:] for k in expected if len(k) == 3}
    amounts = {(0, m, r): 0 for m, r in keys}  # who() asks which models have several recipients
    changes = {
        who(m, r, amounts, label): expected.get((2025, m, r), 0) - expected.get((2024, m, r), 0)
        for m, r in keys
    }
    check_largest(rows, changes, "kr")


def report_sections(page: str) -> str:
    """The page from the report's first section on."""
    start = page.index('<section id="summary">')
    return "<html><body>" + page[start:]
