"""Readers on real files: Swedish CSV variants, SCB PxWeb JSON, Excel, Parquet; and bad files."""

from __future__ import annotations

import json

import polars as pl
import pytest

from rfm import InputError, UnreadableFileError
from rfm.io import BUILTIN_READERS, read_table
from rfm.schemas import POPULATION, SchemaSpec, validate_table
from rfm.schemas.builtin import ColumnSpec
from rfm.schemas.checks import CategoryCounts

READERS = {r.name: r for r in BUILTIN_READERS}


def test_utf8_bom_crlf_semicolon_file(data_dir):
    """population2018.csv: BOM, CRLF, ';', codes as integers (665 = Vaggeryd)."""
    raw = read_table(READERS, data_dir / "population2018.csv")
    assert raw.frame.columns[:3] == ["municipality_code", "municipality_name", "pop2018"]
    vaggeryd = raw.frame.filter(pl.col("municipality_code") == "665").row(0, named=True)
    assert vaggeryd["municipality_name"] == "Vaggeryd"
    assert raw.frame.height == 290


def test_latin1_pxweb_csv_export(data_dir):
    """befolkning.csv: SCB's PxWeb CSV export in Latin-1 with "0665 Vaggeryd" labels."""
    raw = read_table(READERS, data_dir / "befolkning.csv")
    regions = raw.frame["region"].to_list()
    assert "0117 Österåker" in regions  # Latin-1 decoded
    row = raw.frame.filter(pl.col("region") == "0665 Vaggeryd").row(0, named=True)
    assert row["2017"] == "14017" or row["2017"].isdigit()
    assert row["_row"] >= 2


def test_swedish_numbers_spaces_and_decimal_comma(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(
        "area;year;age;count\nÖstersund;2024;80-89;2\u00a0923,5\nÖstersund;2024;90+;−0\n".encode(
            "cp1252", errors="replace"
        ).replace(b"?0", b"0")
    )
    frame = validate_table(read_table(READERS, path), POPULATION)
    assert frame["count"].to_list() == [2923.5, 0.0]
    assert frame["area"][0] == "Östersund"


def test_pxweb_v2_jsonstat(data_dir):
    raw = read_table(READERS, data_dir / "pxweb_v2_TAB638.json")
    row = raw.frame.row(0, named=True)
    assert (row["Region"], row["Alder"], row["Tid"], row["value"]) == ("00", "0", "2024", "50937")
    renamed = raw.renamed({"Region": "area", "Tid": "year", "Alder": "age", "value": "count"})
    frame = validate_table(renamed, POPULATION)
    assert frame["count"].to_list() == [50937.0]


def test_pxweb_v1_json(data_dir):
    raw = read_table(READERS, data_dir / "pxweb_v1_BefolkningNy.json")
    assert raw.frame.filter(pl.col("Tid") == "2011")["BE0101N1"].to_list() == ["9482855"]


def test_excel_sheet_with_swedish_age_groups(data_dir):
    """FHM's workbook: SCB population 2020 per kommun and age group, incl. '90 eller äldre'."""
    raw = read_table(
        READERS,
        data_dir / "Folkhalsomyndigheten_Covid19_Vaccine.xlsx",
        options={"sheet": "Vaccinerade kommun och ålder"},
    )
    frame = raw.frame.rename({"Kommun": "area", "Ålder": "age", "Befolkning": "count"})
    frame = frame.with_columns(pl.lit("2020").alias("year"))
    typed = validate_table(type(raw)(frame, raw.file), POPULATION)
    vaggeryd = dict(typed.filter(pl.col("area") == "0665").select("age", "count").iter_rows())
    assert vaggeryd["80-89"] == 599 and vaggeryd["90 eller äldre"] == 140  # as FHM/SCB publish


def test_excel_unknown_sheet(data_dir):
    with pytest.raises(UnreadableFileError, match="no sheet named 'Blad1'"):
        read_table(
            READERS,
            data_dir / "Folkhalsomyndigheten_Covid19_Vaccine.xlsx",
            options={"sheet": "Blad1"},
        )


def test_parquet_roundtrip(tmp_path):
    path = tmp_path / "p.parquet"
    pl.DataFrame({"area": ["A"], "year": [2024], "age": ["80"], "count": [3]}).write_parquet(path)
    assert validate_table(read_table(READERS, path), POPULATION)["count"].to_list() == [3.0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("area,year\n".encode("utf-16"), "NUL bytes"),
        (b"area,year,age,count\nA,2024,80,1,9\n", "row 2"),
        (b"area,area,age,count\nA,2024,80,1\n", "each column name only once"),
    ],
)
def test_bad_csv_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises((InputError, UnreadableFileError), match=message):
        read_table(READERS, path)


def test_truncated_json_is_refused(tmp_path, data_dir):
    path = tmp_path / "cut.json"
    path.write_text((data_dir / "pxweb_v2_TAB638.json").read_text(encoding="utf-8")[:500])
    with pytest.raises(UnreadableFileError, match="not valid JSON"):
        read_table(READERS, path)


def test_every_bad_cell_is_reported_at_once(tmp_path):
    spec = SchemaSpec(
        "counts",
        "",
        (
            ColumnSpec("area", "text"),
            ColumnSpec("year", "int"),
            ColumnSpec("category", "text"),
            ColumnSpec("count", "number"),
        ),
        CategoryCounts,
    )
    path = tmp_path / "c.csv"
    path.write_text("area,year,category,count\nA,2024,pa,x\nB,2024.5,pa,1\nC,2024,,2\n")
    with pytest.raises(InputError) as info:
        validate_table(read_table(READERS, path), spec)
    where = {(p.location.row, p.location.column) for p in info.value.problems}
    assert where == {(2, "count"), (3, "year"), (4, "category")}


def test_fractional_year_in_a_typed_file_is_an_error_not_truncated(tmp_path):
    path = tmp_path / "p.parquet"
    pl.DataFrame(
        {"area": ["A", "B"], "year": [2024.0, 2024.5], "age": ["80", "81"], "count": [3, 4]}
    ).write_parquet(path)
    with pytest.raises(InputError) as info:
        validate_table(read_table(READERS, path), POPULATION)
    [problem] = info.value.problems
    assert (problem.location.row, problem.location.column, problem.found) == (2, "year", 2024.5)


def test_renaming_onto_an_existing_column_is_refused(data_dir):
    raw = read_table(READERS, data_dir / "pxweb_v2_TAB638.json")
    with pytest.raises(InputError, match="renaming 'Region' to it"):
        raw.renamed({"Region": "Tid"})


def test_pxweb_symbols_dash_is_zero_and_dots_are_no_figure(tmp_path):
    """SCB's teckenförklaring: "-" is "inget finns att redovisa" (exactly 0); ".." and "." are
    no figure at all, left missing so that a model needing them stops and names them."""
    doc = {
        "columns": [
            {"code": "Region", "text": "region", "type": "d"},
            {"code": "Tid", "text": "år", "type": "t"},
            {"code": "BE0101N1", "text": "Folkmängd", "type": "c"},
        ],
        "data": [
            {"key": ["0665", "2019"], "values": ["-"]},
            {"key": ["0666", "2019"], "values": [".."]},
            {"key": ["0667", "2019"], "values": ["."]},
            {"key": ["0668", "2019"], "values": ["14275"]},
        ],
    }
    path = tmp_path / "px.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    raw = read_table(READERS, path)
    assert raw.frame.get_column("value").to_list() == ["0", None, None, "14275"]


@pytest.mark.parametrize(
    ("module", "function", "name"),
    [
        ("rfm.io.excel_reader", "read_excel", "Folkhalsomyndigheten_Covid19_Vaccine.xlsx"),
        ("rfm.io.pxweb_reader", "read_pxweb", "pxweb_v2_TAB638.json"),
    ],
)
def test_a_reader_that_cannot_be_imported_is_one_clear_error(
    module, function, name, data_dir, tmp_path
):
    """The Excel, Parquet and PxWeb readers are imported when a file is first read; one whose
    import fails (a broken install) is one error naming the file and the module, exit 1, no
    traceback (as when rfm imported them at start), and other files are still read."""
    import subprocess
    import sys

    code = (
        f"import sys\nsys.modules[{module!r}] = None\n"  # import raises ModuleNotFoundError
        "from rfm.cli import main\nsys.argv = ['rfm', *sys.argv[1:]]\nmain()\n"
    )
    path = data_dir / name
    done = subprocess.run(
        [sys.executable, "-c", code, "validate", "population", str(path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"Error: {path}: the reader {module}:{function}"
        f" cannot be imported: ModuleNotFoundError('import of {module} halted; None in sys.modules')"
    ]
    csv = tmp_path / "pop.csv"
    csv.write_text("area,year,age,count\n9999,2024,80+,60\n", encoding="utf-8")
    other = subprocess.run(
        [sys.executable, "-c", code, "validate", "population", str(csv)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert other.returncode == 0, other.stderr
