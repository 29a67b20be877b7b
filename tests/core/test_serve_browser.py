"""rfm serve in headless Chromium: the what-if page as a person uses it, checked against the CLI.

One real server (``rfm serve --config …`` on a free loopback port) serves the module; Chromium
is Debian's (/usr/bin/chromium) driven by Playwright, which downloads no browser of its own. Each
test opens its own browser context, so each is a visitor of its own (its own session).

What is checked, each against ``rfm run`` / ``rfm explain`` on a tenant file written by hand:
a changed rate gives the amounts ``rfm run`` gives with that override, to the öre; a drill-down
says what ``rfm explain`` says; a saved scenario reruns from the CLI to the same amounts; the
page works from the keyboard alone; a bad value is said beside its field and nothing typed is
lost; no page logs a console error.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.core.serve_helpers import (
    AREAS,
    CHROMIUM_FLAGS,
    HTML_AREA,
    aldreomsorg_by_hand,
    cli,
    cli_amounts,
    explain_lines,
    key_by_hand,
    normal,
    server,
    write_tenant,
)

HAND_OVERRIDE = """
[tenant]
id = "prov"
extends = "tenant.toml"

[scenarios.hand]
models = ["aldreomsorg", "overgang"]
[scenarios.hand.overrides."aldreomsorg.bands.90+"]
unit = "kr/invånare"
values = { 2025 = { value = 400000, source = "Förslag" } }
"""
"""The what-if of these tests, written by hand as a tenant file: 90+ at 400 000 kr from 2025."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    write_tenant(folder)
    (folder / "hand.toml").write_text(HAND_OVERRIDE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def url(folder) -> str:
    with server("--config", str(folder / "tenant.toml"), cwd=folder) as found:
        yield found


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium is needed: .ci/system_packages.py installs Debian's chromium"
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A page of a new visitor (its own cookies), failing the test on any console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.on(
        "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    yield opened
    context.close()
    assert errors == []


def amounts_on(page: Page) -> dict[tuple[str, str, int], dict[str, str]]:
    """Each row of the page's table: exact and shown amounts of A and B, and the A link."""
    rows = page.eval_on_selector_all(
        "#belopp tbody tr",
        """rows => rows.map(r => ({model: r.dataset.model, recipient: r.dataset.recipient,
            year: r.dataset.year, a: r.querySelector('td.a').dataset.exact,
            b: r.querySelector('td.b').dataset.exact, shown: r.querySelector('td.a').innerText,
            link: (r.querySelector('td.a a') || {}).href || ''}))""",
    )
    return {(r["model"], r["recipient"], int(r["year"])): r for r in rows}


def change(page: Page, parameter: str, first: str, value: str, last: str = "", mode: str = "set"):
    page.fill("#source", "Förslag")
    page.fill("#parameter", parameter)
    page.fill("#first", first)
    page.fill("#last", last)
    page.select_option("#mode", mode)
    page.fill("#value", value)
    with page.expect_navigation():
        page.click("#andring button[type=submit]")


def test_a_changed_rate_gives_the_amounts_of_rfm_run_with_that_override(url, folder, page):
    page.goto(url + "t/prov/vad-om")
    decided = amounts_on(page)
    change(page, "aldreomsorg.bands.90+", "2025", "400 000")
    shown = amounts_on(page)
    expected = cli_amounts("--config", str(folder / "hand.toml"), "--scenario", "hand")
    assert set(shown) == set(expected) and len(expected) == 12
    for key, amount in expected.items():
        assert Decimal(shown[key]["a"]) == amount, key
    # and by hand: only äldreomsorg in 2025 moved, by 40 (+5) inhabitants × (400 000 − 390 000)
    for area in AREAS:
        assert Decimal(shown[("aldreomsorg", area, 2025)]["a"]) == aldreomsorg_by_hand(
            area, 2025, rate_90=400000
        )
        assert Decimal(shown[("aldreomsorg", area, 2024)]["a"]) == aldreomsorg_by_hand(area, 2024)
        assert Decimal(shown[("aldreomsorg", area, 2025)]["b"]) == aldreomsorg_by_hand(area, 2025)
    assert {k: v["b"] for k, v in shown.items()} == {k: v["a"] for k, v in decided.items()}
    # the rounded figures are those rfm run prints for the override
    table = cli("run", "--config", str(folder / "hand.toml"), "--scenario", "hand")
    printed = {tuple(re.split(r"\s{2,}", line.strip())) for line in table.splitlines()}
    labels = {"aldreomsorg": "Äldreomsorg", "overgang": "IFO under övergången"}
    for (model, recipient, year), row in shown.items():
        assert (labels[model], recipient, str(year), normal(row["shown"])) in printed
    # the change is listed, with the years it covers
    assert "aldreomsorg.bands.90+ från 2025: = 400 000 kr/invånare" in normal(
        page.inner_text("ul.changes")
    )


def test_a_drill_down_says_what_rfm_explain_says(url, folder, page):
    page.goto(url + "t/prov/vad-om")
    change(page, "aldreomsorg.bands.90+", "2025", "400000")
    link = amounts_on(page)[("aldreomsorg", "Norr", 2025)]["link"]
    page.goto(link)
    on_page = page_explanation(page)
    text = cli(
        "explain", "--config", str(folder / "hand.toml"), "--scenario", "hand",
        "--model", "aldreomsorg", "--recipient", "Norr", "--year", "2025",
    )  # fmt: skip
    lines, rows = explain_lines(text)
    # every line the same but the scenario's name (the what-if is "vad-om" until saved)
    assert (
        lines[1] == "Scenario hand, fasta priser"
        and on_page[0][1] == "Scenario vad-om, fasta priser"
    )
    assert on_page[0][:1] + on_page[0][2:] == lines[:1] + lines[2:]
    assert on_page[1] == rows and len(rows) == 3
    assert "400 000 kr/invånare (Förslag, från 2025)" in [r[-1] for r in rows]


def test_a_blends_drill_down_follows_its_inputs_as_rfm_explain_does(url, folder, page):
    page.goto(url + "t/prov/vad-om")
    with page.expect_navigation():
        page.click("#belopp tr[data-model=overgang][data-recipient=Norr][data-year='2024'] td.b a")
    text = cli(
        "explain", "--config", str(folder / "tenant.toml"), "--model", "overgang",
        "--recipient", "Norr", "--year", "2024", "--scenario", "standard",
    )  # fmt: skip
    assert page_explanation(page) == explain_lines(text)
    assert "Indata: Ny nyckel (ny)" in page.inner_text("main")


def page_explanation(page: Page) -> tuple[list[str], list[list[str]]]:
    lines = [
        normal(t)
        for t in page.eval_on_selector_all(".explanation .line", "e => e.map(x => x.innerText)")
    ]
    rows = page.eval_on_selector_all(
        ".explanation table tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td')].map(c => c.innerText))",
    )
    return [line for line in lines if line], [[normal(c) for c in r] for r in rows]


def test_a_saved_scenario_reruns_from_the_cli_to_the_same_amounts(url, folder, page):
    page.goto(url + "t/prov/vad-om")
    change(page, "aldreomsorg.bands.90+", "2024", "3", last="2024", mode="percent")
    change(page, "ny.total", "2025", "-20 000 000", mode="add")
    shown = amounts_on(page)
    page.fill("#name", "hojd-90")
    page.fill("#description", "90+ höjs 3 % 2024, budgeten 20 mnkr lägre 2025")
    with page.expect_navigation():
        page.press("#description", "Enter")
    message = normal(page.inner_text("p.message"))
    saved = folder / "prov-hojd-90.toml"
    assert f"Sparat som scenario hojd-90 i {saved}" in message
    again = cli_amounts("--config", str(saved), "--scenario", "hojd-90")
    assert {k: Decimal(v["a"]) for k, v in shown.items()} == again
    # by hand: 90+ in 2024 at 381 100 × 1,03; 2025 as decided; the new key shares 80 mnkr in 2025
    assert again[("aldreomsorg", "Norr", 2024)] == aldreomsorg_by_hand(
        "Norr", 2024, rate_90=381100 * 1.03
    )
    assert again[("aldreomsorg", "Norr", 2025)] == aldreomsorg_by_hand("Norr", 2025)
    assert sum(v for k, v in again.items() if k[0] == "overgang" and k[2] == 2025) == 80_000_000
    # the saved scenario is one of the tenant's now, for every visitor
    page.goto(url + "t/prov")
    assert "hojd-90" in page.inner_text("#scenarier")


def test_the_page_works_by_keyboard_alone(url, page):
    page.goto(url + "t/prov/vad-om")
    for _ in range(40):  # Tab from the top of the page to the parameter field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "parameter":
            break
    assert page.evaluate("document.activeElement.id") == "parameter"
    page.keyboard.type("overgang.new_share")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "first"
    page.keyboard.press("Control+A")
    page.keyboard.type("2024")
    page.keyboard.press("Tab")
    page.keyboard.type("2024")
    page.keyboard.press("Tab")  # the mode: "nytt värde" as it is
    assert page.evaluate("document.activeElement.id") == "mode"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "value"
    page.keyboard.type("0,5")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    shown = amounts_on(page)
    half = key_by_hand(0.5)
    for area in AREAS:
        assert float(shown[("overgang", area, 2024)]["a"]) == pytest.approx(half[area], rel=1e-12)
        assert float(shown[("overgang", area, 2024)]["b"]) == pytest.approx(
            key_by_hand(0.7)[area], rel=1e-12
        )
    assert "overgang.new_share 2024–2024: = 0,5 andel" in normal(page.inner_text("ul.changes"))


def test_a_bad_value_is_said_beside_its_field_and_nothing_typed_is_lost(url, folder, page):
    page.goto(url + "t/prov/vad-om")
    page.fill("#parameter", "overgang.new_share")
    page.fill("#first", "2024")
    page.fill("#source", "Mitt förslag")
    page.fill("#value", "abc")
    with page.expect_navigation():
        page.press("#value", "Enter")
    assert page.inner_text("#value-fel") == "value: expected a number, found 'abc'"
    assert page.get_attribute("#value", "aria-invalid") == "true"
    assert page.input_value("#value") == "abc" and page.input_value("#source") == "Mitt förslag"
    assert page.input_value("#parameter") == "overgang.new_share"
    # a share above 1: the same message as the CLI gives for the same override
    page.fill("#source", "Förslag")
    page.fill("#value", "1,5")
    with page.expect_navigation():
        page.press("#value", "Enter")
    said = page.inner_text("#value-fel")
    bad = folder / "bad.toml"
    bad.write_text(
        HAND_OVERRIDE.replace("aldreomsorg.bands.90+", "overgang.new_share")
        .replace("kr/invånare", "andel")
        .replace("2025 = { value = 400000", "2024 = { value = 1.5"),
        encoding="utf-8",
    )
    from click.testing import CliRunner

    from rfm.cli import build_cli

    done = CliRunner().invoke(build_cli(), ["run", "--config", str(bad), "--scenario", "hand"])
    assert done.exit_code == 1
    said_by_cli = done.output.strip()
    # the same words after the file (the CLI names hand.toml, which extends tenant.toml)
    sentence = "the new model's share is 1.5 in 2024 (Förslag); a share lies in 0–1"
    assert sentence in said_by_cli
    assert said.startswith(str(folder / "tenant.toml") + ": model 'overgang': ")
    assert said[said.index(sentence) :] == said_by_cli[said_by_cli.index(sentence) :]
    assert page.input_value("#value") == "1,5"
    assert not page.query_selector("ul.changes")  # nothing was applied


def test_names_from_data_are_text(url, page):
    page.goto(url + "t/prov/vad-om")
    cells = page.eval_on_selector_all(
        "#belopp tbody td:nth-child(2)", "cells => cells.map(c => [c.innerText, c.children.length])"
    )
    assert [HTML_AREA, 0] in cells  # the characters, not a bold element
    page.goto(url + "t/prov")
    assert HTML_AREA in page.inner_text("main")
    assert page.query_selector("main b:text('&amp;')") is None
