"""``--excel``: CSV as Swedish Excel opens it with a double-click (issue 19, item 5).

Swedish Excel reads a CSV file by the list separator of the Swedish locale (``;``), takes a
comma as the decimal sign and needs a byte-order mark to read the file as UTF-8 (else å, ä, ö
come out as two characters each). The test reads the bytes rfm writes and checks all three,
with the figures worked out by hand: 25,15 kr × 650 = 16 347,50 kr (16 348 rounded to kronor),
and in the cheaper scenario 20,05 kr × 650 = 13 032,50 kr, Δ −3 315 kr.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

TENANT = """[tenant]
id = "ore"
[data.counts]
path = "antal.csv"
[[models]]
id = "insatser"
type = "price_tags"
recipient = "Vård; omsorg"
source = "KF 2024-01-01 § 1"
prices = { timmar = { 2024 = 25.15 } }
[scenarios.billigare]
description = "Lägre prislapp"
models = ["insatser"]
overrides = { "insatser.prices.timmar" = { unit = "kr/st", values = { 2024 = { value = 20.05, source = "Förslag" } } } }
"""
COUNTS = "area,year,category,count\nX,2024,timmar,650\n"
BOM = b"\xef\xbb\xbf"


def read_excel_csv(data: bytes) -> list[dict[str, str]]:
    """The rows as Swedish Excel would split them: after the BOM, UTF-8, fields by ``;``."""
    assert data.startswith(BOM), data[:8]
    text = data[len(BOM) :].decode("utf-8")  # strict: broken UTF-8 fails here
    assert "\ufeff" not in text  # one mark, at the start only
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def swedish_number(cell: str) -> Decimal:
    """A number as Swedish Excel reads it: decimal comma, no point, no thousands separator."""
    assert "." not in cell and " " not in cell, cell
    return Decimal(cell.replace(",", "."))


def test_run_writes_bom_semicolons_and_decimal_commas(rfm_cli, tenant_file, tmp_path):
    path = str(tenant_file(TENANT, {"antal.csv": COUNTS}))
    out = tmp_path / "rader.csv"
    done = rfm_cli("run", "--config", path, "--year", "2024", "--format", "csv", "--excel",
                   "--out", str(out))  # fmt: skip
    assert done.exit_code == 0, done.output
    data = out.read_bytes()
    header = data[len(BOM) :].split(b"\n", 1)[0].decode()
    assert header.split(";")[:4] == ["tenant", "model", "recipient", "year"]
    assert "," not in header  # the separator is ; alone
    (row,) = read_excel_csv(data)
    assert row["recipient"] == "Vård; omsorg"  # å intact, and the ; inside the name quoted
    assert '"Vård; omsorg"'.encode() in data
    assert swedish_number(row["volume"]) == 650
    assert row["rate"] == "25,15"
    assert swedish_number(row["rate"]) == Decimal("25.15")
    assert row["amount"] == "16347,5"  # the exact amount, 25,15 × 650
    assert swedish_number(row["amount"]) == Decimal("25.15") * 650
    assert row["amount_kr"] == "16348"  # half up from 16 347,5
    # Without --excel: the plain CSV for programs (no BOM, commas, decimal points).
    plain = tmp_path / "plain.csv"
    rfm_cli("run", "--config", path, "--year", "2024", "--format", "csv", "--out", str(plain))
    assert not plain.read_bytes().startswith(BOM)
    (plain_row,) = csv.DictReader(io.StringIO(plain.read_text(encoding="utf-8")))
    assert plain_row["amount"] == "16347.5" and plain_row["rate"] == "25.15"


def test_compare_writes_negative_differences_as_swedish_numbers(rfm_cli, tenant_file, tmp_path):
    path = str(tenant_file(TENANT, {"antal.csv": COUNTS}))
    out = tmp_path / "jamforelse.csv"
    done = rfm_cli("compare", "--config", path, "--scenario", "billigare", "--against",
                   "standard", "--year", "2024", "--format", "csv", "--excel", "--round", "tkr:1",
                   "--out", str(out))  # fmt: skip
    assert done.exit_code == 0, done.output
    (row,) = read_excel_csv(out.read_bytes())
    a, b = Decimal("20.05") * 650, Decimal("25.15") * 650
    assert swedish_number(row["a"]) == a == Decimal("13032.5")
    assert swedish_number(row["b"]) == b
    assert swedish_number(row["diff"]) == a - b == -3315
    assert row["diff"].startswith("-")  # a negative number, not text with an apostrophe
    assert abs(swedish_number(row["diff_share"]) - (a - b) / b) < Decimal("1e-12")
    # tkr:1, hand-rounded half up: 13,0325 → 13,0; 16,3475 → 16,3; Δ 13,0 − 16,3 = −3,3
    assert (row["a_tkr"], row["b_tkr"], row["diff_tkr"]) == ("13,0", "16,3", "-3,3")
