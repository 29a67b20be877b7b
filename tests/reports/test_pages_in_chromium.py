"""Every report and documentation page of the three packaged tenants, in headless Chromium:
no horizontal overflow on a wide screen (1 400 px) or a phone (420 px), and printed to PDF on
A4 every table fits the page's width.

Chromium is Debian's package (/usr/bin/chromium), driven by Playwright without a browser
download of its own; one browser serves every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from tests.reports.test_html_in_chromium import CHROMIUM_FLAGS

TENANTS = {
    "vaggeryd": ["--years", "2023-2030", "--against", "modell-2022"],
    "stockholm": ["--years", "2006-2008", "--against", "gammal-modell"],
    "ostersund": ["--year", "2013"],
}
A4_CONTENT = round((210 - 2 * 12) / 25.4 * 96)
"""The width in CSS pixels inside the report's A4 page margins (12 mm each side)."""

OVERFLOW = """() => {
  const doc = document.documentElement;
  const tables = [...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right);
  const boxes = [...document.querySelectorAll('.scroll, pre')].map(
    e => e.scrollWidth - e.clientWidth);
  return {page: doc.scrollWidth - doc.clientWidth, width: doc.clientWidth,
          widest: Math.max(0, ...tables), hidden: Math.max(0, ...boxes),
          tables: tables.length};
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The report and the documentation (HTML) of each tenant, made with the command line."""
    from click.testing import CliRunner

    from rfm.cli import build_cli

    tmp = tmp_path_factory.mktemp("pages")
    cli = build_cli()
    made = {}
    for tenant, args in TENANTS.items():
        report, docs = tmp / f"{tenant}-rapport.html", tmp / f"{tenant}-dokumentation.html"
        done = CliRunner().invoke(cli, ["report", tenant, *args, "--out", str(report)])
        assert done.exit_code == 0, done.output
        done = CliRunner().invoke(cli, ["docs", tenant, "--format", "html", "--out", str(docs)])
        assert done.exit_code == 0, done.output
        made[f"{tenant}-rapport"], made[f"{tenant}-dokumentation"] = report, docs
    return made


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is needed: .ci/run installs Debian's chromium"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def test_no_page_overflows_at_1400_or_420_px(pages, browser):
    for name, path in pages.items():
        for width in (1400, 420):
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(path.as_uri(), wait_until="load")
            found = page.evaluate(OVERFLOW)
            page.close()
            assert found["page"] <= 0, (name, width, found)
            if width == 1400:  # on a wide screen every table fits without its own scroll bar
                assert found["hidden"] <= 1, (name, width, found)


def test_printed_on_a4_every_table_fits_the_width(pages, browser, tmp_path):
    for name, path in pages.items():
        page = browser.new_page(viewport={"width": A4_CONTENT, "height": 1000})
        page.emulate_media(media="print")
        page.goto(path.as_uri(), wait_until="load")
        found = page.evaluate(OVERFLOW)
        assert found["tables"] > 0
        assert found["page"] <= 0 and found["widest"] <= A4_CONTENT + 1, (name, found)
        assert found["hidden"] <= 1, (name, found)  # nothing cut off inside a box either
        pdf = tmp_path / f"{name}.pdf"
        page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        page.close()
        reader = PdfReader(pdf)
        for p in reader.pages:
            width, height = (float(v) for v in p.mediabox[2:])
            assert (round(width), round(height)) in ((595, 842), (596, 843)), name
        if name == "vaggeryd-rapport":  # the 8-year table whole, 2030 included
            text = "".join(p.extract_text() or "" for p in reader.pages)
            assert "2030" in text and "Summa" in text
