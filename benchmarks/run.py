"""Measure rfm on the workloads W1–W3 against its baselines and print every figure.

    uv run python benchmarks/run.py            # the full workloads (a few minutes)
    uv run python benchmarks/run.py --quick    # 12 kommuner, 200 draws: a smoke run

Each figure is measured in a fresh child process (wall time with time.perf_counter, peak memory
as the child's maximum resident set size), as the median of ``--repeat`` runs after one warm-up
run that also lets Python write its bytecode. Figures are printed, never asserted: speed
depends on the machine, so docs/performance.md records them with the machine they came from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

YEARS = "2024-2040"


# -- children: each prints one JSON object -----------------------------------------------------


def child(kind: str, folder: Path, extra: list[str]) -> dict[str, Any]:
    """Run one measured job in this (fresh) process."""
    if kind == "command":
        start = time.perf_counter()
        done = subprocess.run(extra, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(extra)} failed:\n{done.stderr}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return {"seconds": seconds, "peak_mb": peak / 1024}
    start = time.perf_counter()
    extra_figures: dict[str, Any] = {}
    if kind.endswith("-engine"):
        import rfm
        import rfm.engine
        import rfm.models
        import rfm.schemas.checks  # imports (pandera, Polars) are start-up, not the engine
        from rfm.plugins import PluginHost

        registry = PluginHost().registry
        start = time.perf_counter()
        name = kind.removesuffix("-engine")
        tenant = rfm.load_tenant_file(folder / name / f"{name}.toml", registry)
        result = rfm.run(tenant, registry, range(2024, 2041))
        rows = result.rows.height  # the run's own rows; text is rendered only when shown
        extra_figures["bytes_per_row"] = result.rows.estimated_size() / max(rows, 1)
    elif kind.endswith("-direct"):
        import direct  # imports Polars: start-up, as for the engine

        start = time.perf_counter()
        name = kind.removesuffix("-direct")
        reference = direct.w1 if name == "w1" else direct.w2
        frame = reference(folder / name)
        rows = frame.height
        extra_figures["bytes_per_row"] = frame.estimated_size() / max(rows, 1)
    elif kind in ("w1-naive", "w2-naive"):
        import naive

        rows = len(naive.w1(folder / "w1") if kind == "w1-naive" else naive.w2(folder / "w2"))
    else:
        raise SystemExit(f"unknown child {kind}")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mb": peak / 1024, "rows": rows, **extra_figures}


def run_once(kind: str, folder: Path, extra: list[str]) -> dict[str, Any]:
    """One child run in a fresh process: its seconds, peak memory and counts."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--work", str(folder), "--", *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark {kind} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median seconds, the largest peak and the counts of some runs of one kind."""
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        **{k: runs[0][k] for k in ("rows", "bytes_per_row") if k in runs[0]},
    }


def measure(kind: str, folder: Path, extra: list[str], repeat: int) -> dict[str, Any]:
    """The median of ``repeat`` child runs after one warm-up run."""
    runs = [run_once(kind, folder, extra) for _ in range(repeat + 1)]
    return summary(runs[1:])


def measure_pair(
    a: tuple[str, list[str]], b: tuple[str, list[str]], folder: Path, repeat: int
) -> tuple[dict[str, Any], dict[str, Any], float]:
    """A and B run in turn (A B, B A, A B …, after one warm-up pair), each in a fresh process;
    the ratio A ÷ B is taken pair by pair and its median returned with each side's figures.

    Pairing keeps a ratio honest on a shared machine whose speed drifts during the call: both
    sides of a pair ran under the same load; which side goes first alternates, so that the order
    itself (a file cache the first run warms) favours neither.
    """
    pairs = []
    for i in range(repeat + 1):
        if i % 2:
            second = run_once(b[0], folder, b[1])
            pairs.append((run_once(a[0], folder, a[1]), second))
        else:
            first = run_once(a[0], folder, a[1])
            pairs.append((first, run_once(b[0], folder, b[1])))
    pairs = pairs[1:]
    ratio = statistics.median(x["seconds"] / y["seconds"] for x, y in pairs)
    return summary([x for x, _ in pairs]), summary([y for _, y in pairs]), ratio


# -- checks and baselines that are not timings ---------------------------------------------------


def same_amounts(folder: Path) -> dict[str, float]:
    """The largest relative difference between rfm's and the pure-Python amounts, per workload."""
    import naive

    import rfm
    from rfm.plugins import PluginHost

    registry = PluginHost().registry
    worst = {}
    for name, baseline in (("w1", naive.w1), ("w2", naive.w2)):
        tenant = rfm.load_tenant_file(folder / name / f"{name}.toml", registry)
        totals = rfm.run(tenant, registry, range(2024, 2041)).totals()
        ours = {(m, r, y): float(a) for m, r, y, a in totals.iter_rows()}
        theirs = baseline(folder / name)
        if ours.keys() != theirs.keys():
            raise SystemExit(f"{name}: rfm and the baseline give different rows")
        worst[name] = max(abs(ours[k] - theirs[k]) / max(abs(theirs[k]), 1.0) for k in ours)
    return worst


def same_rows_as_direct(folder: Path) -> dict[str, float]:
    """Check that rfm's engine and the direct-Polars reference give the same rows (model,
    recipient, year, component, in the same order); the largest relative amount difference."""
    import direct
    import polars as pl

    import rfm
    from rfm.plugins import PluginHost

    registry = PluginHost().registry
    keys = ["model", "recipient", "year", "component"]
    worst = {}
    for name, reference in (("w1", direct.w1), ("w2", direct.w2)):
        tenant = rfm.load_tenant_file(folder / name / f"{name}.toml", registry)
        ours = rfm.run(tenant, registry, range(2024, 2041)).rows
        theirs = reference(folder / name)
        if not ours.select(keys).cast(pl.String).equals(theirs.select(keys).cast(pl.String)):
            raise SystemExit(f"{name}: rfm and the direct-Polars reference give different rows")
        amount = ours["amount"].cast(pl.Float64)
        worst[name] = float(
            ((amount - theirs["amount"]).abs() / theirs["amount"].abs().clip(lower_bound=1.0)).max()
        )
    return worst


def libreoffice(folder: Path, work: Path) -> dict[str, float] | None:
    """Seconds for LibreOffice headless to open, recalculate and save W1's workbook, and to do
    the same with an empty workbook (its start-up), or None without LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    import xlsxwriter

    import rfm
    from rfm.plugins import PluginHost
    from rfm.reports.workbook import write_workbook

    registry = PluginHost().registry
    tenant = rfm.load_tenant_file(folder / "w1" / "w1.toml", registry)
    book = work / "w1.xlsx"
    write_workbook(rfm.run(tenant, registry, range(2024, 2041)), book)
    empty = work / "empty.xlsx"
    with xlsxwriter.Workbook(str(empty)) as wb:
        wb.add_worksheet().write_formula("A1", "=1+1")
    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/'
        '2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org'
        '/2001/XMLSchema-instance">\n<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    seconds = {}
    for label, path in (("cold start", empty), ("startup", empty), ("w1", book)):
        start = time.perf_counter()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", "xlsx", "--outdir", str(work / "recalculated"), str(path)],
            capture_output=True, check=True, timeout=1800,
        )  # fmt: skip
        seconds[label] = time.perf_counter() - start
    return {"w1": seconds["w1"], "startup": seconds["startup"], "bytes": book.stat().st_size}


# -- the report --------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2
    except OSError:
        memory = float("nan")
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB; Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="rfm's benchmarks (W1–W3 and baselines)")
    parser.add_argument("--quick", action="store_true", help="12 kommuner, 200 draws")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int)
    parser.add_argument("--work", type=Path, help="folder for workloads (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.work, args.extra)))
        return

    import polars as pl
    import workloads

    draws = args.draws or (200 if args.quick else 10_000)
    repeat = 1 if args.quick else args.repeat
    paired = 1 if args.quick else max(args.repeat, 5)  # pairs for the ratios (A B A B …)
    with tempfile.TemporaryDirectory(prefix="rfm-bench-") as tmp:
        folder = args.work or Path(tmp)
        start = time.perf_counter()
        w1_toml, w2_toml = workloads.generate(folder, 12 if args.quick else None)
        generated = time.perf_counter() - start
        population_rows = pl.scan_csv(folder / "w1" / "befolkning.csv").select(pl.len()).collect()
        need_rows = pl.scan_csv(folder / "w2" / "behov.csv").select(pl.len()).collect()
        n_pop, n_need = population_rows.item(), need_rows.item()
        rfm_cli = str(Path(sys.executable).with_name("rfm"))
        out = Path(tmp) / "out"
        out.mkdir(exist_ok=True)
        f: dict[str, Any] = {"machine": machine(), "quick": args.quick, "draws": draws}
        f["rows"] = {"W1 population": n_pop, "W2 need variables": n_need}
        f["generate_seconds"] = generated
        f["help"] = measure("command", folder, [rfm_cli, "--help"], max(repeat, 3))
        f["plugins"] = measure("command", folder, [rfm_cli, "plugins"], max(repeat, 3))
        for name, toml, fmt in (("w1", w1_toml, "csv"), ("w2", w2_toml, "parquet")):
            f[f"{name}_cli"] = measure(
                "command", folder,
                [rfm_cli, "run", "--config", str(toml), "--years", YEARS, "--format", fmt,
                 "--out", str(out / f"{name}.{fmt}")],
                repeat,
            )  # fmt: skip
            f[f"{name}_engine"], f[f"{name}_direct"], f[f"{name}_ratio"] = measure_pair(
                (f"{name}-engine", []), (f"{name}-direct", []), folder, paired
            )
            f[f"{name}_naive"] = measure(f"{name}-naive", folder, [], repeat)
        # The whole `rfm run` of W1 beside the reference run the same way: a fresh process that
        # reads the files and writes the rows as CSV.
        f["w1_cli_csv"], f["w1_direct_cli"], f["w1_cli_ratio"] = measure_pair(
            ("command", [rfm_cli, "run", "--config", str(w1_toml), "--years", YEARS,
                         "--format", "csv", "--out", str(out / "w1-rfm.csv")]),
            ("command", [sys.executable, str(HERE / "direct.py"), "w1", str(folder / "w1"),
                         str(out / "w1-direct.csv")]),
            folder,
            paired,
        )  # fmt: skip
        start = time.perf_counter()
        workloads.generate_large(folder, 12 if args.quick else None)
        f["generate_large_seconds"] = time.perf_counter() - start
        f["rows"]["W2-large need variables"] = (
            pl.scan_csv(folder / "w2large" / "behov.csv").select(pl.len()).collect().item()
        )
        f["w2large_engine"] = measure("w2large-engine", folder, [], 1)
        f["w2large_direct"] = measure("w2large-direct", folder, [], 1)
        f["w3"] = measure(
            "command", folder,
            [rfm_cli, "simulate", "--config", str(w1_toml), "--years", YEARS, "--draws",
             str(draws), "--format", "parquet", "--out", str(out / "w3.parquet")],
            1,
        )  # fmt: skip
        f["difference"] = same_amounts(folder)
        f["direct_difference"] = same_rows_as_direct(folder)
        f["libreoffice"] = libreoffice(folder, Path(tmp))
    print(report(f))
    if args.json:
        args.json.write_text(json.dumps(f, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def report(f: dict[str, Any]) -> str:
    """The figures as a text table with each target and ratio."""
    w1e, w1n, w2e, w2n = f["w1_engine"], f["w1_naive"], f["w2_engine"], f["w2_naive"]
    n_pop, n_need = f["rows"]["W1 population"], f["rows"]["W2 need variables"]
    # Monte Carlo the naive way: one engine run per draw (the same run rfm makes six of).
    naive_w3 = f["draws"] * w1e["seconds"]
    w1d, w2d = f["w1_direct"], f["w2_direct"]
    large, large_d = f["w2large_engine"], f["w2large_direct"]
    n_large = f["rows"]["W2-large need variables"]
    cli, cli_d = f["w1_cli_csv"], f["w1_direct_cli"]
    lines = [
        ("rfm --help", f["help"]["seconds"], "s", 0.25, None, ""),
        ("rfm plugins", f["plugins"]["seconds"], "s", 0.25, None, ""),
        ("W1 engine ÷ direct Polars", f["w1_ratio"], "×", 1.5, None,
         f"rfm {w1e['seconds']:.2f} s, direct Polars {w1d['seconds']:.2f} s (medians; the "
         "ratio is the median of pairs run in turn)"),
        ("W2 engine ÷ direct Polars", f["w2_ratio"], "×", 1.5, None,
         f"rfm {w2e['seconds']:.2f} s, direct Polars {w2d['seconds']:.2f} s (the same)"),
        ("W1 `rfm run` ÷ direct program", f["w1_cli_ratio"], "×", 1.5, None,
         f"rfm run {cli['seconds']:.2f} s, python benchmarks/direct.py {cli_d['seconds']:.2f} s "
         "(fresh processes, CSV in and out)"),
        (f"W2-large engine ({n_large:,} input rows)", large["seconds"], "s", 3.0,
         large["seconds"] / large_d["seconds"],
         f"peak {large['peak_mb']:,.0f} MB (target < 1 536); direct Polars "
         f"{large_d['seconds']:.2f} s, {large_d['peak_mb']:,.0f} MB; ratio rfm ÷ direct"),
        ("Bytes per lineage row in memory (W2)", w2e["bytes_per_row"], "B", 120.0, None,
         f"{w2e['rows']:,} rows; the direct reference {w2d['bytes_per_row']:.0f} B/row; "
         f"W2-large {large['bytes_per_row']:.0f} B/row"),
        ("W1 CLI end to end", f["w1_cli"]["seconds"], "s", None, None,
         f"peak {f['w1_cli']['peak_mb']:.0f} MB"),
        ("W1 engine (read, validate, compute)", w1e["seconds"], "s", None,
         w1n["seconds"] / w1e["seconds"],
         f"{n_pop / w1e['seconds']:,.0f} input rows/s; pure Python {w1n['seconds']:.2f} s"),
        ("W2 CLI end to end", f["w2_cli"]["seconds"], "s", None, None,
         f"peak {f['w2_cli']['peak_mb']:.0f} MB"),
        ("W2 engine (read, validate, compute)", w2e["seconds"], "s", None,
         w2n["seconds"] / w2e["seconds"],
         f"{n_need / w2e['seconds']:,.0f} input rows/s; pure Python {w2n['seconds']:.2f} s"),
        (f"W3 simulate, {f['draws']} draws (CLI)", f["w3"]["seconds"], "s", 60.0,
         naive_w3 / f["w3"]["seconds"],
         f"peak {f['w3']['peak_mb']:.0f} MB (target < 4 096); ratio vs one engine run per draw "
         f"({naive_w3:,.0f} s, extrapolated)"),
    ]  # fmt: skip
    lo = f["libreoffice"]
    if lo is not None:
        lines.append(
            ("LibreOffice recalculates W1's workbook", lo["w1"], "s", None,
             lo["w1"] / w1e["seconds"],
             f"its start-up alone {lo['startup']:.1f} s; workbook {lo['bytes'] / 1e6:.1f} MB; "
             "ratio = LibreOffice ÷ rfm engine")
        )  # fmt: skip
    rows = []
    for name, value, unit, target, ratio, note in lines:
        verdict = "" if target is None else ("met" if value <= target else "MISSED")
        rows.append(
            [
                name,
                f"{value:,.2f} {unit}" if unit != "B" else f"{value:.0f} {unit}",
                "" if target is None else f"≤ {target:g} {unit}",
                "" if ratio is None else f"{ratio:,.1f}×",
                verdict,
                note,
            ]
        )
    widths = [max(len(str(r[i])) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    text = [f"Machine: {f['machine']}", ""]
    for r in [HEADER, ["-" * w for w in widths], *rows]:
        text.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    diff = f["difference"]
    text += [
        "",
        f"Same amounts as pure Python: W1 largest relative difference {diff['w1']:.1e}, "
        f"W2 {diff['w2']:.1e}",
        "Same rows as the direct-Polars reference, in the same order: W1 largest relative "
        f"difference {f['direct_difference']['w1']:.1e}, W2 {f['direct_difference']['w2']:.1e}",
        f"Input rows: W1 population {n_pop:,}, W2 need variables {n_need:,}, W2-large "
        f"{n_large:,}; workloads generated in {f['generate_seconds']:.1f} s (W2-large "
        f"{f['generate_large_seconds']:.1f} s)",
    ]
    if lo is None:
        text.append("LibreOffice: not installed, so its baseline was not measured")
    return "\n".join(text)


HEADER = ["Figure", "Value", "Target", "Ratio", "", "Note"]

if __name__ == "__main__":
    main()
