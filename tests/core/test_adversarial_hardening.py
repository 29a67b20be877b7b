"""A tenant folder, an archive or a plugin from someone else: one clear error, never a hang.

The second half of the adversarial suite (issue 18). Each :class:`Attack` writes what an attacker
or a careless user would hand rfm — a FIFO named pop.csv, a dataset called ``../../x``, a
JSON-stat cube declaring ten billion cells, ``--out /dev/null``, a plugin whose report section
raises — runs one command in-process, and checks: exit code 1, one line ``Error: …`` that says
what is wrong, no traceback, and ``--out`` (a file written beforehand) untouched. The observed
messages go into docs/reliability.md (tests/core/test_adversarial.py renders it).

What cannot run in-process — a kill -9 loop, a read-only or full file system, a slow plugin
import — is in tests/core/test_hardening_processes.py; Kolada's hostile servers are in
tests/kolada/test_hostile_server.py. Both are listed in the document as well.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs
import polars as pl
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import rfm
from rfm.cli import build_cli
from rfm.plugins.manager import PluginHost
from tests.core.test_adversarial import GOOD_POP, GOOD_TOML, KEY_TOML, NEED

UNTOUCHED = "UNTOUCHED"


@attrs.frozen
class Attack:
    """Files to write, a command to run, and the message the user must get."""

    group: str
    name: str
    prepare: Callable[[Path], list[str]]
    """Writes what it needs under the folder; returns the command line (``{out}``: a file
    written beforehand that must stay untouched)."""
    expected: str
    plugins: Callable[[], list[tuple[str, Any]]] | None = None
    after: Callable[[Path], None] | None = None
    """A further check once the command has failed (nothing written elsewhere, no run saved)."""


def tenant(
    folder: Path, toml: str = GOOD_TOML, files: dict[str, str | bytes] | None = None
) -> Path:
    """A tenant folder ``folder/tenant`` with its tenant file and data files."""
    home = folder / "tenant"
    home.mkdir(parents=True, exist_ok=True)
    for name, content in ({"pop.csv": GOOD_POP} if files is None else files).items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (home / name).write_bytes(data)
    (home / "tenant.toml").write_text(toml, encoding="utf-8")
    return home / "tenant.toml"


def toml_with(old: str, new: str) -> str:
    assert old in GOOD_TOML, old
    return GOOD_TOML.replace(old, new)


def run(config: Path, *extra: str) -> list[str]:
    return ["run", "--config", str(config), "--year", "2024", "--format", "csv", "--out", "{out}",
            *extra]  # fmt: skip


def run_with(toml: str, files: dict[str, str | bytes] | None = None) -> Callable[[Path], list[str]]:
    return lambda folder: run(tenant(folder, toml, files))


JSON_TOML = toml_with(
    'path = "pop.csv"',
    'path = "pop.json"\ncolumns = { Region = "area", Tid = "year", Alder = "age", value = "count" }',
)


def jsonstat(values: object, size: list[object] | None = None) -> str:
    """A JSON-stat 2.0 cube of region × year × age like SCB's, with the given values."""
    index = {"Region": {"9999": 0}, "Tid": {"2024": 0}, "Alder": {"65-79": 0, "80+": 1}}
    return json.dumps(
        {
            "class": "dataset",
            "id": ["Region", "Tid", "Alder"],
            "size": size or [1, 1, 2],
            "dimension": {d: {"category": {"index": i}} for d, i in index.items()},
            "value": values,
        }
    )


def pxweb(text: str) -> Callable[[Path], list[str]]:
    return run_with(JSON_TOML, {"pop.json": text})


def parquet(column: pl.Series) -> Callable[[Path], list[str]]:
    frame = pl.DataFrame({"area": ["9999", "9999"], "year": [2024, 2024], "age": ["65-79", "80+"]})
    buffer = io.BytesIO()
    frame.with_columns(column).write_parquet(buffer)
    return run_with(toml_with('path = "pop.csv"', 'path = "pop.parquet"'),
                    {"pop.parquet": buffer.getvalue()})  # fmt: skip


def fifo_as_data(folder: Path) -> list[str]:
    config = tenant(folder, files={})
    os.mkfifo(config.parent / "pop.csv")  # nobody ever writes to it: open() would wait for ever
    return run(config)


def fifo_as_tenant_file(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "tenant.toml")
    return run(folder / "tenant.toml")


def out_is(kind: str) -> Callable[[Path], list[str]]:
    """``rfm run … --out X`` where X is a device, a FIFO, a symlink or a read-only file."""

    def prepare(folder: Path) -> list[str]:
        config = tenant(folder)
        target = folder / "ut.csv"
        if kind == "device":
            return [*run(config)[:-1], "/dev/null"]
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "symlink":
            (folder / "elsewhere.txt").write_text(UNTOUCHED, encoding="utf-8")
            target.symlink_to(folder / "elsewhere.txt")
        elif kind == "read-only":
            target.write_text(UNTOUCHED, encoding="utf-8")
            target.chmod(0o444)
        elif kind == "missing folder":
            target = folder / "finns-inte" / "ut.csv"
        return [*run(config)[:-1], str(target)]

    return prepare


def untouched(relative: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        assert (folder / relative).read_text(encoding="utf-8") == UNTOUCHED

    return check


def no_archive(folder: Path) -> None:
    """--save with an --out rfm refuses: the run is not stored either (both or neither)."""
    assert not (folder / "tenant" / "rfm-arkiv.sqlite").exists()


def save_with_bad_out(folder: Path) -> list[str]:
    return [*out_is("symlink")(folder), "--save", "--label", "KF"]


def scenarios(*names: str) -> str:
    return GOOD_TOML + "".join(f'[scenarios."{n}"]\n' for n in names)


def plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook, func in hooks.items():
        setattr(module, hook, rfm.hookimpl(func))  # type: ignore[arg-type]
    return module


def raising_section_plugin() -> list[tuple[str, Any]]:
    def section(result: Any, registry: Any, lang: str) -> list[tuple[str, str, str]]:
        raise ZeroDivisionError("division by zero in a plugin")

    return [("trasig-sektion", plugin("trasig-sektion", register_report_sections=lambda register: register(section)))]  # fmt: skip


def raising_loader_plugin() -> list[tuple[str, Any]]:
    def load(registry: Any) -> Any:
        raise KeyError("kommunkod")

    definition = rfm.TenantDefinition("trasig", "Trasig kommun", load)
    return [("trasig-tenant", plugin("trasig-tenant", register_tenants=lambda register: register(definition)))]  # fmt: skip


def exiting_loader_plugin() -> list[tuple[str, Any]]:
    def load(registry: Any) -> Any:
        raise SystemExit(3)

    definition = rfm.TenantDefinition("avslutar", "Avslutar", load)
    return [("avslutar", plugin("avslutar", register_tenants=lambda register: register(definition)))]  # fmt: skip


def report(config: Path, *extra: str) -> list[str]:
    return ["report", "--config", str(config), "--year", "2024", "--out", "{out}", *extra]


BIG_RATE = toml_with('"80+" = { 2024 = 137300 }', '"80+" = { 2024 = 1e13 }')
DEEP = GOOD_TOML + "x = " + "[" * 5000 + "]" * 5000 + "\n"
PRICES = toml_with(
    "[data.population]",
    '[prices]\nbase_year = 2023\nindex = "pkv"\n[parameters]\npkv = { unit = "index", values = '
    '{ 2023 = 0, 2024 = 106.1 }, source = "SKR PKV" }\n[data.population]',
)


def pkv(level_2024: float) -> str:
    """GOOD_TOML in current prices by an index pkv: 100 in 2023, ``level_2024`` in 2024."""
    return PRICES.replace("2023 = 0, 2024 = 106.1", f"2023 = 100, 2024 = {level_2024!r}")


ATTACKS = [
    # -- names that end up in file names --------------------------------------------------------
    Attack("Security", "a dataset named like a path ([data.\"../../../../home/x/.bashrc\"])",
           run_with(GOOD_TOML + '[data."../../../../home/x/.bashrc"]\npath = "pop.csv"\nschema = "population"\n'),
           r"\[data\] name: '\.\./\.\./\.\./\.\./home/x/\.bashrc' is not a valid name"),
    Attack("Security", "a tenant id with a trailing newline (\"prov\\n\": `$` would pass it)",
           run_with(toml_with('id = "prov"', 'id = "prov\\n"')), r"\[tenant\]\.id: 'prov\\n' is not a valid name"),
    Attack("Security", "a model id with a trailing newline",
           run_with(toml_with('id = "aldreomsorg"', 'id = "aldreomsorg\\n"')), r"models\[1\]\.id: .* not a valid name"),
    Attack("Security", "a scenario named like a path", run_with(scenarios("../ut")),
           r"\[scenarios\] name: '\.\./ut' is not a valid name"),
    # -- files that are not files -------------------------------------------------------------
    Attack("Hangs and memory", "a FIFO (named pipe) as a data file", fifo_as_data,
           r"pop\.csv: is a FIFO \(named pipe\), not a regular file"),
    Attack("Hangs and memory", "a FIFO as the tenant file", fifo_as_tenant_file,
           r"tenant\.toml: is a FIFO \(named pipe\), not a regular file"),
    Attack("Hangs and memory", "JSON-stat declaring 100000 × 100000 × 2 cells with a sparse value",
           pxweb(jsonstat({"0": 1}, [100000, 100000, 2])), r"declares more than 10000000 cells"),
    Attack("PxWeb JSON", "a sparse position \"-1\" (would add into the last cell)", pxweb(jsonstat({"0": 100, "-1": 60})),
           r"pop\.json: 'value' has the position '-1'; expected a whole number from 0 to 1"),
    Attack("PxWeb JSON", "a sparse position past the end", pxweb(jsonstat({"0": 100, "5": 60})),
           r"position '5'; expected a whole number from 0 to 1"),
    Attack("PxWeb JSON", "a sparse position that is not a whole number", pxweb(jsonstat({"0": 100, "1.5": 60})),
           r"position '1\.5'"),
    Attack("PxWeb JSON", "a 5 000-digit number", pxweb(jsonstat([100, 60]).replace("60]", "9" * 5000 + "]")),
           r"pop\.json: not readable JSON \(a number with thousands of digits\)"),
    Attack("PxWeb JSON", "arrays nested 100 000 deep", pxweb("[" * 100000 + "]" * 100000),
           r"pop\.json: not readable JSON \(arrays or objects nested too deeply\)"),
    Attack("PxWeb JSON", "v1 'columns' that are not objects", pxweb('{"columns": [1, 2], "data": []}'),
           r"'columns' must be a list of objects with a 'code'"),
    Attack("PxWeb JSON", "v1 'data' that is not a list",
           pxweb('{"columns": [{"code": "Region", "type": "d"}], "data": 5}'), r"'data' must be a list of rows"),
    Attack("PxWeb JSON", "v1 rows that are not objects",
           pxweb('{"columns": [{"code": "Region", "type": "d"}], "data": [5]}'), r"data row 1 does not match 'columns'"),
    Attack("PxWeb JSON", "a 'size' that is not numbers", pxweb(jsonstat([100, 60], [1, 1, "x"])),
           r"'size' must be a list of whole numbers"),
    Attack("Parquet", "a column of lists", parquet(pl.Series("count", [[1], [2]])),
           r"pop\.parquet, row 1, column 'count': found 'List\(Int64\)'"),
    Attack("Parquet", "a column of bytes", parquet(pl.Series("count", [b"1", b"2"])),
           r"column 'count': found 'Binary'"),
    Attack("Parquet", "a column of durations", parquet(pl.Series("count", [1, 2]).cast(pl.Duration)),
           r"column 'count': found \"Duration"),
    Attack("Hangs and memory", "a FIFO as the run archive (runs list --archive)",
           lambda f: (os.mkfifo(f / "arkiv.sqlite"), ["runs", "list", "--archive", str(f / "arkiv.sqlite")])[1],
           r"arkiv\.sqlite: is a FIFO \(named pipe\), not a run archive file"),
    # -- --out -------------------------------------------------------------------------------
    Attack("Outputs", "--out /dev/null (a device; as root it would be replaced)", out_is("device"),
           r"/dev/null: is a character device, not a regular file"),
    Attack("Outputs", "--out a FIFO", out_is("fifo"), r"ut\.csv: is a FIFO \(named pipe\)"),
    Attack("Outputs", "--out a symlink (rfm would replace the link)", out_is("symlink"),
           r"ut\.csv: is a symbolic link", after=untouched("elsewhere.txt")),
    Attack("Outputs", "--out a read-only file", out_is("read-only"), r"ut\.csv: the file is read-only",
           after=untouched("ut.csv")),
    Attack("Outputs", "--out in a folder that does not exist", out_is("missing folder"),
           r"the folder .*finns-inte does not exist"),
    Attack("Outputs", "--save with an --out rfm refuses: no run is stored either", save_with_bad_out,
           r"is a symbolic link", after=no_archive),
    # -- tracebacks that are now errors ----------------------------------------------------------
    Attack("Tenant TOML", "a NUL byte in a data path", run_with(toml_with('path = "pop.csv"', 'path = "pop\\u0000.csv"')),
           r"\[data\.population\]\.path: 'pop\\x00\.csv' contains a NUL byte"),
    Attack("Tenant TOML", "a year key in superscript digits (\"²⁰²⁴\")",
           run_with(toml_with('"65-79" = { 2024', '"65-79" = { "²⁰²⁴"')), r"expected a four-digit budget year, found '²⁰²⁴'"),
    Attack("Tenant TOML", "a year key in Arabic-Indic digits (was read as 2024)",
           run_with(toml_with('"65-79" = { 2024', '"65-79" = { "٢٠٢٤"')), r"expected a four-digit budget year, found '٢٠٢٤'"),
    Attack("Tenant TOML", "separator = 5", run_with(toml_with('path = "pop.csv"', 'path = "pop.csv"\nseparator = 5')),
           r"\[data\.population\]\.separator: expected one character"),
    Attack("Tenant TOML", "encoding = 5", run_with(toml_with('path = "pop.csv"', 'path = "pop.csv"\nencoding = 5')),
           r"\[data\.population\]\.encoding: expected the name of a text encoding"),
    Attack("Tenant TOML", "decimal_comma = \"yes\" (text, was taken as true)",
           run_with(toml_with('path = "pop.csv"', 'path = "pop.csv"\ndecimal_comma = "yes"')),
           r"decimal_comma: expected true or false \(without quotes\), found 'yes'"),
    Attack("Tenant TOML", "TOML nested 5 000 deep", run_with(DEEP), r"not valid TOML: arrays or tables nested too deeply"),
    Attack("Tenant TOML", "a rate of 1e300 (amounts near 1e308 in the report)",
           lambda folder: report(tenant(folder, toml_with('"80+" = { 2024 = 137300 }', '"80+" = { 2024 = 1e300 }'))),
           r"bands\.80\+\.2024: 1e\+300 is larger than any municipal figure \(at most 10\^15\)"),
    Attack("Tenant TOML", "inf as a rate", run_with(toml_with('"80+" = { 2024 = 137300 }', '"80+" = { 2024 = inf }')),
           r"expected a finite number, found inf"),
    Attack("Models", "an amount above 10^15 kr (would overflow the table's integers)",
           run_with(BIG_RATE, {"pop.csv": GOOD_POP.replace(",60\n", ",600\n")}),
           r"an amount of at most 10\^15 kr|above the 1 000 000 000 000 000 kr rfm computes with"),
    Attack("Models", "an age band \"200-300\" (past 130)",
           run_with(toml_with('"80+" = { 2024 = 137300 }', '"80+" = { 2024 = 137300 }, "200-300" = { 2024 = 1 }')),
           r"age group '200-300' goes (past|beyond) 130"),
    Attack("Models", "both recipient and recipient_column (one was silently used)",
           run_with(toml_with('recipient = "Äldreomsorg"', 'recipient = "Äldreomsorg"\nrecipient_column = "area"')),
           r"'recipient'.* and 'recipient_column'.* exclude each other"),
    Attack("Prices", "a price index level of 0 in the base year", lambda f: run(tenant(f, PRICES), "--prices", "current"),
           r"'pkv' is 0(\.0)? (in the base year|from) 2023; an index level must be above 0"),
    Attack("Prices", "a price index pkv = 1e300", lambda f: run(tenant(f, pkv(1e300)), "--prices", "current"),
           r"\[parameters\]\.pkv\.values\.2024: 1e\+300 is larger than any municipal figure \(at most 10\^15\)"),
    Attack("Prices", "a price index that lifts a rate past 10^15 kr (pkv 2·10^12 against 100 in 2023)",
           lambda f: run(tenant(f, pkv(2e12)), "--prices", "current"),
           # 137 300 kr × 2·10^10 = 2,746·10^15 kr, past the bound; 21 900 kr × 2·10^10 is within it
           r"model 'aldreomsorg': the rate of 'Äldreomsorg', 2024, '80\+' is 2 746 000 000 000 000; "
           r"expected a finite number of at most 1 000 000 000 000 000 \(1 such rows?\)$"),
    Attack("Tenant TOML", "a kr parameter of 1e300 (a distribution key's total)",
           run_with(KEY_TOML.replace("value = 1000000,", "value = 1e300,"), {"need.csv": NEED}),
           r"\[parameters\]\.budget\.values\.2024(\.value)?: 1e\+300 is larger than any municipal figure"),
    Attack("Command line", "--year 0", lambda f: [*run(tenant(f))[:4], "0"], r"--year: 0 is not a budget year"),
    Attack("Command line", "--years 0001-0002", lambda f: ["run", "--config", str(tenant(f)), "--years", "0001-0002"],
           r"--years: 1 is not a budget year"),
    Attack("Command line", "rfm simulate --seed -1",
           lambda f: ["simulate", "--config", str(tenant(f)), "--year", "2024", "--seed", "-1"],
           r"--seed: -1 is not a seed; expected a whole number, 0 or more"),
    Attack("Command line", "compare --scenario a --against a --format csv",
           lambda f: ["compare", "--config", str(tenant(f, scenarios("a"))), "--scenario", "a", "--against", "a",
                      "--year", "2024", "--format", "csv", "--out", "{out}"],
           r"--scenario and --against both name 'a': nothing to compare"),
    # -- plugins -------------------------------------------------------------------------------
    Attack("Plugins", "a plugin's tenant loader that raises",
           lambda f: ["run", "trasig", "--year", "2024"], r"tenant 'trasig' of plugin 'trasig-tenant' could not be loaded: KeyError",
           plugins=raising_loader_plugin),
    Attack("Plugins", "a plugin's tenant loader that calls sys.exit()",
           lambda f: ["run", "avslutar", "--year", "2024"], r"tenant 'avslutar' of plugin 'avslutar' could not be loaded: called sys\.exit\(3\)",
           plugins=exiting_loader_plugin),
]  # fmt: skip


@contextmanager
def at_most(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block takes longer: a FIFO would block open()."""

    def expire(signum: int, frame: Any) -> None:
        raise AssertionError(f"still running after {seconds} s: rfm waited on something")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def attempt(attack: Attack, folder: Path, host: PluginHost | None = None) -> tuple[Result, Path]:
    """Run one attack in ``folder``; return the result and the pre-written output file."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "ut.csv"
    args = attack.prepare(folder)
    if "{out}" in args:
        out.write_text(UNTOUCHED, encoding="utf-8")
    args = [a.replace("{out}", str(out)) for a in args]
    if attack.plugins is not None:
        host = PluginHost(plugins=attack.plugins())
    cli = build_cli(host or PluginHost())
    with at_most(20):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result, out


def error_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("attack", ATTACKS, ids=[f"{a.group}: {a.name}" for a in ATTACKS])
def test_hostile_input_is_one_clear_error(attack, tmp_path, rfm_host):
    result, out = attempt(attack, tmp_path, rfm_host)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    error_line(result)
    assert re.search(attack.expected, result.stderr), result.stderr
    if out.exists() and not out.is_fifo() and not out.is_dir() and not out.is_symlink():
        assert out.read_text(encoding="utf-8") == UNTOUCHED
    if attack.after is not None:
        attack.after(tmp_path)


# -- what reads well now (it was a traceback or a silent guess) -----------------------------------


def test_scenarios_named_like_comparison_columns_are_compared(rfm_cli, tenant_file):
    config = tenant_file(scenarios("diff", "model"), {"pop.csv": GOOD_POP})
    result = rfm_cli("compare", "--config", str(config), "--scenario", "model", "--against", "diff",
                     "--year", "2024", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]  # columns a and b: a scenario's name is data
    assert header == "model,recipient,year,a,b,diff,diff_share,a_kr,b_kr,diff_kr"
    as_json = rfm_cli("compare", "--config", str(config), "--scenario", "model", "--against",
                      "diff", "--year", "2024", "--format", "json")  # fmt: skip
    assert '"scenario": "model"' in as_json.stdout and '"diff"' in as_json.stdout


def test_scenario_standard_is_there_without_scenarios(rfm_cli, tenant_file):
    config = tenant_file(GOOD_TOML, {"pop.csv": GOOD_POP})
    result = rfm_cli("run", "--config", str(config), "--year", "2024", "--scenario", "standard")
    assert result.exit_code == 0, result.output
    assert "scenario standard" in result.stdout
    wrong = rfm_cli("run", "--config", str(config), "--year", "2024", "--scenario", "x")
    assert "known: standard" in wrong.stderr  # not "known: none"


def test_an_excel_sep_line_sets_the_separator(rfm_cli, tenant_file):
    text = "sep=;\r\narea;year;age;count\r\n9999;2024;65-79;100\r\n9999;2024;80+;60\r\n"
    config = tenant_file(GOOD_TOML, {"pop.csv": text.encode("cp1252")})
    result = rfm_cli("run", "--config", str(config), "--year", "2024", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(io.StringIO(result.stdout))
    assert rows["amount"].sum() == 100 * 21900 + 60 * 137300  # 10 428 000, by hand
    bad = text.replace("9999;2024;80+;60", "9999;2024;80+;x")
    result = rfm_cli(
        "run", "--config", str(tenant_file(GOOD_TOML, {"pop.csv": bad})), "--year", "2024"
    )
    assert "pop.csv, row 4, column 'count'" in result.stderr  # the sep= line is row 1


def test_minus_zero_is_shown_as_zero(rfm_cli, tenant_file):
    toml = GOOD_TOML.replace('"65-79" = { 2024 = 21900 }', '"65-79" = { 2024 = -0.0 }')
    pop = GOOD_POP.replace("65-79,100", "65-79,-0")
    config = tenant_file(toml, {"pop.csv": pop})
    minus_zero = re.compile(r"(?<![\w.-])-0(?:[.,]0+)?(?![\w.,])")  # "-0", "-0.0", "-0,0"
    csv_text = rfm_cli("run", "--config", str(config), "--year", "2024", "--format", "csv").stdout
    assert ",0.0,kr/invånare" in csv_text and not minus_zero.search(csv_text), csv_text
    explained = rfm_cli("explain", "--config", str(config), "--model", "aldreomsorg",
                        "--recipient", "Äldreomsorg", "--year", "2024").stdout  # fmt: skip
    assert explained and not minus_zero.search(explained), explained


def test_a_plugin_that_exits_or_interrupts_in_a_hook_breaks_only_itself():
    def exits(register: Any) -> None:
        raise SystemExit(2)

    def interrupts(cli: Any) -> None:
        raise KeyboardInterrupt

    host = PluginHost(
        plugins=[
            ("avslutar", plugin("avslutar", register_model_types=exits)),
            ("avbryter", plugin("avbryter", register_commands=interrupts)),
        ],
        on_broken=lambda message: None,
    )
    cli = build_cli(host)
    result = CliRunner().invoke(cli, ["run", "exempel", "--year", "2024"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    broken = {p.name: p.error for p in host.plugins() if p.status == "broken"}
    assert broken["avslutar"] == "raised in register_model_types: called sys.exit(2)"
    assert broken["avbryter"].startswith("raised in register_commands: raised KeyboardInterrupt")


def test_a_real_ctrl_c_still_stops_rfm():
    """Only a KeyboardInterrupt the plugin raised itself is the plugin's: SIGINT still stops."""

    def waits_for_ctrl_c(register: Any) -> None:
        # What pressing Ctrl-C does, sent to this thread: os.kill sends it to the process, and
        # the kernel may hand it to one of Polars' threads, from which it reaches the main
        # thread a moment later (under load, after the next line has run).
        signal.raise_signal(signal.SIGINT)
        raise AssertionError("the signal should have interrupted this hook")

    host = PluginHost(plugins=[("vantar", plugin("vantar", register_tenants=waits_for_ctrl_c))])
    with pytest.raises(KeyboardInterrupt):
        host.plugins()  # gathers the registry: calls the hook


def test_reproduce_writes_archived_inputs_only_under_its_own_folder(rfm_registry, tmp_path):
    """An archive and a tenant from someone else, with a dataset named like a path."""
    from rfm.archive import RunArchive, reproduce
    from rfm.engine import run as run_tenant

    config = tenant(tmp_path / "a")
    chosen = rfm.load_tenant_file(config, rfm_registry)
    store = RunArchive(tmp_path / "arkiv.sqlite")
    run_id = store.save(run_tenant(chosen, rfm_registry, [2024]), "KF", {})
    victim = tmp_path / "victim" / "x.csv"  # its folder exists: the old code wrote here
    victim.parent.mkdir()
    evil = f"../../../../../../../../..{victim.with_suffix('')}"
    import sqlite3

    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE inputs SET name = ? WHERE run_id = ?", (evil, run_id))
    datasets = {**chosen.datasets, evil: chosen.datasets["population"]}
    hostile = attrs.evolve(chosen, datasets=datasets)
    archived, again = reproduce(store, run_id, hostile, rfm_registry)
    assert archived.equals(again)  # it still reproduces, from input-1.csv
    assert not victim.exists() and list(victim.parent.iterdir()) == []


# -- the CSV reader in pieces reads what it read whole --------------------------------------------


PIECES = ["a", "1", " ", ";", ",", "\t", "\n", "\r\n", "2,5", "", "å", "\xa0", "x y", "sep=;\n"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join))
def test_the_csv_reader_in_small_pieces_reads_what_the_csv_module_reads(monkeypatch, text):
    """Pieces of 5 characters: every boundary case (a blank line, the header, a too-wide row in
    a later piece) meets the piecewise reading; it must give what the csv module gives."""
    import csv

    from polars.testing import assert_frame_equal

    from rfm.errors import RfmError
    from rfm.io import csv_reader

    monkeypatch.setattr(csv_reader, "CHUNK_CHARS", 5)
    if not text.strip():
        return
    sep = csv_reader.sniff_separator(csv_reader._first_line(text))
    results: list[object] = []
    for read in (
        lambda: csv_reader._to_table(
            csv.reader(io.StringIO(text, newline=""), delimiter=sep), "f.csv", sep, True
        ),
        lambda: csv_reader._unquoted_table(text, "f.csv", sep, True),
    ):
        try:
            results.append(read())
        except RfmError as exc:
            results.append(str(exc))
    slow, fast = results
    if fast is None:
        return
    if isinstance(slow, str) or isinstance(fast, str):
        assert slow == fast
    else:
        assert_frame_equal(slow.frame, fast.frame)  # type: ignore[attr-defined]


# -- docs/reliability.md ----------------------------------------------------------------------------

HERE = "tests/core/test_adversarial_hardening.py"
PROCESSES = "tests/core/test_hardening_processes.py"
HOSTILE = "tests/kolada/test_hostile_server.py"
NAMES = "tests/reports/test_names_are_data.py"

ELSEWHERE = [
    # (input, class of input, the test, what the user sees)
    ("Kolada", "a server sending one byte every 0.2 s (each read fast, the whole never)",
     f"{HOSTILE}::test_a_trickling_server_is_cut_off_at_the_requests_total_timeout",
     "Kolada did not answer … usefully after 1 attempt: no complete answer within 1 s"),
    ("Kolada", "rfm kolada --timeout 1 --deadline 2.5 against a server sending a byte every 2 s",
     f"{HOSTILE}::test_rfm_kolada_timeout_and_deadline_bound_the_command",
     "Kolada did not answer … within the 2.5 s this command allows (last problem: …); ends by 2.5 s"),
    ("Kolada", "rfm report against a stalled Kolada",
     f"{HOSTILE}::test_rfm_report_waits_a_few_seconds_for_kolada_at_most",
     "(the report is written; its section says: Kolada svarade inte, så jämförelsen saknas … no complete answer within 3 s; at most 3 s a section)"),
    ("Kolada", "rfm report --offline", f"{HOSTILE}::test_rfm_report_offline_asks_kolada_nothing",
     "(no request; the section says: --offline: N Kolada request(s) are not in the cache …)"),
    ("Kolada", "a next_url with a new query on every page, for ever",
     f"{HOSTILE}::test_an_endless_paginator_is_stopped_at_the_page_bound",
     "Kolada sent more than 100 pages for … (each next_url new); stopped: no rfm request has that many"),
    ("Kolada", "a 300 MB answer (no Content-Length)",
     f"{HOSTILE}::test_a_300_mb_answer_is_not_read_past_the_byte_bound",
     "Kolada's answer to … is larger than 64 MB (it kept coming); stopped reading it (…)"),
    ("Kolada", "a Content-Length of 300 MB",
     f"{HOSTILE}::test_a_declared_300_mb_answer_is_refused_before_reading",
     "Kolada's answer to … is larger than 64 MB (it says 314572800 bytes); stopped reading it (…)"),
    ("Kolada", "Retry-After: 99999999", f"{HOSTILE}::test_an_absurd_retry_after_stops_at_once_and_says_why",
     "Kolada asked rfm to wait 99 999 999 s before asking again (HTTP 429, Retry-After); rfm waits at most 60 s, so it stopped: try again later (…)"),
    ("Kolada", "Retry-After: 1", f"{HOSTILE}::test_a_short_retry_after_is_waited_for_and_said",
     "(waits, and says on stderr: Kolada: HTTP 429; waiting 1 s before trying again)"),
    ("Kolada", "an HTML page (a proxy or hotel wifi login) with HTTP 200",
     f"{HOSTILE}::test_an_html_page_is_called_an_html_page",
     "Kolada did not answer … usefully after 4 attempts: the answer is not JSON (an HTML page: 'Logga in - Hotellets wifi'); is the base URL a Kolada v3 API?"),
    ("Kolada", "a value \"NaN\", true, an object, \"12,5\" or a bare NaN",
     f"{HOSTILE}::test_a_value_that_is_not_a_number_is_missing_and_says_what_came",
     "(missing, never a number; status: ogiltigt värde från Kolada: 'NaN' (inget tal; räknas som saknat))"),
    ("Kolada", "rfm goals when Kolada sends \"NaN\", true or NaN for every value",
     "tests/integration/test_goals_with_broken_values.py",
     "(all 17 indicators \"kan inte bedömas\", each reason naming what Kolada sent; not \"ej uppfyllt\")"),
    ("Kolada", "rfm kolada fetch --format json with such a value",
     f"{HOSTILE}::test_fetch_as_json_is_valid_json_with_null_for_what_is_not_a_number",
     "(valid JSON: null, never a bare NaN)"),
    ("Kolada", "a period 2000.9 (was read as 2000)", f"{HOSTILE}::test_a_row_that_cannot_be_placed_is_refused",
     "a Kolada data row has an unexpected shape (period 2000.9 is not a whole number): …"),
    ("Kolada", "a count \"abc\"", f"{HOSTILE}::test_a_row_that_cannot_be_placed_is_refused",
     "a Kolada data row has an unexpected shape (count 'abc' is not a whole number): …"),
    ("Kolada cache", "a cached answer that is not JSON", f"{HOSTILE}::test_a_damaged_cache_record_is_named",
     "the Kolada cache file … holds an answer that is not JSON; delete it or run 'rfm kolada refresh'"),
    ("Kolada cache", "a fetched_at without a time zone", f"{HOSTILE}::test_a_damaged_cache_record_is_named",
     "the Kolada cache file … is damaged (fetched_at '2024-01-01T10:00:00' has no time zone); delete it or run 'rfm kolada refresh'"),
    ("Kolada cache", "a record that is a list, or a URL that is a number",
     f"{HOSTILE}::test_a_damaged_cache_record_is_named", "the Kolada cache file … is damaged (…); delete it or run 'rfm kolada refresh'"),
    ("Kolada cache", "a cache folder that cannot be created",
     f"{HOSTILE}::test_a_cache_folder_that_cannot_be_made_is_a_clear_error",
     "cannot write the Kolada cache folder … (File exists); give --cache-dir or RFM_CACHE_DIR a folder rfm may write in"),
    ("Kolada cache", "rfm report when the cache folder cannot be created",
     f"{HOSTILE}::test_rfm_report_says_when_the_cache_cannot_be_made",
     "(the report is written; its section says: … cannot write the Kolada cache folder …)"),
    ("Run archive", "kill -9 at 20 moments of the archive's first creation",
     f"{PROCESSES}::test_a_kill_loop_over_the_archives_first_creation_loses_nothing",
     "(every later save and runs list work; a run whose save finished is kept; none lost)"),
    ("Run archive", "two first saves at once", f"{PROCESSES}::test_two_first_saves_at_once_both_succeed",
     "(both saved, one after the other)"),
    ("Run archive", "an empty file as the archive", f"{PROCESSES}::test_an_empty_file_is_a_new_archive",
     "(a new archive: runs list shows none, a save works)"),
    ("Run archive", "runs list in a read-only folder (WAL needs -shm)",
     f"{PROCESSES}::test_a_read_only_folder_is_read_without_writing", "(lists the runs; nothing written)"),
    ("Run archive", "--save in a read-only folder", f"{PROCESSES}::test_a_read_only_folder_is_read_without_writing",
     "…/rfm-arkiv.sqlite: cannot write the archive: the file or its folder is read-only (SQLite: …); the run was not saved; earlier runs are intact"),
    ("Run archive", "--save on a full disk", f"{PROCESSES}::test_a_full_disk_says_the_disk_is_full_and_loses_nothing",
     "…/rfm-arkiv.sqlite: the disk is full (no space left on the device); the run was not saved; earlier runs are intact"),
    ("Run archive", "runs reproduce of an archive whose input is named '../../…/victim/x'",
     f"{HERE}::test_reproduce_writes_archived_inputs_only_under_its_own_folder",
     "(reproduces from input-1.csv in its own temporary folder; nothing written elsewhere)"),
    ("Outputs", "--save --out whose file cannot be put in place after the run was stored",
     f"{HERE}::test_an_output_that_cannot_be_put_in_place_takes_its_run_back",
     "(the error; the run is taken out of the archive again, the old file untouched)"),
    ("Outputs", "--out on a full disk, with --save", f"{PROCESSES}::test_a_full_disk_says_the_disk_is_full_and_loses_nothing",
     "…/ut.csv: the disk is full (no space left on the device); nothing was written (and the run is not stored)"),
    ("Outputs", "names like =HYPERLINK(…), =cmd|' /C calc'!A0, +1, -1, @SUM(…), markup, OSC/ANSI escapes in every output of run, compare, report and docs",
     f"{NAMES}::test_random_names_come_out_as_data_in_every_format, ::test_libreoffice_finds_only_rfms_formulas_among_the_nastiest_names",
     "(text in every format: CSV cells '=…, workbook text cells (LibreOffice finds only rfm's formulas), HTML and Markdown escaped, terminal escapes shown as \\x1b)"),
    ("Outputs", "rfm goals with indicators and a tenant named =HYPERLINK(…), +1, -1, @SUM(…), =cmd|…",
     "tests/integration/test_goals_names_are_data.py::test_formula_like_names_never_become_formulas_in_rfm_goals",
     "(CSV cells '=…, JSON as written, workbook text cells, no formula before or after LibreOffice opens it)"),
    ("Outputs", "rfm docs --format md with `<script>`, a link to javascript:, OSC and CSI escapes in the terminal",
     "tests/core/test_display.py::test_terminal_and_markdown_text, ::test_csv_cells_that_could_start_a_formula_get_an_apostrophe_numbers_stay",
     "(Markdown escaped: no tag, no link; terminal text shows control characters as \\x1b, \\x9b)"),
    ("Outputs", "--out into a read-only folder (csv, xlsx, json, html; with --save)",
     f"{PROCESSES}::test_out_into_a_read_only_folder_is_one_clear_error_and_writes_nothing",
     "…/ut/ut.csv: cannot write in the folder …/ut (read-only)"),
    ("Plugins", "a plugin whose import sleeps 5 s, and rfm --help",
     f"{PROCESSES}::test_a_slow_plugin_import_does_not_delay_help",
     "Warning: rfm plugin 'langsam' is broken and was skipped: still importing langsam after 0.5 s; … (help in under a second)"),
    ("Plugins", "a plugin whose import calls sys.exit(3)",
     f"{PROCESSES}::test_a_plugin_import_that_exits_or_interrupts_breaks_only_that_plugin",
     "Warning: rfm plugin 'avslutar' is broken and was skipped: failed to load avslutar: called sys.exit(3)"),
    ("Plugins", "a plugin whose import raises KeyboardInterrupt",
     f"{PROCESSES}::test_a_plugin_import_that_exits_or_interrupts_breaks_only_that_plugin",
     "Warning: rfm plugin 'avbryter' is broken and was skipped: failed to load avbryter: raised KeyboardInterrupt itself (no Ctrl-C was pressed)"),
    ("Plugins", "sys.exit() or KeyboardInterrupt in a plugin's hook",
     f"{HERE}::test_a_plugin_that_exits_or_interrupts_in_a_hook_breaks_only_itself",
     "(rfm plugins: broken, raised in register_model_types: called sys.exit(2); the run works)"),
    ("Plugins", "a real Ctrl-C while a plugin's hook runs", f"{HERE}::test_a_real_ctrl_c_still_stops_rfm",
     "(stops rfm, as Ctrl-C should)"),
    ("Plugins", "report section ids with markup, quotes, spaces, or the id of rfm's own section or of another",
     f"{HERE}::test_a_plugins_hostile_section_ids_are_safe_unique_and_linked",
     "(in Chromium: nothing runs, every id is there once (s-…, sources-2), each link of the contents leads to its section)"),
    ("Command line", "scenarios named diff or model (a column clash)",
     f"{HERE}::test_scenarios_named_like_comparison_columns_are_compared", "(compared; columns model (A), diff (B))"),
    ("Command line", "--scenario standard in a tenant without [scenarios] (was \"known: none\")",
     f"{HERE}::test_scenario_standard_is_there_without_scenarios", "(runs the default scenario)"),
    ("CSV", "an Excel sep=; first line", f"{HERE}::test_an_excel_sep_line_sets_the_separator",
     "(read with ';'; the line counts as row 1)"),
    ("CSV", "-0 as a count or a rate (was printed -0.0)", f"{HERE}::test_minus_zero_is_shown_as_zero",
     "(0, in every output)"),
    ("CSV", "a 250 MB CSV (was 3.7 GB, quoted 6.2 GB)", f"{PROCESSES}::test_reading_a_csv_stays_within_a_few_times_the_file",
     "(read in 1.3 GB and 4 s, quoted 1.0 GB: a few times the file)"),
]  # fmt: skip

THREAT_MODEL = [
    "The rows from `tests/core/test_adversarial_hardening.py` on are hostile input (issue 18):",
    "what someone else's tenant folder, run archive, plugin or Kolada answer could do. Their",
    "messages are observed the same way; a message in parentheses says what happens instead of",
    "an error (a value kept missing, a wait said on stderr, a read that writes nothing). The",
    "hostile Kolada servers, the kill -9 loop, the read-only and full file systems and the slow",
    "plugin run in their own tests, named in the last column.",
    "",
    "## Threat model: what rfm trusts and what it does not",
    "",
    "rfm **trusts** its own code, the Python packages it depends on, and the plugins installed",
    "in its environment: a plugin is code, and installing it is a decision to run it. It does not",
    "trust what arrives as data, even from a plugin: a plugin's import, hook, tenant loader or",
    "report section that fails (even by `sys.exit()` or a stray `KeyboardInterrupt`) breaks that",
    "plugin, with its name in the message, never rfm, and a slow plugin import does not hold up",
    "`rfm --help`.",
    "",
    "rfm **does not trust**, and checks as if they came from someone else:",
    "",
    "* **a tenant folder** (its tenant file and data files): configuration is read as data, never",
    "  evaluated; every path stays inside the folder (no `..`, absolute path, symlink out or NUL",
    "  byte); names that may become file names (tenant, model, dataset, scenario) must fully match",
    "  `[a-z0-9][a-z0-9_-]*`; only regular files are read (a FIFO or device is refused, not waited",
    "  on); numbers must be finite and at most 10^15, amounts at most 10^15 kr; sizes a file",
    "  declares (a JSON-stat cube) are bounded before anything is allocated; a CSV is read in",
    "  a few times its size in memory.",
    "* **a run archive** (an SQLite file someone hands over): it is read read-only; a file that is",
    "  not an rfm archive is refused and never written; `runs reproduce` writes the archived inputs",
    "  only as `input-N` in its own temporary folder, whatever names the archive holds; an archive",
    "  of another tenant is refused.",
    "* **a Kolada answer** (or whatever answers at the Kolada URL): every request has a total",
    "  deadline and every command a bound; pages (100), bytes (64 MB) and waits (Retry-After up",
    "  to 60 s, said on stderr) are bounded; paging links must stay on the server; a value that",
    "  is not a number is missing, never coerced; the cache on disk is checked when read.",
    "* **the place an output goes**: `--out` replaces only a regular file the user may write",
    "  (never a symlink, FIFO, device or read-only file), through a temporary file and one",
    "  rename; `--save` stores the run only if the output was written.",
    "",
    "Escaping of what rfm writes (formulas in workbooks and CSV, Markdown, HTML, terminal escape",
    "sequences) is the other half of this model; its tests are listed in the table as well when",
    "they are part of the adversarial suite.",
]


def observed_messages(tmp: Path) -> dict[str, str]:
    """Each attack's message as the document shows it (first line, folders as …)."""
    from tests.core.test_adversarial import first_line

    messages = {}
    for i, attack in enumerate(ATTACKS):
        folder = tmp / f"h{i}"
        result, _ = attempt(attack, folder)
        messages[attack.name] = first_line(result.stderr, folder)
    return messages


def document_rows(start: int, messages: dict[str, str]) -> list[str]:
    """The table rows of this suite, numbered from ``start``."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = []
    for i, attack in enumerate(ATTACKS, start=start):
        test = f"{HERE}::test_hostile_input_is_one_clear_error[{attack.group}: {attack.name}]"
        shown = messages[attack.name]
        rows.append(f"| {i} | {attack.group} | {cell(attack.name)} | `{shown}` | {test} |")
    for j, (group, name, test, message) in enumerate(ELSEWHERE, start=start + len(ATTACKS)):
        rows.append(f"| {j} | {group} | {cell(name)} | `{cell(message)}` | {test} |")
    return rows


# -- --save and --out: both or neither --------------------------------------------------------------


def test_save_with_out_stores_the_run_and_writes_the_file(rfm_cli, tenant_file, tmp_path):
    config = tenant_file(GOOD_TOML, {"pop.csv": GOOD_POP})
    out = tmp_path / "ut.csv"
    result = rfm_cli("run", "--config", str(config), "--year", "2024", "--format", "csv",
                     "--out", str(out), "--save", "--label", "KF")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Sparad som körning 1" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("tenant,model")
    assert list(tmp_path.glob(".ut.csv.*")) == []  # no temporary file left
    assert "KF" in rfm_cli("runs", "list", "--config", str(config)).stdout


def test_an_output_that_cannot_be_put_in_place_takes_its_run_back(
    rfm_cli, tenant_file, tmp_path, monkeypatch
):
    """The last step (the rename) failing after the run was stored: the run is removed again."""
    from rfm.errors import OutputError
    from rfm.io import atomic

    def fail(self: atomic.HeldOutputs) -> None:
        raise OutputError("ut.csv: the rename failed")

    monkeypatch.setattr(atomic.HeldOutputs, "release", fail)
    config = tenant_file(GOOD_TOML, {"pop.csv": GOOD_POP})
    out = tmp_path / "ut.csv"
    out.write_text(UNTOUCHED, encoding="utf-8")
    result = rfm_cli("run", "--config", str(config), "--year", "2024", "--format", "csv",
                     "--out", str(out), "--save")  # fmt: skip
    assert result.exit_code == 1 and "the rename failed" in result.stderr
    assert "Sparad" not in result.stderr
    assert out.read_text(encoding="utf-8") == UNTOUCHED
    assert list(tmp_path.glob(".ut.csv.*")) == []
    listed = rfm_cli("runs", "list", "--config", str(config))
    assert listed.exit_code == 0 and "standard" not in listed.stdout  # no run left behind


def test_a_report_section_that_raises_is_left_out_and_said(tmp_path):
    """One plugin cannot stop the report: its section is left out, with a warning naming the
    plugin on stderr and a section in the report saying what is missing (not silently gone)."""
    attack = Attack("Plugins", "a plugin's report section that raises",
                    lambda f: report(tenant(f)), "", plugins=raising_section_plugin)  # fmt: skip
    result, out = attempt(attack, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "trasig" in result.stderr or "raising_section_plugin" in result.stderr
    assert "ZeroDivisionError" in result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Avsnitt som saknas" in html and "division by zero in a plugin" in html


# -- a plugin's report sections: ids from someone else ---------------------------------------------

HOSTILE_IDS = [
    '"><script>alert(1)</script>',  # would close the attribute and run
    'it\'s "quoted"',
    "två ord med mellanslag",
    "a b",  # made safe, 'a b' and 'a/b' would be the same id
    "a/b",
    "sources",  # the id of rfm's own section of sources
    "money",
    "kolada",  # a plain name: kept as it is
    "kolada",  # … but once only
]


def hostile_sections_plugin() -> list[tuple[str, Any]]:
    def sections(result: Any, registry: Any, lang: str) -> list[tuple[str, str, str]]:
        return [(raw, f"Avsnitt {i} <b>fet</b>", f"<p>innehåll {i}</p>")
                for i, raw in enumerate(HOSTILE_IDS)]  # fmt: skip

    return [("fientlig", plugin("fientlig", register_report_sections=lambda register: register(sections)))]  # fmt: skip


def test_a_plugins_hostile_section_ids_are_safe_unique_and_linked(tmp_path):
    """Section ids with markup, quotes, spaces, and ids rfm's own sections or each other already
    have: in Chromium nothing runs, every id in the page is there once, every link of the
    contents leads to the section of that title, and the titles are text."""
    import shutil

    from playwright.sync_api import sync_playwright

    from tests.core.serve_helpers import CHROMIUM_FLAGS

    attack = Attack("Plugins", "hostile section ids", lambda f: report(tenant(f)), "",
                    plugins=hostile_sections_plugin)  # fmt: skip
    result, out = attempt(attack, tmp_path)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;b&gt;fet&lt;/b&gt;" in html
    page_file = tmp_path / "rapport.html"  # attempt() writes --out as ut.csv
    page_file.write_text(html, encoding="utf-8")
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "Chromium is needed: .ci/run installs Debian's chromium"
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_file.as_uri(), wait_until="load")
        found = page.evaluate(
            """() => ({
                ids: [...document.querySelectorAll('[id]')].map(e => e.id),
                scripts: document.querySelectorAll('script').length,
                links: [...document.querySelectorAll('nav a')].map(a => {
                    const target = document.getElementById(
                        decodeURIComponent(a.getAttribute('href').slice(1)));
                    return [a.textContent, target && target.tagName === 'SECTION'
                        ? target.querySelector('h2').textContent : null];
                }),
            })"""
        )
        browser.close()
    assert dialogs == [] and found["scripts"] == 0
    assert len(found["ids"]) == len(set(found["ids"])), sorted(found["ids"])
    titles = [f"Avsnitt {i} <b>fet</b>" for i in range(len(HOSTILE_IDS))]
    links = dict(found["links"])
    assert len(found["links"]) == len(links)  # no two sections of one title
    for title in titles:
        assert links.get(title) == title, found["links"]
    for text, target in found["links"]:
        assert text == target, found["links"]  # rfm's own sections lead to themselves too
    assert 'id="kolada"' in html  # a plain, free id is kept as the plugin wrote it
