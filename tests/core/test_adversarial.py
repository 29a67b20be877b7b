"""Bad input of every kind rfm reads: each ends in one clear error, exit code 1, no traceback,
and no output file touched. The table below is also the source of docs/reliability.md
(`RFM_WRITE_RELIABILITY=1 pytest tests/core/test_adversarial.py` rewrites it; a test checks it
is current).

Kolada responses (500, 429, timeouts, cut JSON, paging loops, unknown KPIs) are in
tests/kolada/test_client.py; the run archive's corrupt and foreign files in
tests/core/test_archive.py; both are listed in the document too.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"

GOOD_TOML = """[tenant]
id = "prov"
[data.population]
path = "pop.csv"
[[models]]
id = "aldreomsorg"
type = "age_bands"
recipient = "Äldreomsorg"
source = "KF 2023-06-12 § 45"
bands = { "65-79" = { 2024 = 21900 }, "80+" = { 2024 = 137300 } }
"""
GOOD_POP = "area,year,age,count\n9999,2024,65-79,100\n9999,2024,80+,60\n"
XLSX_MAGIC = b"PK\x03\x04"


@attrs.frozen
class Case:
    """One class of bad input: the files of a tenant folder and what the user must be told."""

    group: str
    name: str
    files: dict[str, str | bytes]
    expected: str  # a regular expression the message must match
    toml: str = GOOD_TOML
    args: tuple[str, ...] = ("--year", "2024")


def pop(text: str) -> dict[str, str | bytes]:
    return {"pop.csv": text}


def toml_with(old: str, new: str) -> str:
    assert old in GOOD_TOML
    return GOOD_TOML.replace(old, new)


# -- numbers nobody decided (issue "No silent numbers"): each is an error now, never an amount --
MEAN_TOML = toml_with(
    'recipient = "Äldreomsorg"',
    'recipient = "Äldreomsorg"\npopulation_reference = "mean_of_year_ends"',
)
MAPPED_TOML = (
    GOOD_TOML.replace('recipient = "Äldreomsorg"\n', "")
    + '[data.stadsdelar]\npath = "stadsdelar.csv"\nschema = "area_mapping"\n'
)
KEY_TOML = """[tenant]
id = "nyckel"
[data.need]
path = "need.csv"
[parameters]
"budget" = { unit = "kr", values = { 2024 = { value = 1000000, source = "KF" } } }
[[models]]
id = "nyckel"
type = "distribution_key"
total = "budget"
points_column = "poang"
source = "KF"
"""
LIMIT_TOML = (
    KEY_TOML
    + '[data.ram]\npath = "ram.csv"\nschema = "allocation"\n'
    + '[[models]]\nid = "tak"\ntype = "change_limit"\nmodel = "nyckel"\nprevious = "ram"\n'
    + 'source = "KF"\nmax_increase = { 2024 = 0.05 }\nmax_decrease = { 2024 = 0.05 }\n'
)
COUNTS_TOML = """[tenant]
id = "lss"
[[models]]
id = "lss"
type = "price_tags"
recipient = "Socialnämnden"
source = "SCB 2018"
prices = { bostad = { 2018 = 1000000 } }
counts = { bostad = { 2018 = 12 } }
"""
NEED = "area,year,poang\nA,2024,10\nB,2024,30\n"
PER_CAPITA_TOML = """[tenant]
id = "ifo"
[data.population]
path = "pop.csv"
[[models]]
id = "ifo"
type = "per_capita_standard_cost"
ages = "65+"
source = "KF"
standard_cost = { 2024 = 5600 }
"""
TAGS_TOML = """[tenant]
id = "lss"
[data.counts]
path = "antal.csv"
[[models]]
id = "lss"
type = "price_tags"
source = "KF"
prices = { bostad = { 2024 = 1000000 }, daglig = { 2024 = 200000 } }
"""
TAGS = (
    "area,year,category,count\nA,2024,bostad,3\nA,2024,daglig,5\nB,2024,bostad,1\nB,2024,daglig,2\n"
)


def workbook_with_last_count(kind: str) -> bytes:
    """GOOD_POP as a workbook whose last count is odd in one way:

    * ``formula``: the formula =40+20 (cached value 0, as programs write);
    * ``text``: the text '1.234', as pasted from a web page. Excel keeps it as text: is it
      1 234 or 1,234? (Text without a point or comma, '60', is read: it means one number.)
    """
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Befolkning")
    sheet.write_row(0, 0, ["area", "year", "age", "count"])
    sheet.write_row(1, 0, ["9999", 2024, "65-79", 100])
    sheet.write_row(2, 0, ["9999", 2024, "80+"])
    if kind == "formula":
        sheet.write_formula(2, 3, "=40+20")
    else:
        sheet.write_string(2, 3, "1.234")
    book.close()
    return buffer.getvalue()


BLEND_TOML = (
    GOOD_TOML
    + '[[models]]\nid = "ny"\ntype = "age_bands"\nrecipient = "Äldreomsorg"\nsource = "KF"\n'
    + 'bands = { "65-79" = { 2024 = 20000 }, "80+" = { 2024 = 140000 } }\n'
    + '[[models]]\nid = "bl"\ntype = "blend"\nold = "aldreomsorg"\nnew = "ny"\nsource = "KF"\n'
    + "new_share = { 2024 = 0.3 }\n"
)


SILENT_NUMBERS = [
    Case(
        "No silent numbers",
        "mean of two year-ends: a band only at the second",
        pop("area,year,age,count\n9999,2023,65-79,100\n9999,2024,65-79,100\n9999,2024,80+,60\n"),
        r"gives no volume for 1 cell:.*area '9999', data year 2023 \(budget year 2024\), "
        r"component '80\+'",
        MEAN_TOML,
    ),
    Case(
        "No silent numbers",
        "mean of two year-ends: an area renamed between them",
        pop(
            "area,year,age,count\nGamla,2023,65-79,100\nGamla,2023,80+,60\n"
            "Nya,2024,65-79,100\nNya,2024,80+,60\n"
        ),
        r"gives no volume for 4 cells:.*area 'Gamla', data year 2024",
        MEAN_TOML,
    ),
    Case(
        "No silent numbers",
        "an area missing from one data year",
        pop(
            "area,year,age,count\nA,2024,65-79,100\nA,2024,80+,60\nB,2024,65-79,10\nB,2024,80+,6\n"
            "A,2025,65-79,100\nA,2025,80+,60\n"
        ),
        r"gives no volume for 2 cells:.*area 'B', data year 2025",
        toml_with('recipient = "Äldreomsorg"\n', "").replace("2024 = 21900", "2024 = 21900"),
        ("--years", "2024-2025"),
    ),
    Case(
        "No silent numbers",
        "an age missing inside a band",
        pop("area,year,age,count\n9999,2024,65-78,100\n9999,2024,80+,60\n"),
        r"component '65-79': ages 79 missing",
    ),
    Case(
        "No silent numbers",
        "a key's area missing from one data year",
        {"need.csv": NEED + "A,2025,10\n"},
        r"gives no volume for 1 cell:.*area 'B', data year 2025",
        KEY_TOML.replace("2024 = { value", "2024 = { value"),
        ("--years", "2024-2025"),
    ),
    Case(
        "No silent numbers",
        "a per-capita model's area missing from one data year",
        pop(
            "area,year,age,count\nA,2024,65-79,100\nA,2024,80+,60\nB,2024,65-79,10\nB,2024,80+,6\n"
            "A,2025,65-79,100\nA,2025,80+,60\n"
        ),
        r"gives no volume for 1 cell:.*area 'B', data year 2025 \(budget year 2025\)",
        PER_CAPITA_TOML,
        ("--years", "2024-2025"),
    ),
    Case(
        "No silent numbers",
        "a price-tag model's area missing from one data year",
        {"antal.csv": TAGS + "A,2025,bostad,3\nA,2025,daglig,5\n"},
        r"gives no volume for 2 cells:.*area 'B', data year 2025 \(budget year 2025\), "
        r"component 'bostad'.*area 'B', data year 2025 \(budget year 2025\), component 'daglig'",
        TAGS_TOML,
        ("--years", "2024-2025"),
    ),
    Case(
        "No silent numbers",
        "a price-tag model's category missing for one area in one data year",
        {"antal.csv": TAGS + "A,2025,bostad,3\nB,2025,bostad,1\nB,2025,daglig,2\n"},
        r"gives no volume for 1 cell:.*area 'A', data year 2025 \(budget year 2025\), "
        r"component 'daglig'",
        TAGS_TOML,
        ("--years", "2024-2025"),
    ),
    Case(
        "No silent numbers",
        "a change limit without last year's allocation for a recipient",
        {"need.csv": NEED, "ram.csv": "recipient,year,amount\nA,2023,300000\n"},
        r"no allocation for 2023 in dataset 'ram' for 'B'",
        LIMIT_TOML,
    ),
    Case(
        "No silent numbers",
        "a change limit whose previous allocation spells a recipient differently",
        {
            "need.csv": NEED,
            "ram.csv": "recipient,year,amount\nA,2023,300000\nb,2023,700000\n",
        },
        r"names 'b' for 2023, which model 'nyckel' does not pay",
        LIMIT_TOML,
    ),
    Case(
        "No silent numbers",
        "overlapping age rows (65-79, 65 and 70)",
        pop(GOOD_POP + "9999,2024,65,10\n9999,2024,70,10\n"),
        r"pop\.csv, row 4, column 'age'.*ages 65 are also counted in row 2 \('65-79'\)",
    ),
    Case(
        "No silent numbers",
        "an open group counted three times (90+, 95, 90 eller äldre)",
        pop(
            "area,year,age,count\n9999,2024,65-79,100\n9999,2024,80-89,50\n9999,2024,90+,10\n"
            "9999,2024,95,3\n9999,2024,90 eller äldre,10\n"
        ),
        r"row 5, column 'age'.*ages 95 are also counted in row 6.*row 6, column 'age'.*repeats "
        r"row 4 \('90\+'",
    ),
    Case(
        "No silent numbers",
        "the same age written 065 and 65",
        pop("area,year,age,count\n9999,2024,065-79,100\n9999,2024,65-79,100\n9999,2024,80+,6\n"),
        r"row 3, column 'age'.*this row repeats row 2",
    ),
    Case(
        "No silent numbers",
        "totals beside rows by sex",
        pop(
            "area,year,age,sex,count\n9999,2024,65-79,totalt,100\n9999,2024,65-79,m,50\n"
            "9999,2024,80+,k,60\n"
        ),
        r"row 2, column 'sex'.*one way of counting",
    ),
    Case(
        "No silent numbers",
        "a file that is UTF-8 in one row and Windows-1252 in another",
        pop(
            "area,year,age,count\nSödermalm,2024,65-79,100\n".encode()
            + "Södermalm,2024,80+,60\n".encode("cp1252")
        ),
        r"pop\.csv: mixes two encodings: row 2 is UTF-8 and row 3 is not",
    ),
    Case(
        "No silent numbers",
        "a control character inside a name",
        pop("area,year,age,count\n99\x1b[31m99,2024,65-79,100\n9999,2024,80+,60\n"),
        r"pop\.csv, row 2, column 'area'.*without control characters",
    ),
    Case(
        "No silent numbers",
        "exclude_areas names an area the data does not have",
        pop(GOOD_POP),
        r"exclude_areas: 'Enhet för hemlösa' is no area of dataset 'population'",
        toml_with(
            'recipient = "Äldreomsorg"',
            'recipient = "Äldreomsorg"\nexclude_areas = ["Enhet för hemlösa"]',
        ),
    ),
    Case(
        "No silent numbers",
        "a point in a file with decimal commas (1.234)",
        pop("area;year;age;count\n9999;2024;65-79;1.234\n9999;2024;80+;60\n"),
        r"pop\.csv, row 2, column 'count': found '1\.234'.*ambiguous",
    ),
    Case(
        "No silent numbers",
        "[prices] base_year 2202",
        pop(GOOD_POP),
        r"\[prices\]\.base_year: expected a year 1900–2200",
        GOOD_TOML + '[prices]\nbase_year = 2202\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "index", values = { 2022 = { value = 100, source = "SKR" } } }\n',
    ),
    Case(
        "No silent numbers",
        "[prices] base_year 20222",
        pop(GOOD_POP),
        r"\[prices\]\.base_year: expected a year 1900–2200 .*found 20222",
        GOOD_TOML + '[prices]\nbase_year = 20222\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "index", values = { 2022 = { value = 100, source = "SKR" } } }\n',
    ),
    Case(
        "No silent numbers",
        "[prices] base_year 2022.5",
        pop(GOOD_POP),
        r"\[prices\]\.base_year: expected a year 1900–2200 written as a whole number .*found "
        r"2022\.5",
        GOOD_TOML + '[prices]\nbase_year = 2022.5\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "index", values = { 2022 = { value = 100, source = "SKR" } } }\n',
    ),
    Case(
        "No silent numbers",
        '[prices] base_year "2022" (text)',
        pop(GOOD_POP),
        r"\[prices\]\.base_year: expected a year.*'2022'",
        GOOD_TOML + '[prices]\nbase_year = "2022"\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "index", values = { 2022 = { value = 100, source = "SKR" } } }\n',
    ),
    Case(
        "No silent numbers",
        "[prices] a yearly change of −100 %",
        pop(GOOD_POP),
        r"\[prices\]\.index:.*a yearly change must be above −1",
        GOOD_TOML + '[prices]\nbase_year = 2022\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "förändring", values = { 2023 = { value = -1.0, source = "SKR" } } }\n',
    ),
    Case(
        "No silent numbers",
        "[prices] a negative index level",
        pop(GOOD_POP),
        r"\[prices\]\.index:.*an index level must be above 0",
        GOOD_TOML + '[prices]\nbase_year = 2022\nindex = "pkv"\n[parameters]\n'
        '"pkv" = { unit = "index", values = { 2022 = { value = 100, source = "SKR" }, '
        '2024 = { value = -5, source = "SKR" } } }\n',
    ),
    Case(
        "No silent numbers",
        "a formula cell in an Excel data sheet",
        {"pop.xlsx": workbook_with_last_count("formula")},
        r"pop\.xlsx, row 3, column 'count': found '=40\+20'; expected a value, not a formula",
        toml_with('path = "pop.csv"', 'path = "pop.xlsx"'),
    ),
    Case(
        "No silent numbers",
        "counts given for one year paid again the next",
        {},
        r"model 'lss': a count is a fact of its year.*bostad 2019: given for 2018",
        COUNTS_TOML,
        ("--year", "2019"),
    ),
    Case(
        "No silent numbers",
        "a kommunkod that is another kommun's than the name says",
        pop(GOOD_POP),
        r"kommunkod: 1267 is Höör, but the tenant's name 'Sjöbo kommun' names Sjöbo",
        toml_with('id = "prov"', 'id = "prov"\nname = "Sjöbo kommun"\nkommunkod = "1267"'),
    ),
    Case(
        "No silent numbers",
        "a kommunkod of no kommun",
        pop(GOOD_POP),
        r"kommunkod: '9999' is not the code of any of Sweden's 290 kommuner",
        toml_with('id = "prov"', 'id = "prov"\nkommunkod = "9999"'),
    ),
    Case(
        "No silent numbers",
        "extends takes another kommun's own figures",
        {},
        r"extends 'exempel' \(1265\) for kommunkod 0665, but would take 'exempel''s own figures: "
        r"data\.population",
        '[tenant]\nid = "vaggeryd-kopia"\nname = "Vaggeryd"\nkommunkod = "0665"\n'
        'extends = "exempel"\n',
    ),
    Case(
        "No silent numbers",
        "spaces that do not group thousands (12 5)",
        pop("area,year,age,count\n9999,2024,65-79,12 5\n9999,2024,80+,60\n"),
        r"pop\.csv, row 2, column 'count': found '12 5'; expected a number",
    ),
    Case(
        "No silent numbers",
        'a decimal comma in a comma-separated file ("1234,5")',
        pop('area,year,age,count\n9999,2024,65-79,"1234,5"\n9999,2024,80+,60\n'),
        r"row 2, column 'count': found '1234,5'.*declare decimal_comma = true",
    ),
    Case(
        "No silent numbers",
        "a number stored as text in an Excel sheet",
        {"pop.xlsx": workbook_with_last_count("text")},
        r"pop\.xlsx, row 3, column 'count': found '1\.234'; expected a number stored as a number",
        toml_with('path = "pop.csv"', 'path = "pop.xlsx"'),
    ),
    Case(
        "No silent numbers",
        "a negative count given inline",
        {},
        r"model 'lss': the count of 'bostad' in 2018 is -12(\.0)?; a count is 0 or more",
        COUNTS_TOML.replace("2018 = 12", "2018 = -12"),
        ("--year", "2018"),
    ),
    Case(
        "No silent numbers",
        "a blend whose share a scenario sets to 1.5",
        pop(GOOD_POP),
        r"model 'bl': the new model's share is 1\.5 in 2024.*a share lies in 0–1",
        BLEND_TOML + '[scenarios.hog]\noverrides = { "bl.new_share" = { unit = "andel", values = '
        '{ 2024 = { value = 1.5, source = "test" } } } }\n',
        ("--year", "2024", "--scenario", "hog"),
    ),
    Case(
        "No silent numbers",
        "a blend whose new model does not pay a recipient the old one pays",
        pop(GOOD_POP.replace("9999", "A") + "B,2024,65-79,10\nB,2024,80+,6\n"),
        r"model 'bl': a blend weighs.*'B' in 2024: no amount from ny",
        BLEND_TOML.replace('recipient = "Äldreomsorg"\n', "").replace(
            'id = "ny"\n', 'id = "ny"\nexclude_areas = ["B"]\n'
        ),
    ),
    Case(
        "No silent numbers",
        "a tenant file without models",
        pop(GOOD_POP),
        r"no \[\[models\]\]; a tenant file needs at least one model",
        GOOD_TOML.split("[[models]]")[0],
    ),
    Case(
        "No silent numbers",
        "a scenario that runs no model",
        pop(GOOD_POP),
        r"\[scenarios\.tom\]\.models: an empty list runs nothing",
        GOOD_TOML + "[scenarios.tom]\nmodels = []\n",
    ),
]


# -- rate tables (issue "Rate tables"): each mistake in a price list is one clear error --------
RATE_TOML = """[tenant]
id = "taxa"
[data.dygn]
path = "dygn.csv"
schema = "volumes"
[data.enheter]
path = "enheter.csv"
schema = "register"
[rates.grundpeng]
dimensions = ["boende", "regi"]
unit = "kr/dygn"
source = "KF 2024"
rows = [
  { boende = "grupp", regi = "kommunal", from_year = 2024, rate = 763 },
  { boende = "service", regi = "kommunal", from_year = 2024, rate = 587 },
]
[[rates.grundpeng.derive]]
set = { regi = "enskild" }
from = { regi = "kommunal" }
factor = 1.025
round = 0
source = "KF: enskild regi + 2,5 %"
[[models]]
id = "lss"
type = "rate_table"
dataset = "dygn"
recipient_column = "enhet"
volume_unit = "dygn"
rates = "grundpeng"
dimensions_from = { regi = { dataset = "enheter", key = "enhet" } }
source = "KF"
"""
RATE_FILES: dict[str, str | bytes] = {
    "dygn.csv": "enhet,year,boende,volume\nBjörken,2024,grupp,365\nEken,2024,service,730\n",
    "enheter.csv": "enhet,regi\nBjörken,kommunal\nEken,enskild\n",
}
CORRECTED_TOML = """[tenant]
id = "ytor"
[data.ytor]
path = "ytor.csv"
schema = "volumes"
[data.korr]
path = "korr.csv"
schema = "corrections"
[rates.skotsel]
dimensions = ["yta"]
unit = "kr/m²"
source = "KF"
rows = [{ yta = "park", from_year = 2024, rate = 20 }]
[[models]]
id = "park"
type = "rate_table"
dataset = "ytor"
recipient_column = "omrade"
rates = "skotsel"
corrections = "korr"
source = "KF"
"""
CLASSIFIED_TOML = """[tenant]
id = "bas"
[data.timmar]
path = "timmar.csv"
schema = "volumes"
numbers = ["timmar"]
[classifications.niva]
boundary = "lower"
source = "Nämndens beslut"
levels = { 2024 = { "1" = [0, 25], "2" = [25, 200] } }
[rates.hemtjanst]
dimensions = ["niva"]
unit = "kr/månad"
source = "Nämndens beslut"
rows = [{ niva = "1", from_year = 2024, rate = 5000 }, { niva = "2", from_year = 2024, rate = 12000 }]
[[models]]
id = "hemtjanst"
type = "rate_table"
dataset = "timmar"
recipient_column = "enhet"
rates = "hemtjanst"
classify = { niva = { classification = "niva", column = "timmar" } }
source = "KF"
"""
TIMMAR = "enhet,year,timmar,volume\nA,2024,25,1\n"


def rate_toml(old: str, new: str) -> str:
    assert old in RATE_TOML
    return RATE_TOML.replace(old, new)


def rate_workbook() -> bytes:
    """A rate table sheet whose last rate is the text '99,5', as pasted from a web page."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Taxa")
    sheet.write_row(0, 0, ["boende", "regi", "from_year", "rate"])
    sheet.write_row(1, 0, ["grupp", "kommunal", 2024, 763])
    sheet.write_row(2, 0, ["service", "kommunal", 2024])
    sheet.write_string(2, 3, "99,5")
    book.close()
    return buffer.getvalue()


RATE_TABLES = [
    Case(
        "Rate tables",
        "a combination without a rate",
        {**RATE_FILES, "dygn.csv": RATE_FILES["dygn.csv"] + "Björken,2024,punkt,10\n"},
        r"model 'lss': 1 combination\(s\) of dataset 'dygn' have no rate in 'grundpeng':.*"
        r"no rate for grundpeng\[punkt, kommunal\]",
        RATE_TOML,
    ),
    Case(
        "Rate tables",
        "a dimension value spelt with another case (Grupp)",
        {
            **RATE_FILES,
            "dygn.csv": RATE_FILES["dygn.csv"].replace("Björken,2024,grupp", "Björken,2024,Grupp"),
        },
        r"no rate for grundpeng\[Grupp, kommunal\] \(the table has 2 combinations and "
        r"derivations; it has grundpeng\[grupp, kommunal\]: the case differs\)",
        RATE_TOML,
    ),
    Case(
        "Rate tables",
        "classification levels with a gap between them",
        {"timmar.csv": TIMMAR},
        r"\[classifications\.niva\]: levels must touch end to end in increasing order; '1' ends "
        r"at 25 and '2' starts at 26",
        CLASSIFIED_TOML.replace('"2" = [25, 200]', '"2" = [26, 200]'),
    ),
    Case(
        "Rate tables",
        "overlapping classification levels",
        {"timmar.csv": TIMMAR},
        r"levels must touch end to end in increasing order; '1' ends at 25 and '2' starts at 20",
        CLASSIFIED_TOML.replace('"2" = [25, 200]', '"2" = [20, 200]'),
    ),
    Case(
        "Rate tables",
        "a value outside every level",
        {"timmar.csv": TIMMAR.replace(",25,", ",250,")},
        r"dataset 'timmar' has timmar = 250\.0, outside every level of 'niva' \(1: \[0, 25\]; "
        r"2: \(25, 200\]\)",
        CLASSIFIED_TOML,
    ),
    Case(
        "Rate tables",
        "a derived rate whose base starts after the budget year",
        RATE_FILES,
        r"grundpeng\[service, enskild\] is derived from grundpeng\[service, kommunal\] \(KF: "
        r"enskild regi \+ 2,5 %\): parameter 'grundpeng\[service, kommunal\]' has no value for 2024",
        rate_toml(
            '"service", regi = "kommunal", from_year = 2024',
            '"service", regi = "kommunal", from_year = 2025',
        ),
    ),
    Case(
        "Rate tables",
        "derivations that go round in a circle",
        RATE_FILES,
        r"the derivations go round in a circle: grundpeng\[service, enskild\] ← "
        r"grundpeng\[service, privat\] ← grundpeng\[service, enskild\]",
        rate_toml('from = { regi = "kommunal" }', 'from = { regi = "privat" }')
        + '[[rates.grundpeng.derive]]\nset = { regi = "privat" }\nfrom = { regi = "enskild" }\n'
        + "factor = 1.0\n",
    ),
    Case(
        "Rate tables",
        "the same combination and year twice",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.rows\[3\]: grundpeng\[grupp, kommunal\] from 2024 is also given "
        r"in rows\[1\]; one rate per combination and year",
        rate_toml(
            "rate = 587 },\n",
            'rate = 587 },\n  { boende = "grupp ", regi = "kommunal", from_year = 2024, rate = 800 },\n',
        ),
    ),
    Case(
        "Rate tables",
        "a combination with rows of its own that a rule also derives",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.derive\[1\]: grundpeng\[grupp, enskild\] has rows of its own "
        r"and this rule derives it too \(KF: enskild regi \+ 2,5 %\); give one",
        rate_toml(
            "rate = 587 },\n",
            'rate = 587 },\n  { boende = "grupp", regi = "enskild", from_year = 2024, rate = 790 },\n',
        ),
    ),
    Case(
        "Rate tables",
        "a rule written below a more general one (never applies)",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.derive\[2\] never applies: derive\[1\] comes first and matches "
        r"every combination it does",
        RATE_TOML
        + '[[rates.grundpeng.derive]]\nset = { regi = "enskild", boende = "grupp" }\n'
        + 'from = { regi = "kommunal", boende = "grupp" }\nfactor = 1.05\n',
    ),
    Case(
        "Rate tables",
        "a rate table named twice in one model (paid twice)",
        RATE_FILES,
        r"model 'lss'\.rates: 'grundpeng' named twice; each table pays once",
        rate_toml('rates = "grundpeng"', 'rates = ["grundpeng", "grundpeng"]'),
    ),
    Case(
        "Rate tables",
        "one rate pricing rows in two units (timmar and st)",
        {
            **RATE_FILES,
            "dygn.csv": "enhet,year,boende,volume,unit\nBjörken,2024,grupp,365,dygn\n"
            "Björken,2024,grupp,12,st\nEken,2024,service,730,dygn\n",
        },
        r"model 'lss': the rows priced by grundpeng\[grupp, kommunal\] are in 'dygn' and 'st'; "
        r"one rate is per one unit",
        RATE_TOML,
    ),
    Case(
        "Rate tables",
        "two combinations that read alike (a value holding ', ')",
        RATE_FILES,
        r"\[rates\.grundpeng\]: the combinations \('grupp, x', 'kommunal'\) and \('grupp', "
        r"'x, kommunal'\) both read grundpeng\[grupp, x, kommunal\]",
        rate_toml(
            "rate = 587 },\n",
            'rate = 587 },\n  { boende = "grupp, x", regi = "kommunal", from_year = 2024, rate = 1 },'
            '\n  { boende = "grupp", regi = "x, kommunal", from_year = 2024, rate = 2 },\n',
        ),
    ),
    Case(
        "Rate tables",
        "a dimension named year",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.dimensions: 'year' is a column rfm reads for itself",
        rate_toml('dimensions = ["boende", "regi"]', 'dimensions = ["boende", "regi", "year"]'),
    ),
    Case(
        "Rate tables",
        "a rate in 'kronor per dygn' (not uprated at current prices)",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.unit: a rate is kronor per volume unit, written kr/dygn.*"
        r"found 'kronor per dygn'",
        rate_toml('unit = "kr/dygn"', 'unit = "kronor per dygn"'),
    ),
    Case(
        "Rate tables",
        "a derivation factor below zero",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.derive\[1\]\.factor: a share or an uplift is above 0",
        rate_toml("factor = 1.025", "factor = -1.025"),
    ),
    Case(
        "Rate tables",
        "a rate table with its own index falling by 100 %",
        RATE_FILES,
        r"\[rates\.grundpeng\]\.index:.*a yearly change must be above −1",
        rate_toml('unit = "kr/dygn"', 'unit = "kr/dygn"\nindex = "opi"')
        + '[parameters]\n"opi" = { unit = "förändring", values = { 2025 = { value = -1.0, '
        'source = "SKR" } } }\n',
    ),
    Case(
        "Rate tables",
        "a number kept as text ('99,5') in an xlsx rate table",
        {**RATE_FILES, "taxa.xlsx": rate_workbook()},
        r"taxa\.xlsx: values of the wrong kind \(1 problem\):.*row 3, column 'rate': found "
        r"'99,5'; expected a number stored as a number",
        rate_toml(
            RATE_TOML[RATE_TOML.index("rows = [") : RATE_TOML.index("[[rates.grundpeng.derive]]")],
            'path = "taxa.xlsx"\n',
        ),
    ),
    Case(
        "Rate tables",
        "a correction naming a unit the volumes do not have",
        {
            "ytor.csv": "omrade,year,yta,volume\nSöder,2024,park,1000\n",
            "korr.csv": "omrade,year,yta,volume,source\nSödr,2024,park,-600,KF § 12\n",
        },
        r"model 'park': dataset 'korr' corrects omrade 'Södr', which dataset 'ytor' does not "
        r"name \(it names Söder\)",
        CORRECTED_TOML,
    ),
    Case(
        "Rate tables",
        "a level classified into a column the data already have",
        {"timmar.csv": "enhet,year,timmar,niva,volume\nA,2024,25,2,1\n"},
        r"classify\.niva: dataset 'timmar' already has a column 'niva'",
        CLASSIFIED_TOML,
    ),
    Case(
        "Scenarios and extends",
        "thresholds of a base tenant file redefined by the file extending it",
        {"bas.toml": CLASSIFIED_TOML, "timmar.csv": TIMMAR},
        r"tenant\.toml: classification\(s\) niva already in 'bas'",
        '[tenant]\nid = "egen"\nextends = "bas.toml"\n'
        + CLASSIFIED_TOML[CLASSIFIED_TOML.index("[classifications.niva]") :]
        .split("[rates.")[0]
        .replace('"lower"', '"upper"'),
    ),
    Case(
        "Scenarios and extends",
        "extends names a tenant file that does not exist",
        {},
        r"\[tenant\]\.extends: no tenant file 'gemensam\.toml' in",
        '[tenant]\nid = "egen"\nextends = "gemensam.toml"\n',
    ),
    Case(
        "Scenarios and extends",
        "more than 20 tenant files extending one another",
        {
            **{
                f"t{i}.toml": f'[tenant]\nid = "t{i}"\nextends = "t{i + 1}.toml"\n'
                for i in range(1, 22)
            },
            "t22.toml": GOOD_TOML,
            "pop.csv": GOOD_POP,
        },
        r"more than 20 tenant files extend one another",
        '[tenant]\nid = "egen"\nextends = "t1.toml"\n',
    ),
    Case(
        "Scenarios and extends",
        "a swapped-in vintage that does not declare the gap the replaced one declares",
        {
            "pop.csv": GOOD_POP.replace("9999", "A") + "B,2023,65-79,5\nB,2023,80+,5\n",
            "prognos.csv": GOOD_POP.replace("9999", "B") + "A,2023,65-79,5\nA,2023,80+,5\n",
        },
        r"dataset 'population' gives no volume for 2 cells:.*area 'A', data year 2024",
        toml_with('recipient = "Äldreomsorg"\n', "").replace(
            'path = "pop.csv"\n',
            'path = "pop.csv"\ngaps = { means = "zero", reason = "B saknas i 2023 års prognos" }\n'
            '[data.prognos]\npath = "prognos.csv"\nschema = "population"\n',
        )
        + '[scenarios.ny]\ndata = { population = "prognos" }\n',
        ("--year", "2024", "--scenario", "ny"),
    ),
    Case(
        "Scenarios and extends",
        "a scenario that swaps in a dataset the tenant does not have",
        RATE_FILES,
        r"\[scenarios\.ny\]\.data: no dataset 'dygn_2025'",
        RATE_TOML + '[scenarios.ny]\ndata = { dygn = "dygn_2025" }\n',
    ),
]

CASES = [
    # -- CSV ----------------------------------------------------------------------------------------
    Case("CSV", "empty file", pop(""), r"pop\.csv.*empty"),
    Case(
        "CSV",
        "header only, no rows",
        pop("area,year,age,count\n"),
        r"dataset 'population' has no rows for year\(s\) 2024",
    ),
    Case(
        "CSV",
        "a required column missing",
        pop("area,year,count\n9999,2024,5\n"),
        r"pop\.csv, row 1, column 'age'",
    ),
    Case(
        "CSV", "a column misspelt", pop("area,year,alder,count\n9999,2024,80+,5\n"), r"column 'age'"
    ),
    Case(
        "CSV",
        "text in a number column",
        pop("area,year,age,count\n9999,2024,80+,många\n"),
        r"pop\.csv, row 2, column 'count'.*'många'",
    ),
    Case(
        "CSV",
        "a negative count",
        pop("area,year,age,count\n9999,2024,80+,-5\n"),
        r"pop\.csv, row 2, column 'count'",
    ),
    Case(
        "CSV",
        "a row with too many fields",
        pop("area,year,age,count\n9999,2024,80+,5,7\n"),
        r"pop\.csv.*(row 2|field)",
    ),
    Case(
        "CSV",
        "a truncated last row",
        pop("area,year,age,count\n9999,2024,80+,60\n9999,2024\n"),
        r"pop\.csv, row 3",
    ),
    Case(
        "CSV",
        "a decimal comma in a comma-separated file",
        pop("area,year,age,count\n9999,2024,80+,1,5\n"),
        r"pop\.csv.*row 2",
    ),
    Case(
        "CSV",
        "bytes undefined in UTF-8 and Windows-1252 in a number",
        pop(b"area,year,age,count\n9999,2024,80+,5\x81\x8d\n"),
        r"pop\.csv, row 2, column 'count'",
    ),
    Case(
        "CSV",
        "binary garbage (an image) named .csv",
        pop(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        r"pop\.csv",
    ),
    Case(
        "CSV",
        "the same key twice",
        pop(GOOD_POP + "9999,2024,80+,61\n"),
        r"pop\.csv, row 4, column 'age'.*this row repeats row 3",
    ),
    Case(
        "CSV",
        "a year out of range",
        pop("area,year,age,count\n9999,3024,80+,5\n"),
        r"pop\.csv, row 2, column 'year'",
    ),
    Case(
        "CSV",
        "a fractional year",
        pop("area,year,age,count\n9999,2024.5,80+,5\n"),
        r"pop\.csv, row 2, column 'year'",
    ),
    Case(
        "CSV",
        "an age group that ends before it starts",
        pop("area,year,age,count\n9999,2024,89-80,5\n"),
        r"pop\.csv, row 2",
    ),
    Case(
        "CSV",
        "an age that is not an age",
        pop("area,year,age,count\n9999,2024,gammal,5\n"),
        r"pop\.csv, row 2, column 'age'",
    ),
    Case(
        "CSV",
        "a huge number (overflows to infinity)",
        pop("area,year,age,count\n9999,2024,80+,1e400\n"),
        r"pop\.csv, row 2, column 'count'",
    ),
    Case(
        "CSV",
        "NaN as a count",
        pop("area,year,age,count\n9999,2024,80+,NaN\n"),
        r"pop\.csv, row 2, column 'count'",
    ),
    Case(
        "CSV",
        "an empty required cell",
        pop("area,year,age,count\n9999,2024,80+,\n"),
        r"pop\.csv, row 2, column 'count'.*not empty",
    ),
    Case(
        "CSV",
        "no rows for the budget year",
        pop("area,year,age,count\n9999,2023,80+,5\n9999,2023,65-79,5\n"),
        r"no rows for year\(s\) 2024",
    ),
    # -- Excel and other formats -------------------------------------------------------------------------
    Case(
        "Excel",
        "a CSV file named .xlsx",
        {"pop.xlsx": GOOD_POP},
        r"pop\.xlsx",
        toml_with('path = "pop.csv"', 'path = "pop.xlsx"'),
    ),
    Case(
        "Excel",
        "a truncated workbook",
        {"pop.xlsx": XLSX_MAGIC + b"\x14\x00\x06\x00" + bytes(40)},
        r"pop\.xlsx",
        toml_with('path = "pop.csv"', 'path = "pop.xlsx"'),
    ),
    Case(
        "PxWeb JSON",
        "truncated JSON",
        {"pop.json": '{"class": "dataset", "value": [1, 2'},
        r"pop\.json",
        toml_with('path = "pop.csv"', 'path = "pop.json"'),
    ),
    Case(
        "PxWeb JSON",
        "a JSON array instead of a table",
        {"pop.json": "[1, 2, 3]"},
        r"pop\.json",
        toml_with('path = "pop.csv"', 'path = "pop.json"'),
    ),
    Case(
        "PxWeb JSON",
        "JSON-stat whose values do not fill its dimensions",
        {
            "pop.json": '{"class": "dataset", "id": ["Tid"], "size": [2], "dimension": {"Tid": {"category": {"index": {"2024": 0, "2025": 1}}}}, "value": [1]}'
        },
        r"pop\.json",
        toml_with('path = "pop.csv"', 'path = "pop.json"'),
    ),
    Case(
        "Parquet",
        "a Parquet file that is not Parquet",
        {"pop.parquet": b"PAR1 this is not parquet"},
        r"pop\.parquet",
        toml_with('path = "pop.csv"', 'path = "pop.parquet"'),
    ),
    # -- the tenant file -------------------------------------------------------------------------------
    Case(
        "Tenant TOML",
        "a TOML syntax error",
        pop(GOOD_POP),
        r"tenant\.toml.*(line|TOML)",
        toml_with('id = "prov"', 'id = "prov'),
    ),
    Case(
        "Tenant TOML",
        "an unknown (misspelt) key",
        pop(GOOD_POP),
        r"tenant\.toml.*recipent",
        toml_with('recipient = "Äldreomsorg"', 'recipent = "Äldreomsorg"'),
    ),
    Case(
        "Tenant TOML",
        "a value of the wrong type",
        pop(GOOD_POP),
        r"tenant\.toml.*bands.*refers to parameter 'mycket'",
        toml_with('"80+" = { 2024 = 137300 }', '"80+" = "mycket"'),
    ),
    Case(
        "Tenant TOML",
        "a data path that leaves the folder (..)",
        pop(GOOD_POP),
        r"(outside|leaves).*folder",
        toml_with('path = "pop.csv"', 'path = "../pop.csv"'),
    ),
    Case(
        "Tenant TOML",
        "an absolute data path",
        pop(GOOD_POP),
        r"(absolute|outside|leaves)",
        toml_with('path = "pop.csv"', 'path = "/etc/passwd"'),
    ),
    Case(
        "Tenant TOML",
        "a data file that does not exist",
        pop(GOOD_POP),
        r"befolkning\.csv",
        toml_with('path = "pop.csv"', 'path = "befolkning.csv"'),
    ),
    Case(
        "Tenant TOML",
        "the same model id twice",
        pop(GOOD_POP),
        r"tenant\.toml: model id\(s\) defined twice: aldreomsorg",
        GOOD_TOML + GOOD_TOML[GOOD_TOML.index("[[models]]") :],
    ),
    Case(
        "Tenant TOML",
        "a dated value without a source",
        pop(GOOD_POP),
        r"source",
        toml_with('source = "KF 2023-06-12 § 45"\n', ""),
    ),
    Case(
        "Tenant TOML",
        "a budget year that is not a year",
        pop(GOOD_POP),
        r"tenant\.toml.*(year|2O24)",
        toml_with('"65-79" = { 2024 = 21900 }', '"65-79" = { 2O24 = 21900 }'),
    ),
    Case(
        "Tenant TOML",
        "an unknown model type",
        pop(GOOD_POP),
        r"tenant\.toml: model 'aldreomsorg'\.type: unknown model type 'age_band'",
        toml_with('type = "age_bands"', 'type = "age_band"'),
    ),
    Case("Tenant TOML", "an unknown scenario asked for", pop(GOOD_POP), r"scenario.*finns-inte"),
    *[
        Case(
            "Tenant TOML",
            f"recipient_column = {column!r}",
            pop(GOOD_POP),
            expected,
            toml_with('recipient = "Äldreomsorg"', f'recipient_column = "{column}"'),
        )
        for column, expected in (
            (
                "omrade",
                r"recipient_column: dataset 'population' has no column 'omrade'; its "
                r"columns are area, year, age, count",
            ),
            ("year", r"recipient_column: 'year' holds what a row measures"),
            ("count", r"recipient_column: 'count' holds what a row measures"),
        )
    ],
    Case(
        "Tenant TOML",
        "a glide path whose start is text",
        pop(GOOD_POP),
        r"model 'bl'\.glide: 'from' and 'to' are years.*found 'x' and 2027",
        BLEND_TOML.replace("new_share = { 2024 = 0.3 }", 'glide = { from = "x", to = 2027 }'),
    ),
    *SILENT_NUMBERS,
    *RATE_TABLES,
]


def symlink_case(tmp: Path) -> Case:
    outside = tmp / "outside.csv"
    outside.write_text(GOOD_POP, encoding="utf-8")
    return Case(
        "Tenant TOML", "a symlink that points outside the folder", {}, r"(outside|leaves).*folder"
    )


def run_case(rfm_cli, tenant_file, case: Case, tmp_path: Path, extra: tuple[str, ...] = ()):
    path = tenant_file(case.toml, case.files)
    out = tmp_path / "ut.csv"
    out.write_text("UNTOUCHED", encoding="utf-8")
    result = rfm_cli(
        "run", "--config", str(path), *case.args, "--format", "csv", "--out", str(out), *extra
    )
    return result, out, path.parent


@pytest.mark.parametrize("case", CASES, ids=[f"{c.group}: {c.name}" for c in CASES])
def test_bad_input_gives_one_clear_error_and_touches_nothing(rfm_cli, tenant_file, tmp_path, case):
    extra = ("--scenario", "finns-inte") if case.name == "an unknown scenario asked for" else ()
    result, out, _ = run_case(rfm_cli, tenant_file, case, tmp_path, extra)
    assert result.exit_code == 1, result.output
    message = result.stderr
    assert message.startswith("Error: ") and "Traceback" not in result.output
    assert re.search(case.expected, message, re.IGNORECASE | re.DOTALL), message
    assert out.read_text(encoding="utf-8") == "UNTOUCHED"


def test_a_symlink_out_of_the_tenant_folder_is_refused(rfm_cli, tenant_file, tmp_path):
    outside = tmp_path / "hemlig.csv"
    outside.write_text(GOOD_POP, encoding="utf-8")
    path = tenant_file(GOOD_TOML, {})
    (path.parent / "pop.csv").symlink_to(outside)
    out = tmp_path / "ut.csv"
    out.write_text("UNTOUCHED", encoding="utf-8")
    result = rfm_cli(
        "run", "--config", str(path), "--year", "2024", "--format", "csv", "--out", str(out)
    )
    assert result.exit_code == 1 and re.search(r"(outside|leaves).*folder", result.stderr)
    assert out.read_text(encoding="utf-8") == "UNTOUCHED"


def test_the_good_rate_table_passes(rfm_cli, tenant_file, tmp_path):
    """The control of the rate-table cases: the same tenant with good files runs, and pays
    Björken 365 dygn × 763 kr and Eken 730 dygn × round(587 × 1,025 = 601,675) = 602 kr."""
    case = Case("", "", RATE_FILES, "", RATE_TOML)
    result, out, _ = run_case(rfm_cli, tenant_file, case, tmp_path)
    assert result.exit_code == 0, result.output
    rows = {r.split(",")[2]: r.split(",")[-1] for r in out.read_text().splitlines()[1:]}
    assert rows == {"Björken": str(365 * 763), "Eken": str(730 * 602)}


def test_the_good_case_passes(rfm_cli, tenant_file, tmp_path):
    """The control: the same tenant with good data runs, so the failures above are the data's."""
    result, out, _ = run_case(rfm_cli, tenant_file, Case("", "", pop(GOOD_POP), ""), tmp_path)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("tenant,model")


@pytest.mark.parametrize(
    ("toml", "files", "expected"),
    [
        # (100 + 60) × 5 600 = 896 000 kr for A, (10 + 6) × 5 600 = 89 600 kr for B, each year.
        (PER_CAPITA_TOML, pop("area,year,age,count\n" + "".join(
            f"{a},{y},65-79,{n}\n{a},{y},80+,{m}\n"
            for y in (2024, 2025) for a, n, m in (("A", 100, 60), ("B", 10, 6)))),
         {"A": "896000", "B": "89600"}),
        # A: 3 × 1 000 000 + 5 × 200 000 = 4 000 000 kr; B: 1 000 000 + 2 × 200 000 = 1 400 000.
        (TAGS_TOML, {"antal.csv": TAGS + TAGS.split("\n", 1)[1].replace("2024", "2025")},
         {"A": "4000000", "B": "1400000"}),
    ],
    ids=["per_capita_standard_cost", "price_tags"],
)  # fmt: skip
def test_the_good_two_year_cases_pass(rfm_cli, tenant_file, tmp_path, toml, files, expected):
    """The controls of the missing-area cases: with every area in both years they run."""
    case = Case("", "", files, "", toml, ("--years", "2024-2025"))
    result, out, _ = run_case(rfm_cli, tenant_file, case, tmp_path)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    paid: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["recipient"], r["year"])
        paid[key] = paid.get(key, 0) + int(r["amount_kr"])
    assert paid == {(a, y): int(v) for a, v in expected.items() for y in ("2024", "2025")}


@settings(max_examples=60)
@given(st.binary(max_size=300))
def test_any_bytes_as_a_csv_are_read_or_refused_clearly(rfm_cli, tenant_file, tmp_path, data):
    result, out, _ = run_case(rfm_cli, tenant_file, Case("", "", pop(data), ""), tmp_path)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert result.stderr.startswith("Error: ")
        assert out.read_text(encoding="utf-8") == "UNTOUCHED"


@settings(max_examples=60)
@given(st.integers(0, len(GOOD_TOML) - 1), st.sampled_from(["", '"', "[", "=", "\n", "ä", "0"]))
def test_a_mutilated_tenant_file_is_run_or_refused_clearly(
    rfm_cli, tenant_file, tmp_path, at, insert
):
    toml = GOOD_TOML[:at] + insert + GOOD_TOML[at + 1 :]
    result, out, _ = run_case(rfm_cli, tenant_file, Case("", "", pop(GOOD_POP), "", toml), tmp_path)
    assert result.exit_code in (0, 1) and "Traceback" not in result.output
    if result.exit_code == 1:
        assert out.read_text(encoding="utf-8") == "UNTOUCHED"


# -- docs/reliability.md ---------------------------------------------------------------------------

ELSEWHERE = [
    (
        "Kolada",
        "HTTP 500, once and always",
        "tests/kolada/test_client.py::test_a_server_error_is_retried_then_answered, ::test_a_server_that_keeps_failing_gives_one_clear_error_and_no_cache",
        "Kolada did not answer … usefully after 4 attempts: HTTP 500",
    ),
    (
        "Kolada",
        "HTTP 429 with Retry-After",
        "tests/kolada/test_client.py::test_429_waits_as_long_as_retry_after_says",
        "(waits, then answers)",
    ),
    (
        "Kolada",
        "no answer within the timeout",
        "tests/kolada/test_client.py::test_a_timeout_is_retried",
        "(retried; after 4 attempts: no answer within N s)",
    ),
    (
        "Kolada",
        "a cut-off JSON body",
        "tests/kolada/test_client.py::test_truncated_json_is_retried_and_never_cached",
        "… the answer is not complete JSON (cut off?)",
    ),
    (
        "Kolada",
        "a next_url that loops",
        "tests/kolada/test_client.py::test_a_next_url_loop_is_stopped",
        "Kolada's paging came back to …; stopped",
    ),
    (
        "Kolada",
        "an unknown KPI id",
        "tests/kolada/test_client.py::test_an_unknown_kpi_is_named_before_any_data_request",
        "Kolada (…) has no KPI 'N99999'",
    ),
    (
        "Kolada",
        "offline with nothing cached",
        "tests/kolada/test_commands.py::test_offline_with_an_empty_cache_names_what_is_missing",
        "--offline: N Kolada request(s) are not in the cache …: <urls>",
    ),
    (
        "Run archive",
        "random bytes as the archive",
        "tests/core/test_archive.py::test_a_foreign_or_corrupt_file_is_refused_and_left_alone",
        "…: not a readable rfm run archive (…); the file was left as it is",
    ),
    (
        "Run archive",
        "another SQLite database as the archive",
        "tests/core/test_archive.py::test_a_foreign_or_corrupt_file_is_refused_and_left_alone",
        "…: an SQLite file, but not an rfm run archive; it was left as it is",
    ),
    (
        "Run archive",
        "another tenant's archive",
        "tests/core/test_archive.py::test_one_tenants_run_cannot_go_into_anothers_archive",
        "… is the archive of tenant 'stad-a'; a run of 'stad-b' goes in its own archive",
    ),
    (
        "No silent numbers",
        "a model that only one compared scenario has",
        "tests/core/test_no_silent_numbers.py::test_a_model_only_one_scenario_has_is_absent_in_the_other",
        "(the other side reads 'finns inte i B', Δ '–'; never 0 kr or −100 %)",
    ),
    (
        "No silent numbers",
        "compare --against-run for a year the archived run does not hold",
        "tests/core/test_no_silent_numbers.py::test_compare_against_a_run_refuses_a_year_the_run_does_not_hold",
        "archived run 1 holds the years 2024, not 2025; compare years the run holds",
    ),
    (
        "No silent numbers",
        "runs diff of runs with different years",
        "tests/core/test_no_silent_numbers.py::test_runs_diff_shows_a_year_only_one_run_has_as_absent",
        "(the year only one run has reads 'finns inte i körning N')",
    ),
    (
        "No silent numbers",
        "two plugins register the same name (model type, command, tenant, schema, reader, file suffix)",
        "tests/core/test_no_silent_numbers.py::test_a_name_two_plugins_register_is_an_error_naming_both, "
        "::test_a_tenant_two_plugins_register_is_an_error_naming_both, "
        "::test_a_schema_two_plugins_register_is_an_error_naming_both, "
        "::test_a_reader_name_two_plugins_register_is_an_error_naming_both, "
        "::test_a_file_suffix_two_plugins_claim_is_an_error_unless_the_reader_is_named",
        "model type 'age_bands' is registered by two plugins, 'a' and 'b'; rfm will not choose between them …",
    ),
    (
        "No silent numbers",
        "one name in NFC, in NFD and with a zero-width space inside (Södermalm)",
        "tests/core/test_no_silent_numbers.py::test_one_recipient_whatever_unicode_form_its_name_has",
        "(one recipient 'Södermalm' with the volume of every row, not three recipients)",
    ),
    (
        "No silent numbers",
        "exact money: 25,15 kr × 650 = 16 347,50 kr (a float gives 16 347,4999…)",
        "tests/core/test_no_silent_numbers.py::test_25_15_kr_times_650_is_16_347_50_exact_and_16_348_rounded, "
        "::test_the_workbook_shows_16_348_after_libreoffice_recalculates",
        "(amount 16347.5 exact; 16 348 kr half up in the table, in amount_kr of CSV and JSON, and in the workbook LibreOffice recalculates)",
    ),
    (
        "No silent numbers",
        "a model that gives no rows for a budget year asked for",
        "tests/core/test_no_silent_numbers.py::test_a_model_that_gives_no_rows_for_a_year_stops_the_run",
        "…: model 'm': gives no rows for budget year(s) 2025; its data do not cover them …",
    ),
    (
        "No silent numbers",
        "rfm run ostersund for years the unit data do not cover",
        "tests/ostersund/test_ostersund.py::test_years_the_unit_data_do_not_cover_are_refused",
        "…: model 'sarskilt_boende': dataset 'stays' covers 2012-01-01 to 2013-12-31 …, not the budget year(s) 2023, …",
    ),
    (
        "No silent numbers",
        "a deleted, renamed or duplicated row of a packaged tenant's data",
        "tests/integration/test_no_silent_changes.py",
        "(hypothesis: every amount unchanged, or an error naming the missing cell or the repeated row)",
    ),
    (
        "Outputs",
        "rfm goals --format xlsx --out /dev/null (checked before Kolada is asked)",
        "tests/integration/test_vaggeryd_goals.py::test_goals_refuses_a_device_as_out_before_asking_kolada",
        "/dev/null: is a character device, not a regular file; rfm writes only regular files",
    ),
    (
        "Unit data (Östersund)",
        "overlapping stays, negative hours, points out of range, unknown units",
        "tests/ostersund/test_ostersund.py",
        "vistelser.csv, row 3 …: expected one person has one stay at a time",
    ),
]


def render_doc(
    messages: dict[str, str], more_rows: list[str] = (), more_text: list[str] = ()
) -> str:
    lines = [
        "# Reliability: what a user sees when the input is wrong",
        "",
        "Every class of bad input below ends in one message on stderr that names the file, the row",
        "and the column where it can, exit code 1, no traceback, and no output file touched (the",
        "tests give `--out` a file beforehand and check it is unchanged). Generated from",
        "`tests/core/test_adversarial.py`, which runs every case (`RFM_WRITE_RELIABILITY=1` rewrites",
        "this file; a test fails when it is out of date). Besides the table, hypothesis feeds",
        "arbitrary bytes as a CSV file and mutilated tenant files: each is read or refused clearly.",
        "",
        "| # | input | class of bad input | message (first line and first problem; folders and lists shown as `…`) | test |",
        "| --- | --- | --- | --- | --- |",
    ]
    here = "tests/core/test_adversarial.py"
    for i, case in enumerate(CASES, start=1):
        test = f"{here}::test_bad_input_gives_one_clear_error_and_touches_nothing[{case.group}: {case.name}]"
        lines.append(f"| {i} | {case.group} | {case.name} | `{messages[case.name]}` | {test} |")
    n = len(CASES)
    lines.append(
        f"| {n + 1} | Tenant TOML | a symlink that points outside the folder | `{messages['symlink']}` "
        f"| {here}::test_a_symlink_out_of_the_tenant_folder_is_refused |"
    )
    for j, (group, name, test, message) in enumerate(ELSEWHERE, start=n + 2):
        lines.append(f"| {j} | {group} | {name} | `{message}` | {test} |")
    lines += more_rows  # tests/core/test_adversarial_hardening.py: hostile inputs (issue 18)
    lines += [
        "",
        "Generated inputs: `test_any_bytes_as_a_csv_are_read_or_refused_clearly` (hypothesis: arbitrary",
        "bytes as the population CSV) and `test_a_mutilated_tenant_file_is_run_or_refused_clearly`",
        "(hypothesis: a character of a good tenant file replaced) — each run either succeeds or ends in",
        "`Error: …`, exit 1, the output file untouched, never a traceback.",
    ]
    if more_text:
        lines += ["", *more_text]
    return "\n".join(lines) + "\n"


def first_line(text: str, folder: Path) -> str:
    """The message's first line, and the first problem under it when it lists problems."""
    lines = text.removeprefix("Error: ").splitlines()
    line = lines[0]
    if line.endswith(":") and len(lines) > 1:
        line = f"{line} {lines[1].strip()}"
    line = re.sub(r"(; (known|allowed|defined): ).*$", r"\1…", line)  # lists depend on plugins
    for prefix in (str(folder), str(folder.parent)):
        line = line.replace(prefix, "…")
    line = re.sub(r"/tmp/[^ ,:']*", "…", line)
    return line.replace("|", "\\|").replace("`", "'")


def test_the_reliability_document_is_current(rfm_cli, tenant_file, tmp_path):
    messages = {}
    for i, case in enumerate(CASES):
        extra = ("--scenario", "finns-inte") if case.name == "an unknown scenario asked for" else ()
        here = tmp_path / f"c{i}"
        here.mkdir()

        def write(toml, files, folder=here):
            (folder / "tenant").mkdir(exist_ok=True)
            for name, content in files.items():
                target = folder / "tenant" / name
                target.write_bytes(content if isinstance(content, bytes) else content.encode())
            (folder / "tenant" / "tenant.toml").write_text(toml, encoding="utf-8")
            return folder / "tenant" / "tenant.toml"

        result, _, folder = run_case(rfm_cli, write, case, here, extra)
        messages[case.name] = first_line(result.stderr, folder)
    path = tenant_file(GOOD_TOML, {})
    (path.parent / "pop.csv").symlink_to(tmp_path / "nowhere.csv")
    (tmp_path / "nowhere.csv").write_text(GOOD_POP, encoding="utf-8")
    result = rfm_cli("run", "--config", str(path), "--year", "2024")
    messages["symlink"] = first_line(result.stderr, path.parent)
    from tests.core import test_adversarial_hardening as hardening  # it imports this module

    start = len(CASES) + 2 + len(ELSEWHERE)
    rows = hardening.document_rows(start, hardening.observed_messages(tmp_path / "hardening"))
    text = render_doc(messages, rows, hardening.THREAT_MODEL)
    if os.environ.get("RFM_WRITE_RELIABILITY"):
        DOC.write_text(text, encoding="utf-8")
    assert len(CASES) + 1 + len(ELSEWHERE) + len(rows) >= 100
    assert DOC.read_text(encoding="utf-8") == text, (
        "run RFM_WRITE_RELIABILITY=1 pytest tests/core/test_adversarial.py"
    )
