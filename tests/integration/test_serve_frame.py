"""rfm serve's what-if page shows the frame build-up of the what-if (issue 22): the figures of
``rfm frame`` with the same changes written as overrides in a tenant file, and the steps the
changes move as worked out by hand.

Vaggeryd has a ``[frame]``: last year's frames per programområde, a pris- och lönekompensation
(``plk``, 4 % for 2023) and the models mapped to programområden. The what-if raises the PLK to
5 % and the hemtjänst rate for 80–89-year-olds from 70 000 to 72 000 kr a year from 2023. By
hand: each programområde's pris- och lönekompensation is its Ram 2022 × 5 %, and 771
Äldreomsorg's förändrat ersättningsbelopp is 2 000 kr × the 80–89-year-olds of 2023 (the
volume ``rfm run`` reads), where the decided scenario has none.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import httpx

from tests.core.serve_helpers import cli, server
from tests.html_reading import parse, table_rows
from tests.rounding_rule import in_steps, text_tables

OVERRIDES = """[tenant]
id = "vaggeryd-vadom"
extends = "vaggeryd"

[overrides."plk"]
unit = "andel"
values = { 2023 = { value = 0.05, source = "Prov: högre PLK" } }

[overrides."aldreomsorg_ordinart_boende.bands.80-89"]
unit = "kr/invånare"
values = { 2023 = { value = 72000, source = "Prov: högre ersättning 80–89" } }
"""
HEADERS = ["Programområde", "Ram 2022", "Volymkompensation", "Förändrat ersättningsbelopp",
           "Pris- och lönekompensation", "Beviljade tilläggsäskanden", "Besparingar", "Ram 2023"]  # fmt: skip


def frame_table(page: str, year: int) -> tuple[list[str], list[list[str]]]:
    """The what-if page's build-up of ``year``: its headers and rows."""
    root = parse(page)
    tables = [
        t
        for t in root.all("table")
        if any(c.text().startswith(f"Ramberäkning {year} ") for c in t.all("caption"))
    ]
    assert len(tables) == 1, "one build-up table for the year"
    (table,) = tables
    return [th.text() for th in table.all("th")], table_rows(table)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found.group(1)


def change(c: httpx.Client, token: str, key: str, value: str) -> str:
    answer = c.post(
        "/t/vaggeryd/vad-om",
        data={"csrf": token, "action": "change", "parameter": key, "first": "2023", "last": "",
              "mode": "set", "value": value, "source": "Prov"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text[:500]
    return answer.text


def test_the_whatif_frame_is_rfm_frame_with_the_same_overrides(tmp_path):
    (tmp_path / "vadom.toml").write_text(OVERRIDES, encoding="utf-8")
    with (
        server("vaggeryd", "--years", "2023", cwd=tmp_path) as url,
        httpx.Client(base_url=url, timeout=120, follow_redirects=True) as c,
    ):
        page = c.get("/t/vaggeryd/vad-om").text
        decided_head, decided = frame_table(page, 2023)
        token = csrf(page)
        change(c, token, "plk", "0.05")
        page = change(c, token, "aldreomsorg_ordinart_boende.bands.80-89", "72000")
        head, rows = frame_table(page, 2023)

    assert head == decided_head == HEADERS
    # rfm frame with the same changes as a tenant file's overrides
    (cli_head, cli_rows), *_ = text_tables(
        cli("frame", "--config", str(tmp_path / "vadom.toml"), "--year", "2023")
    )
    assert cli_head == HEADERS
    assert [[r[0], *(in_steps(c, "kr") for c in r[1:])] for r in rows] == [
        [r[0], *(in_steps(c, "kr") for c in r[1:])] for r in cli_rows
    ]
    # and the decided page is plain rfm frame
    (_, plain), *_ = text_tables(cli("frame", "vaggeryd", "--year", "2023"))
    assert [[in_steps(c, "kr") for c in r[1:]] for r in decided] == [
        [in_steps(c, "kr") for c in r[1:]] for r in plain
    ]

    # by hand: PLK 5 % of Ram 2022, and 2 000 kr × the 80–89-year-olds in 771's rate change
    by_program = {r[0]: [in_steps(c, "kr") for c in r[1:]] for r in rows}
    before = {r[0]: [in_steps(c, "kr") for c in r[1:]] for r in decided}
    for program, figures in by_program.items():
        if program == "Summa":
            continue
        assert figures[3] * 100 == figures[0] * 5, program
        assert before[program][3] * 100 == figures[0] * 4, program
    lineage = csv.DictReader(io.StringIO(cli("run", "vaggeryd", "--year", "2023",
                                             "--format", "csv")))  # fmt: skip
    (volume,) = [
        Decimal(r["volume"]) for r in lineage
        if r["model"] == "aldreomsorg_ordinart_boende" and r["component"] == "80-89"
    ]  # fmt: skip
    assert volume > 100
    assert before["771 Äldreomsorg"][2] == 0
    assert by_program["771 Äldreomsorg"][2] == 2000 * volume
    for program, figures in by_program.items():  # every row adds up to its frame
        assert sum(figures[:5]) - figures[5] == figures[6], program
    assert by_program["Summa"] == [sum(col) for col in zip(*(
        f for p, f in by_program.items() if p != "Summa"), strict=True)]  # fmt: skip
