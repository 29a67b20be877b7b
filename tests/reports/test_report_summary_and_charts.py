"""The HTML report's executive summary and its charts (issue 19, item 2).

* The summary (Sammanfattning) says what the report is about before any table: the total of
  the first (and last) year, the change in kr and %, and the three largest increases and
  decreases. Every figure is checked against the run's exact amounts from ``rfm run --format
  csv`` rounded by the nested rule written out in tests/rounding_rule.py; the percentages
  against the exact amounts.
* The charts, opened in headless Chromium (Debian's, through Playwright) so that text is
  measured with real fonts: every label lies inside its chart (the margins come from the
  labels), the line chart's legend names every model whole in its line's colour, the points
  and bars carry the figures of the table under them, and bars that are all zero or more
  start at the left, leaving no empty negative half.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.html_reading import check_largest, percent_of, summary_of, who
from tests.reports.test_html_in_chromium import CHROMIUM_FLAGS
from tests.rounding_rule import exact, in_steps, nested, shown, step_of

# --- the run's figures, from rfm's CSV --------------------------------------------------------


def run_amounts(rfm_cli, *args: str) -> dict[tuple[int, str, str], Fraction]:
    done = rfm_cli("run", *args, "--format", "csv")
    assert done.exit_code == 0, done.output
    out: dict[tuple[int, str, str], Fraction] = {}
    for r in csv.DictReader(io.StringIO(done.stdout)):
        key = (int(r["year"]), r["model"], r["recipient"])
        out[key] = out.get(key, Fraction(0)) + exact(r["amount"])
    return out


def year_total(amounts: dict[tuple[int, str, str], Fraction], year: int) -> Fraction:
    return sum((v for k, v in amounts.items() if k[0] == year), Fraction(0))


def test_the_summary_over_the_years_is_the_runs(rfm_cli, registry, tmp_path):
    """Vaggeryd 2023–2030 without a comparison, in tkr: first and last year, the change, and
    each model's change from 2023 to 2030."""
    years, rounding = ("--years", "2023-2030"), "tkr"
    report = tmp_path / "vaggeryd.html"
    done = rfm_cli("run", "vaggeryd", *years, "--format", "html", "--round", rounding,
                   "--out", str(report))  # fmt: skip
    assert done.exit_code == 0, done.output
    figures, paragraphs, rows = summary_of(report.read_text(encoding="utf-8"))

    amounts = run_amounts(rfm_cli, "vaggeryd", *years)
    rounded = nested(amounts, step_of(rounding))
    first, last = rounded[(2023,)], rounded[(2030,)]
    exact_first, exact_last = year_total(amounts, 2023), year_total(amounts, 2030)
    labels, values, notes, tones = zip(*figures, strict=True)
    assert labels == ("Summa 2023", "Summa 2030", "Förändring 2023–2030")
    assert all(v.endswith(" tkr") for v in values)
    assert [in_steps(v.removesuffix(" tkr"), rounding) for v in values] == [
        first, last, last - first
    ]  # fmt: skip
    assert tones[2] == ("up" if last > first else "down")
    share = (exact_last - exact_first) / exact_first
    assert abs(percent_of(notes[2]) - share) <= Fraction(1, 2000)  # one decimal of a per cent
    assert paragraphs[0] == "Förändring från 2023 till 2030 (tkr):"

    labels_of = {m.id: m.label for m in registry.tenant("vaggeryd").models}
    pairs = {(k[1], k[2]) for k in amounts}
    changes = {
        who(m, r, amounts, labels_of): rounded.get((2030, m, r), 0) - rounded.get((2023, m, r), 0)
        for m, r in pairs
    }
    assert len(rows) >= 3
    check_largest(rows, changes, rounding)


def test_the_summary_against_a_scenario_is_the_comparisons(rfm_cli, registry, tmp_path):
    """Stockholm 2006–2008 against gammal-modell, in tkr:1 (where rounding each figure on its
    own would show other changes among the top six than the nested rule does): the first
    year's total, A − B of that year, and the districts that gain and lose the most."""
    years, rounding = ("--years", "2006-2008"), "tkr:1"
    report = tmp_path / "stockholm.html"
    done = rfm_cli("report", "stockholm", *years, "--against", "gammal-modell", "--round",
                   rounding, "--out", str(report))  # fmt: skip
    assert done.exit_code == 0, done.output
    figures, paragraphs, rows = summary_of(report.read_text(encoding="utf-8"))

    a_exact = run_amounts(rfm_cli, "stockholm", *years)
    b_exact = run_amounts(rfm_cli, "stockholm", *years, "--scenario", "gammal-modell")
    a, b = nested(a_exact, step_of(rounding)), nested(b_exact, step_of(rounding))
    lead = "standard jämfört med gammal-modell, 2006"
    assert [f[0] for f in figures] == ["Summa 2006", lead]
    assert in_steps(figures[0][1].removesuffix(" tkr"), rounding) == a[(2006,)]
    assert in_steps(figures[1][1].removesuffix(" tkr"), rounding) == a[(2006,)] - b[(2006,)]
    ea, eb = year_total(a_exact, 2006), year_total(b_exact, 2006)
    assert abs(percent_of(figures[1][2]) - (ea - eb) / eb) <= Fraction(1, 2000)
    assert paragraphs[0] == f"{lead} (tkr):"

    labels_of = {m.id: m.label for m in registry.tenant("stockholm").models}
    both = {k for k in a if len(k) == 3 and k[0] == 2006 and k in b}
    changes = {who(k[1], k[2], a_exact, labels_of): a[k] - b[k] for k in both}
    assert len(changes) > 20 and len(rows) == 6  # districts both gain and lose
    check_largest(rows, changes, rounding)


# --- the charts in Chromium --------------------------------------------------------------------

REPORTS = {
    "vaggeryd": ["report", "vaggeryd", "--years", "2023-2030", "--against", "modell-2022"],
    "stockholm": ["report", "stockholm", "--years", "2006-2008", "--against", "gammal-modell"],
    "ostersund": ["report", "ostersund", "--year", "2013"],
}
CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const vb = svg.viewBox.baseVal;
  const box = svg.getBoundingClientRect();
  const holder = svg.parentElement.getBoundingClientRect();
  const own = sel => [...svg.children].filter(e => e.matches(sel));
  return {
    label: svg.getAttribute('aria-label'),
    section: svg.closest('section').id,
    view: [vb.x, vb.y, vb.width, vb.height],
    right: box.right, holderRight: holder.right, shownWidth: box.width,
    texts: own('text').map(t => { const b = t.getBBox();
      return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height,
              anchor: t.getAttribute('text-anchor') || 'start'}; }),
    lines: own('polyline').map(p => p.getAttribute('stroke')),
    points: own('circle').map(c => c.querySelector('title').textContent),
    squares: own('rect').filter(r => !r.querySelector('title')).map(r => r.getAttribute('fill')),
    bars: own('rect').filter(r => r.querySelector('title')).map(r => ({
      x: +r.getAttribute('x'), w: +r.getAttribute('width'),
      title: r.querySelector('title').textContent})),
    axis: own('line.axis').map(l => +l.getAttribute('x1')),
    table: (() => { let e = svg.nextElementSibling;
      while (e && !e.querySelector('table')) e = e.nextElementSibling;
      return e ? [...e.querySelectorAll('tbody tr')].map(
        tr => [...tr.children].map(td => td.textContent)) : []; })(),
  };
})"""


@pytest.fixture(scope="module")
def charts(tmp_path_factory) -> dict[str, dict[int, list[dict]]]:
    """Each report's charts as Chromium lays them out at 1 400 and at 420 px."""
    from click.testing import CliRunner

    from rfm.cli import build_cli

    tmp = tmp_path_factory.mktemp("charts")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is needed: .ci/run installs Debian's chromium"
    found: dict[str, dict[int, list[dict]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        for tenant, args in REPORTS.items():
            path = tmp / f"{tenant}.html"
            done = CliRunner().invoke(build_cli(), [*args, "--out", str(path)])
            assert done.exit_code == 0, done.output
            found[tenant] = {}
            for width in (1400, 420):
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(Path(path).as_uri(), wait_until="load")
                found[tenant][width] = page.evaluate(CHARTS)
                page.close()
        browser.close()
    return found


def test_every_label_lies_inside_its_chart_at_any_width(charts):
    for tenant, by_width in charts.items():
        assert by_width[1400], tenant
        for width, found in by_width.items():
            for chart in found:
                _, _, view_w, view_h = chart["view"]
                for t in chart["texts"]:  # measured by Chromium in the chart's own units
                    where = (tenant, width, chart["label"], t["text"])
                    assert t["x"] >= -0.5 and t["x"] + t["w"] <= view_w + 0.5, where
                    assert t["y"] >= -0.5 and t["y"] + t["h"] <= view_h + 0.5, where
                assert chart["right"] <= chart["holderRight"] + 0.5, (tenant, width)
            if width == 420:  # the chart shrinks to a phone's width instead of running off
                assert all(c["shownWidth"] <= 420 for c in found), tenant


def test_the_line_chart_names_every_model_whole_in_its_colour(charts, registry):
    for tenant in ("vaggeryd", "stockholm"):
        (chart,) = [c for c in charts[tenant][1400] if c["section"] == "money"]
        models = [row[0] for row in chart["table"] if row[0] != "Summa"]
        assert set(models) <= {m.label for m in registry.tenant(tenant).models}
        legend = [t["text"] for t in chart["texts"] if t["anchor"] == "start"]
        assert legend == models, tenant  # whole names, none cut with "…"
        assert chart["squares"] == chart["lines"] and len(set(chart["lines"])) == len(models)
        # each point is the table's figure for its model and year
        years = [t["text"] for t in chart["texts"] if t["anchor"] == "middle"]
        for point in chart["points"]:
            name, figure = point.rsplit(": ", 1)
            model, year = name.rsplit(" ", 1)
            row = next(r for r in chart["table"] if r[0] == model)
            assert shown(figure) == shown(row[1 + years.index(year)]), point
        assert len(chart["points"]) == len(models) * len(years)
        # the axis covers the data: the highest tick is at or above the highest point
        ticks = [shown(t["text"]) for t in chart["texts"] if t["anchor"] == "end"]
        top = max(shown(p.rsplit(": ", 1)[1]) for p in chart["points"])
        assert max(ticks) >= top and min(ticks) <= 0


def test_bars_carry_the_tables_figures_and_leave_no_empty_half(charts):
    seen_mixed = seen_positive = 0
    for tenant in ("stockholm", "ostersund"):
        for chart in [c for c in charts[tenant][1400] if c["bars"]]:
            (zero,) = chart["axis"]
            values = {}
            for bar in chart["bars"]:
                name, figure = bar["title"].rsplit(": ", 1)
                values[name] = shown(figure)
                row = next(r for r in chart["table"] if r[0] == name)
                # one year: the amount; against a scenario: Δ (the fourth column)
                assert shown(figure) == shown(row[1] if len(row) == 2 else row[3]), bar
                # drawn from the zero line, to the right when positive
                start = zero if values[name] >= 0 else zero - bar["w"]
                assert abs(bar["x"] - start) < 0.11, bar
            bars = list(zip(chart["bars"], values.values(), strict=True))
            # one scale for all bars (widths are written to 0,1: the narrow ones are left out)
            scale = [b["w"] / abs(v) for b, v in bars if b["w"] > 5]
            assert max(scale) / min(scale) < 1.01, chart["label"]
            names = [t for t in chart["texts"] if t["text"] in values or "…" in t["text"]]
            label_edge = max(t["x"] + t["w"] for t in names)
            figures = [t for t in chart["texts"] if t not in names]
            _, _, view_w, _ = chart["view"]
            if min(values.values()) >= 0:  # no negative half: the zero line follows the labels
                seen_positive += 1
                assert zero - label_edge <= 20, (tenant, chart["label"], zero, label_edge)
            elif max(values.values()) > 0:
                # each half as wide as its largest bar needs: the figure of the largest
                # decrease ends near the names, that of the largest increase near the edge
                seen_mixed += 1
                left = min(t["x"] for t in figures if t["anchor"] == "end")
                right = max(t["x"] + t["w"] for t in figures if t["anchor"] == "start")
                assert label_edge - 0.5 <= left <= label_edge + 30, (chart["label"], left)
                assert view_w - 30 <= right <= view_w + 0.5, (chart["label"], right)
    assert seen_positive >= 3 and seen_mixed >= 1  # Östersund's amounts, Stockholm's changes


def test_bars_list_recipients_in_natural_order(charts):
    for tenant in ("stockholm", "ostersund"):
        for chart in [c for c in charts[tenant][1400] if c["bars"]]:
            names = [b["title"].rsplit(": ", 1)[0] for b in chart["bars"]]
            key = [tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", n))
                   for n in names]  # fmt: skip
            assert key == sorted(key), names
