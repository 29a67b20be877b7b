"""The HTML report: one self-contained file with the figures rfm computed, Swedish or English."""

from __future__ import annotations

import re

import polars as pl
import pytest

import rfm
from rfm.formatting import number
from rfm.reports.html import render_report
from tests.core.test_models import BOKSLUT, KEY, NEED


def key_run(tenant_file, registry, years=(2006,)):
    path = tenant_file(
        KEY.replace(
            "total = { 2006 = 100000000 }", "total = { 2006 = 100000000, 2007 = 120000000 }"
        ),
        {"need.csv": NEED.replace("2006", "2007") + NEED.split("\n", 1)[1], "bokslut.csv": BOKSLUT},
    )
    tenant = rfm.load_tenant_file(path, registry)
    return rfm.run(tenant, registry, list(years), models=["overgang", "ny"])


def test_the_report_is_self_contained(tenant_file, rfm_registry):
    html = render_report(key_run(tenant_file, rfm_registry, (2006, 2007)))
    assert html.startswith("<!doctype html>") and '<html lang="sv">' in html
    for forbidden in ("http://", "https://", "<script", "<link", " src=", "url("):
        assert forbidden not in html, forbidden
    assert html.count("<svg") >= 2  # the lines per model, and bars per recipient
    for heading in ("Pengar per modell och år", "Fördelning per mottagare", "Källor"):
        assert heading in html


def test_every_figure_in_the_money_table_is_rfms(tenant_file, rfm_registry):
    result = key_run(tenant_file, rfm_registry, (2006, 2007))
    html = render_report(result)
    table = html.split('id="money"')[1].split("</table>")[0]
    for r in result.totals(["model", "year"]).iter_rows(named=True):
        shown = number(round(r["amount"]), 0).replace(" ", "\u00a0")  # no-break spaces
        assert f'<td class="n">{shown}</td>' in table
    for year in (2006, 2007):
        total = result.totals(["year"]).filter(pl.col("year") == year)["amount"][0]
        assert number(round(total), 0).replace(" ", "\u00a0") in table


def test_english_labels(tenant_file, rfm_registry):
    html = render_report(key_run(tenant_file, rfm_registry), lang="en")
    assert '<html lang="en">' in html and "Money per model and year" in html and "Sources" in html
    assert "Pengar per modell" not in html


def test_report_and_run_write_html_files(rfm_cli, tmp_path):
    out = tmp_path / "rapport.html"
    done = rfm_cli("report", "exempel", "--years", "2018,2020-2021,2024", "--out", str(out))
    assert done.exit_code == 0, done.output
    text = out.read_text(encoding="utf-8")
    assert re.search(r"<h1>[^<]+</h1>", text)
    via_run = tmp_path / "run.html"
    assert (
        rfm_cli(
            "run", "exempel", "--year", "2024", "--format", "html", "--out", str(via_run)
        ).exit_code
        == 0
    )
    assert "Källor" in via_run.read_text(encoding="utf-8")
    assert rfm_cli("run", "exempel", "--year", "2024", "--format", "html").exit_code == 1


def test_report_defaults_come_from_the_tenant_and_are_checked(
    tenant_file, rfm_registry, rfm_cli, tmp_path
):
    from tests.core.test_models import POP

    base = '[tenant]\nid = "r"\n[data.population]\npath = "pop.csv"\n[[models]]\nid = "m"\ntype = "age_bands"\nrecipient = "SN"\nsource = "KF"\nbands = { "65+" = { 2024 = 100 } }\n'
    good = tenant_file(base + '[report]\nyears = "2024"\n', {"pop.csv": POP})
    out = tmp_path / "r.html"
    done = rfm_cli("report", "--config", str(good), "--out", str(out))
    assert done.exit_code == 0, done.output
    bad_years = tenant_file(base + '[report]\nyears = "förra året"\n', {"pop.csv": POP})
    with pytest.raises(rfm.ConfigError, match=r"\[report\]\.years"):
        rfm.load_tenant_file(bad_years, rfm_registry)
    bad_scenario = tenant_file(
        base + '[report]\nyears = "2024"\nagainst = "finns-inte"\n', {"pop.csv": POP}
    )
    with pytest.raises(rfm.ConfigError, match="no scenario 'finns-inte'"):
        rfm.load_tenant_file(bad_scenario, rfm_registry)


def test_a_municipality_sets_the_reports_name_logo_and_colours(
    tenant_file, rfm_registry, rfm_cli, tmp_path
):
    from tests.core.test_models import POP

    base = '[tenant]\nid = "r"\nname = "r"\n[data.population]\npath = "pop.csv"\n[[models]]\nid = "m"\ntype = "age_bands"\nrecipient = "SN"\nsource = "KF"\nbands = { "65+" = { 2024 = 100 } }\n'
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    look = '[report]\nyears = "2024"\nname = "Exempla kommun"\nlogo = "logo.svg"\ncolours = { primary = "#005B99", accent = "#E4002B" }\n'
    path = tenant_file(base + look, {"pop.csv": POP, "logo.svg": logo})
    out = tmp_path / "r.html"
    assert rfm_cli("report", "--config", str(path), "--out", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "<h1>Exempla kommun</h1>" in html
    assert "--primary: #005B99; --accent: #E4002B;" in html
    assert '<img src="data:image/svg+xml;base64,' in html  # embedded: nothing fetched
    docs = rfm_cli("docs", "--config", str(path), "--format", "html")
    assert "--primary: #005B99" in docs.output  # the documentation shares the look
    for bad, message in (
        ('colours = { primary = "red;}body{display:none" }', r"colours\.primary"),
        ('colours = { text = "#000000" }', "colours"),
        ('logo = "../../etc/passwd.png"', "logo"),
        ('logo = "logo.exe"', "logo"),
    ):
        wrong = tenant_file(base + f'[report]\nyears = "2024"\n{bad}\n', {"pop.csv": POP})
        with pytest.raises(rfm.RfmError, match=message):
            rfm.load_tenant_file(wrong, rfm_registry)
