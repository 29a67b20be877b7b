"""The HTML report opened in headless Chromium: no console error, no request leaving the file.

Chromium is Debian's package (/usr/bin/chromium; `.ci/run` installs it), driven by Playwright
without a browser download of its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_in_chromium(path: Path, screenshot: Path) -> tuple[list[str], list[str], dict[str, int]]:
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "Chromium is needed: .ci/run installs Debian's chromium"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        page.on(
            "console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri(), wait_until="load")
        counts = page.evaluate(
            "() => ({svg: document.querySelectorAll('svg').length,"
            " tables: document.querySelectorAll('table').length,"
            " bars: document.querySelectorAll('svg rect').length})"
        )
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return errors, requests, counts


@pytest.mark.parametrize(
    ("tenant", "args"),
    [
        ("stockholm", ["--years", "2006-2008", "--against", "gammal-modell"]),
        ("vaggeryd", ["--years", "2023-2030"]),
        ("ostersund", ["--year", "2013", "--lang", "en"]),
    ],
)
def test_the_report_opens_cleanly_in_chromium(rfm_cli, tmp_path, tenant, args):
    report = tmp_path / f"{tenant}.html"
    done = rfm_cli("report", tenant, *args, "--out", str(report))
    assert done.exit_code == 0, done.output
    errors, requests, counts = open_in_chromium(report, tmp_path / f"{tenant}.png")
    assert errors == []
    assert requests == [report.as_uri()]  # the file itself, nothing else
    # Vaggeryd: one line chart (one recipient per model); Stockholm: lines and two models' bars;
    # Östersund, one year: each model's units as bars.
    assert (
        counts["tables"] >= 2
        and counts["svg"] >= {"vaggeryd": 1, "stockholm": 3, "ostersund": 3}[tenant]
    )
    png = (tmp_path / f"{tenant}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
