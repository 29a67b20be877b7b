"""Bad input of every kind rfm reads: each ends in one clear error, exit code 1, no traceback,
and no output file touched. The table below is also the source of docs/reliability.md
(`RFM_WRITE_RELIABILITY=1 pytest tests/core/test_adversarial.py` rewrites it; a test checks it
is current).

Kolada responses (500, 429, timeouts, cut JSON, paging loops, unknown KPIs) are in
tests/kolada/test_client.py; the run archive's corrupt and foreign files in
tests/core/test_archive.py; both are listed in the document too.
"""

from __future__ import annotations

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


def pop(text: str) -> dict[str, str | bytes]:
    return {"pop.csv": text}


def toml_with(old: str, new: str) -> str:
    assert old in GOOD_TOML
    return GOOD_TOML.replace(old, new)


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
        r"pop\.csv, row 4.*repeats row 3",
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
        "run", "--config", str(path), "--year", "2024", "--format", "csv", "--out", str(out), *extra
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


def test_the_good_case_passes(rfm_cli, tenant_file, tmp_path):
    """The control: the same tenant with good data runs, so the failures above are the data's."""
    result, out, _ = run_case(rfm_cli, tenant_file, Case("", "", pop(GOOD_POP), ""), tmp_path)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("tenant,model")


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
