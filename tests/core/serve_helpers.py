"""Shared by the rfm serve tests: a small tenant whose figures are easy to check by hand, the
real server (``rfm serve`` in a subprocess on a free loopback port), and the command line.

The tenant, "Provkommun", has three areas (one named with HTML in it), an äldreomsorg model
(age bands × kr per inhabitant, a rate that changes in 2025), a distribution key with a budget,
the bokslut key it replaces, and a blend between them with a transition share: a rate, a
budget and a transition share to change.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from rfm.cli import build_cli

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Debian's Chromium, headless, as the report tests run it."""
HTML_AREA = "Öster <b>&amp;</b>"
"""An area whose name is markup: it must show as these characters, never as bold text."""
AREAS = ("Norr", "Söder", HTML_AREA)
COUNTS = {  # area → age band → inhabitants, the same in 2024 and 2025 except as noted
    "Norr": {"65-79": 1200, "80-89": 300, "90+": 40},
    "Söder": {"65-79": 900, "80-89": 250, "90+": 35},
    HTML_AREA: {"65-79": 500, "80-89": 120, "90+": 12},
}
GROWTH_2025 = {"90+": 5}
"""Each area has this many more in the band in 2025."""
RATES = {  # band → {year: kr per inhabitant}
    "65-79": {2024: 21900},
    "80-89": {2024: 137300},
    "90+": {2024: 381100, 2025: 390000},
}
NEED = {"Norr": (9, 7, 30), "Söder": (2, 1, 10), HTML_AREA: (6, 5, 25)}
"""area → (arbetslosa, lag_inkomst, utfall); the key's points are 2 × arbetslosa + lag_inkomst."""
BUDGET = 100_000_000

TENANT = """
[tenant]
id = "prov"
name = "Provkommun"
description = "En liten kommun för rfm serve:s tester"

[data.population]
path = "befolkning.csv"
source = "Provdata"

[data.need]
path = "need.csv"
source = "Provdata, behov"

[[models]]
id = "aldreomsorg"
type = "age_bands"
label = "Äldreomsorg"
dataset = "population"
source = "KF 2023-11-20 § 5"
[models.bands]
"65-79" = { 2024 = 21900 }
"80-89" = { 2024 = 137300 }
"90+" = { 2024 = 381100, 2025 = 390000 }

[[models]]
id = "ny"
type = "distribution_key"
label = "Ny nyckel"
source = "KF 2023-06-12"
total = { 2024 = 100000000 }
variables = { arbetslosa = { 2024 = 2.0 }, lag_inkomst = { 2024 = 1.0 } }

[[models]]
id = "gammal"
type = "distribution_key"
label = "Bokslutsnyckel"
source = "Bokslut 2022"
total = { 2024 = 100000000 }
points_column = "utfall"
dataset = "need"

[[models]]
id = "overgang"
type = "blend"
label = "IFO under övergången"
old = "gammal"
new = "ny"
source = "KF 2023-06-12"
new_share = { 2024 = 0.7, 2025 = 1.0 }

[scenarios.standard]
description = "Det beslutade"
models = ["aldreomsorg", "overgang"]

[scenarios.snal]
description = "Lägre budget"
models = ["aldreomsorg", "overgang"]
overrides = { "ny.total" = { unit = "kr", values = { 2024 = { value = 90000000, source = "Förslag" } } } }

[report]
years = "2024-2025"
"""


def population_csv() -> str:
    lines = ["area,year,age,count"]
    for year in (2024, 2025):
        for area, bands in COUNTS.items():
            for band, count in bands.items():
                extra = GROWTH_2025.get(band, 0) if year == 2025 else 0
                lines.append(f'"{area}",{year},{band},{count + extra}')
    return "\n".join(lines) + "\n"


def need_csv() -> str:
    lines = ["area,year,arbetslosa,lag_inkomst,utfall"]
    for year in (2024, 2025):
        for area, (a, b, c) in NEED.items():
            lines.append(f'"{area}",{year},{a},{b},{c}')
    return "\n".join(lines) + "\n"


def write_tenant(folder: Path) -> Path:
    """The tenant file and its data in ``folder``; returns the tenant file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "befolkning.csv").write_text(population_csv(), encoding="utf-8")
    (folder / "need.csv").write_text(need_csv(), encoding="utf-8")
    path = folder / "tenant.toml"
    path.write_text(TENANT, encoding="utf-8")
    return path


def aldreomsorg_by_hand(area: str, year: int, rate_90: float | None = None) -> Decimal:
    """Σ inhabitants × kr per inhabitant, from the figures above (not from rfm)."""
    total = Decimal(0)
    for band, count in COUNTS[area].items():
        n = count + (GROWTH_2025.get(band, 0) if year == 2025 else 0)
        rates = RATES[band]
        rate = rates[max(y for y in rates if y <= year)]
        if band == "90+" and rate_90 is not None:
            rate = rate_90
        total += Decimal(n) * Decimal(str(rate))
    return total


def key_by_hand(share: float) -> dict[str, float]:
    """The blend's amount per area: share × the new key + (1 − share) × the bokslut key."""
    points = {a: 2 * x + y for a, (x, y, _) in NEED.items()}
    utfall = {a: z for a, (_, _, z) in NEED.items()}
    return {
        a: share * BUDGET * points[a] / sum(points.values())
        + (1 - share) * BUDGET * utfall[a] / sum(utfall.values())
        for a in NEED
    }


@contextlib.contextmanager
def server(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``rfm serve ARGS --port 0`` running; yields its URL (as it printed it)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rfm", "serve", *args, "--port", "0"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        url = _first_url(proc, deadline=time.monotonic() + 60)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _first_url(proc: subprocess.Popen[str], deadline: float) -> str:
    assert proc.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = proc.stdout.readline()
            found = re.search(r"http://\S+", line)
            if found:
                return found.group(0)
            if not line:
                break
        if proc.poll() is not None:
            break
    err = proc.stderr.read() if proc.stderr is not None and proc.poll() is not None else ""
    raise AssertionError(f"rfm serve did not print its URL: {err}")


def cli(*args: str) -> str:
    """``rfm ARGS`` in this process; its output (it must succeed)."""
    done = CliRunner().invoke(build_cli(), list(args))
    assert done.exit_code == 0, done.output
    return done.output


def cli_amounts(*args: str) -> dict[tuple[str, str, int], Decimal]:
    """``rfm run ARGS --format csv``: the exact amount per model, recipient and year."""
    text = cli("run", *args, "--format", "csv")
    sums: dict[tuple[str, str, int], Decimal] = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (row["model"], row["recipient"], int(row["year"]))
        sums[key] = sums.get(key, Decimal(0)) + Decimal(row["amount"])
    return sums


def explain_lines(text: str) -> tuple[list[str], list[list[str]]]:
    """``rfm explain``'s output as (lines outside tables, table rows as cells).

    A text table is read by the columns its dashed rule marks out.
    """
    lines, rows = [], []
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        line = raw[i]
        if i + 1 < len(raw) and re.fullmatch(r"-+(  -+)*", raw[i + 1].strip()):
            spans = [(m.start(), m.end()) for m in re.finditer(r"-+", raw[i + 1])]
            i += 2
            while i < len(raw) and raw[i].strip():
                cells = [raw[i][a : (b if n < len(spans) - 1 else None)].strip()
                         for n, (a, b) in enumerate(spans)]  # fmt: skip
                rows.append(cells)
                i += 1
            continue
        if line.strip():
            lines.append(normal(line))
        i += 1
    return lines, rows


def normal(text: str) -> str:
    """Whitespace as one plain space (the page uses no-break spaces between digit groups)."""
    return " ".join(text.replace("\u00a0", " ").split())
