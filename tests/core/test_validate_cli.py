"""`rfm validate`: every failing row at once, with file, row and column; exit code 1."""

from __future__ import annotations


def test_negative_count_and_bad_kommun_code_are_both_named(tmp_path, rfm_cli):
    path = tmp_path / "befolkning.csv"
    path.write_text(
        "area,year,age,count\n"
        "0665,2024,80,120\n"
        "0665,2024,81,-3\n"  # row 3: negative count
        "0666,2024,80,40\n"  # row 4: no such kommun
        "2380,2024,90+,615\n",
        encoding="utf-8",
    )
    result = rfm_cli("validate", "municipal_population", str(path))
    assert result.exit_code == 1
    out = result.output
    assert "row 3, column 'count'" in out and "-3" in out
    assert "row 4, column 'area'" in out and "0666" in out
    assert "kommunkod" in out
    assert "Traceback" not in out


def test_valid_file_passes(tmp_path, rfm_cli):
    path = tmp_path / "b.csv"
    path.write_text("area,year,age,count\n0665,2024,80-89,599\n0665,2024,90+,140\n")
    result = rfm_cli("validate", "municipal_population", str(path))
    assert result.exit_code == 0, result.output
    assert "2 rows" in result.output


def test_text_in_a_number_column_names_row_and_column(tmp_path, rfm_cli):
    path = tmp_path / "b.csv"
    path.write_text("area;year;age;count\nA;2024;80;12,5\nA;20x4;81;tolv\n", encoding="utf-8")
    result = rfm_cli("validate", "population", str(path))
    assert result.exit_code == 1
    assert "row 3, column 'count': found 'tolv'" in result.output
    assert "row 3, column 'year': found '20x4'" in result.output


def test_duplicate_rows_are_named(tmp_path, rfm_cli):
    path = tmp_path / "b.csv"
    path.write_text("area,year,age,count\nA,2024,80,1\nA,2024,81,1\nA,2024,80,2\n")
    result = rfm_cli("validate", "population", str(path))
    assert result.exit_code == 1
    assert "row 4" in result.output and "repeats row 2" in result.output


def test_missing_column_is_named(tmp_path, rfm_cli):
    path = tmp_path / "b.csv"
    path.write_text("area,year,count\nA,2024,1\n")
    result = rfm_cli("validate", "population", str(path))
    assert result.exit_code == 1
    assert "column 'age'" in result.output


def test_unknown_schema(tmp_path, rfm_cli):
    path = tmp_path / "b.csv"
    path.write_text("a\n1\n")
    result = rfm_cli("validate", "populaton", str(path))
    assert result.exit_code == 1
    assert "unknown schema 'populaton'" in result.output


def test_an_age_written_in_other_digits_is_named_not_a_traceback(tmp_path, rfm_cli):
    """Ages in full-width (２０) or Arabic-Indic (٢٠) digits matched the age pattern's \\d
    (any script's digit) and then failed Polars' integer cast inside the native check: a
    Polars traceback. Ages, as years and counts, are written in the digits 0–9."""
    from rfm.schemas.age import parse_age_label

    path = tmp_path / "befolkning.csv"
    path.write_text(
        "area,year,age,count\n0665,2024,20,1\n0665,2024,２１,2\n0665,2024,٢٢-30,3\n",
        encoding="utf-8",
    )
    result = rfm_cli("validate", "population", str(path))
    assert result.exit_code == 1, result.output
    assert "row 3, column 'age'" in result.output and "２１" in result.output
    assert "row 4, column 'age'" in result.output and "٢٢-30" in result.output
    import pytest

    from rfm.errors import ConfigError

    with pytest.raises(ConfigError, match="is not an age or age group"):
        parse_age_label("２１")  # a tenant's band as the data's label
