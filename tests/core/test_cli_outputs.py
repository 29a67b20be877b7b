"""Output files: lineage columns in csv/json/parquet, atomic writes, errors without traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

import rfm


def test_csv_json_parquet_carry_the_lineage_columns(rfm_cli, tmp_path):
    for fmt in ("csv", "json", "parquet"):
        out = tmp_path / f"x.{fmt}"
        result = rfm_cli("run", "exempel", "--year", "2024", "--format", fmt, "--out", str(out))
        assert result.exit_code == 0, result.output
        frame = {
            "csv": lambda p: pl.read_csv(p),
            "json": lambda p: pl.DataFrame(json.loads(p.read_text(encoding="utf-8"))["rows"]),
            "parquet": pl.read_parquet,
        }[fmt](out)
        # CSV and JSON add the rounded amount (and JSON the basis as fields) after the lineage
        # columns; Parquet carries exactly the lineage rows.
        extra = {"csv": ["amount_kr"], "json": ["amount_kr", "basis_parameters"]}
        assert frame.columns == [*rfm.LINEAGE_COLUMNS, *extra.get(fmt, [])]
        assert frame["amount"].sum() == 285_345_400


def test_failed_run_leaves_the_old_output_untouched(rfm_cli, tmp_path):
    out = tmp_path / "result.csv"
    out.write_text("earlier result\n")
    result = rfm_cli("run", "exempel", "--year", "2019", "--format", "csv", "--out", str(out))
    assert result.exit_code == 1
    assert out.read_text() == "earlier result\n"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_output_into_a_missing_folder_is_a_clear_error(rfm_cli, tmp_path):
    result = rfm_cli(
        "run",
        "exempel",
        "--year",
        "2024",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "nope" / "x.csv"),
    )
    assert result.exit_code == 1 and "does not exist" in result.output


def test_user_error_in_a_real_process_has_no_traceback(tmp_path):
    bad = tmp_path / "t.toml"
    bad.write_text("[tenant]\nid = 'x'\n[[models]]\nid = 'm'\ntype = 'nope'\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rfm.cli import main; main()",
            "run",
            "--config",
            str(bad),
            "--year",
            "2024",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "unknown model type 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_compare_gives_delta_kr_and_percent(rfm_cli, tenant_file):
    toml = """
[tenant]
id = "c"
[data.population]
path = "p.csv"
[[models]]
id = "ifo"
type = "per_capita_standard_cost"
recipient = "SN"
source = "SCB 2022"
standard_cost = { 2023 = 5600 }
uplift = { 2023 = 0.05 }
[scenarios.ny]
[scenarios.gammal]
overrides = { "ifo.uplift" = { unit = "andel", source = "KF 2018", values = { 2023 = 0.10 } } }
"""
    path = tenant_file(toml, {"p.csv": "area,year,age,count\nV,2023,0+,14000\n"})
    compare = (
        "compare",
        "--config",
        str(path),
        "--scenario",
        "ny",
        "--against",
        "gammal",
        "--year",
        "2023",
    )
    result = rfm_cli(*compare, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["metadata"]["scenario"] == "ny"
    assert document["metadata"]["against"]["scenario"] == "gammal"
    row = document["rows"][0]
    assert row["a"] == pytest.approx(14000 * 5600 * 1.05)
    assert row["b"] == pytest.approx(14000 * 5600 * 1.10)
    assert row["diff"] == pytest.approx(row["a"] - row["b"])
    assert row["diff_kr"] == round(14000 * 5600 * 1.05) - round(14000 * 5600 * 1.10)
    table = rfm_cli(*compare)
    assert "−3 920 000" in table.output or "-3 920 000" in table.output
    assert "-4,5 %" in table.output


def test_models_and_schemas_listings(rfm_cli):
    out = rfm_cli("models").output
    for name in (
        "age_bands",
        "price_tags",
        "per_capita_standard_cost",
        "distribution_key",
        "blend",
        "change_limit",
    ):
        assert name in out
    assert "Sjöbo budget 2024" in rfm_cli("models", "exempel").output
    assert "municipal_population" in rfm_cli("schemas").output


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_a_folder_gone_while_writing_is_named_as_python_names_it(
    fmt, rfm_cli, tmp_path, monkeypatch
):
    """The folder removed after the temporary file is made: the OS's words, as for any write.

    CSV (since it is written by Polars straight to the file) and Parquet get an OSError from
    Polars with no errno, only Rust's text "No such file or directory (os error 2): <the
    temporary path>"; the message must be the one a Python write gives, without the
    temporary file's name.
    """
    import shutil
    import tempfile

    import rfm.io.atomic

    folder = tmp_path / "ut"
    folder.mkdir()
    real = tempfile.mkstemp

    def mkstemp_then_lose_the_folder(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = real(*args, **kwargs)  # type: ignore[call-overload]
        shutil.rmtree(folder)
        return fd, name

    monkeypatch.setattr(rfm.io.atomic.tempfile, "mkstemp", mkstemp_then_lose_the_folder)
    out = folder / f"x.{fmt}"
    result = rfm_cli("run", "exempel", "--year", "2024", "--format", fmt, "--out", str(out))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == f"Error: {out}: No such file or directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing left anywhere
