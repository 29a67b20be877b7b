"""The run archive: which data and parameters produced this frame? (SQLite, standard library.)

``rfm run … --save`` stores one run in one transaction: the tenant, years, scenario and price
level, a label ("KF-beslut 2022-11-21"), the versions of rfm and every plugin, every input file
(its bytes, sha256 and source), every parameter value in force with its source, and the lineage
rows. Next year's budget starts from the decided frame, so a run can be listed, shown, diffed
against another, compared with a new proposal, and re-executed from its archived inputs and
parameters to the same rows, bit for bit.

Safety:

* one archive belongs to one tenant: a run of another tenant is refused;
* writes are transactions in WAL mode: a process killed while saving leaves every earlier run
  intact and readable, and no half run;
* a file that is not an rfm archive (another database, random bytes) is refused with a clear
  error and never written to; a new archive is only created where no file exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from rfm import __version__
from rfm.contract import AMOUNT_DTYPE, LINEAGE_COLUMNS, decimal_text_expr
from rfm.engine import RunResult, run
from rfm.errors import RfmError
from rfm.parameters import DatedValue, Parameter, ParameterSet

FORMAT = "rfm-run-archive"
VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, tenant TEXT NOT NULL, label TEXT NOT NULL,
    scenario TEXT NOT NULL, prices TEXT NOT NULL, years TEXT NOT NULL, versions TEXT NOT NULL,
    tenant_origin TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, path TEXT NOT NULL,
    schema TEXT NOT NULL, sha256 TEXT NOT NULL, rows INTEGER NOT NULL, source TEXT NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS parameters (
    run_id INTEGER NOT NULL REFERENCES runs(id), key TEXT NOT NULL, unit TEXT NOT NULL,
    description TEXT NOT NULL, year INTEGER NOT NULL, value REAL, source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lineage (
    run_id INTEGER NOT NULL REFERENCES runs(id), model TEXT, recipient TEXT, year INTEGER,
    component TEXT, volume REAL, volume_unit TEXT, rate REAL, rate_unit TEXT, basis TEXT,
    amount TEXT
);
CREATE INDEX IF NOT EXISTS lineage_run ON lineage(run_id);
"""


class ArchiveError(RfmError):
    """The archive file cannot be used: not an rfm archive, damaged, or another tenant's."""


@attrs.frozen
class ArchivedRun:
    id: int
    created_at: str
    tenant: str
    label: str
    scenario: str
    prices: str
    years: tuple[int, ...]
    versions: dict[str, str]
    tenant_origin: str


class RunArchive:
    """One SQLite file of runs of one tenant (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        new = not self.path.exists()
        if new and not create:
            raise ArchiveError(f"{self.path}: no run archive here (save a run with --save first)")
        if new and not self.path.parent.is_dir():
            raise ArchiveError(f"{self.path}: the folder {self.path.parent} does not exist")
        try:
            with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as db:
                if new:
                    db.execute("PRAGMA journal_mode=WAL")
                    db.executescript(SCHEMA)
                    db.executemany(
                        "INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("version", VERSION)]
                    )
                else:
                    self._check(db)
                yield db
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(
                f"{self.path}: not a readable rfm run archive ({exc}); the file was left as it is"
            ) from None

    def _check(self, db: sqlite3.Connection) -> None:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise ArchiveError(
                f"{self.path}: an SQLite file, but not an rfm run archive; it was left as it is"
            )
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise ArchiveError(f"{self.path}: not an rfm run archive; it was left as it is")
        if meta.get("version") != VERSION:
            raise ArchiveError(
                f"{self.path}: run archive version {meta.get('version')}, this rfm reads {VERSION}"
            )

    # -- writing ---------------------------------------------------------------------------

    def save(self, result: RunResult, label: str, versions: dict[str, str]) -> int:
        """Store ``result`` with its inputs' bytes and parameters; return the run id."""
        inputs = []
        for use in result.datasets:
            config = result.tenant.datasets[use.name]
            content = config.path.read_bytes()
            if hashlib.sha256(content).hexdigest() != use.sha256:  # the bytes the run read, or none
                raise ArchiveError(
                    f"{use.path} changed after the run read it; run again, then save"
                )
            inputs.append((use, zlib.compress(content, 6)))
        # Amounts are exact decimals, stored as their text (an archive of REAL amounts from an
        # earlier version is read back through the same exact path).
        lineage = (
            result.all_lineage.select(LINEAGE_COLUMNS[1:])
            .with_columns(decimal_text_expr(pl.col("amount")))
            .rows()
        )
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                owner = db.execute("SELECT value FROM meta WHERE key = 'tenant'").fetchone()
                if owner is None:
                    db.execute("INSERT INTO meta VALUES ('tenant', ?)", (result.tenant.id,))
                elif owner[0] != result.tenant.id:
                    raise ArchiveError(
                        f"{self.path} is the archive of tenant {owner[0]!r}; a run of "
                        f"{result.tenant.id!r} goes in its own archive"
                    )
                cursor = db.execute(
                    "INSERT INTO runs (created_at, tenant, label, scenario, prices, years, versions,"
                    " tenant_origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        datetime.now(UTC).isoformat(timespec="seconds"),
                        result.tenant.id,
                        label,
                        result.scenario.name,
                        result.prices,
                        json.dumps(list(result.years)),
                        json.dumps(versions, sort_keys=True),
                        result.tenant.origin,
                    ),
                )
                run_id = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (run_id, u.name, u.path, u.schema, u.sha256, u.rows, u.source, blob)
                        for u, blob in inputs
                    ],
                )
                db.executemany(
                    "INSERT INTO parameters VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (run_id, key, p.unit, p.description, v.year, v.value, v.source or "")
                        for key in sorted(result.parameters)
                        for p in (result.parameters[key],)
                        for v in p.values
                    ],
                )
                db.executemany(
                    "INSERT INTO lineage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((run_id, *row) for row in lineage),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return run_id

    # -- reading ---------------------------------------------------------------------------

    def check_owner(self, tenant_id: str) -> None:
        """Refuse to show one tenant the archive of another (a file not there yet is nobody's)."""
        if not self.path.exists():
            return
        with self._connect(create=False) as db:
            owner = db.execute("SELECT value FROM meta WHERE key = 'tenant'").fetchone()
        if owner is not None and owner[0] != tenant_id:
            raise ArchiveError(
                f"{self.path} is the archive of tenant {owner[0]!r}, not of {tenant_id!r}"
            )

    def runs(self) -> list[ArchivedRun]:
        with self._connect(create=False) as db:
            rows = db.execute("SELECT * FROM runs ORDER BY id").fetchall()
        return [_run(r) for r in rows]

    def run(self, run_id: int) -> ArchivedRun:
        with self._connect(create=False) as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise ArchiveError(f"{self.path}: no run {run_id}")
        return _run(row)

    def lineage(self, run_id: int) -> pl.DataFrame:
        self.run(run_id)
        with self._connect(create=False) as db:
            rows = db.execute(
                "SELECT model, recipient, year, component, volume, volume_unit, rate, rate_unit,"
                " basis, amount FROM lineage WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            ).fetchall()
        columns = list(LINEAGE_COLUMNS[1:])
        schema = dict.fromkeys(columns, pl.String) | {
            "year": pl.Int64, "volume": pl.Float64, "rate": pl.Float64,
        }  # fmt: skip
        texts = [(*row[:-1], None if row[-1] is None else str(row[-1])) for row in rows]
        frame = pl.DataFrame(texts, schema=schema, orient="row")
        return frame.with_columns(pl.col("amount").cast(AMOUNT_DTYPE))

    def inputs(self, run_id: int) -> list[dict[str, Any]]:
        with self._connect(create=False) as db:
            rows = db.execute(
                "SELECT name, path, schema, sha256, rows, source, content FROM inputs"
                " WHERE run_id = ? ORDER BY name",
                (run_id,),
            ).fetchall()
        keys = ("name", "path", "schema", "sha256", "rows", "source", "content")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def parameters(self, run_id: int) -> ParameterSet:
        with self._connect(create=False) as db:
            rows = db.execute(
                "SELECT key, unit, description, year, value, source FROM parameters"
                " WHERE run_id = ? ORDER BY key, year",
                (run_id,),
            ).fetchall()
        grouped: dict[str, list[Any]] = {}
        for key, unit, description, year, value, source in rows:
            grouped.setdefault(key, [unit, description, []])[2].append(
                DatedValue(year, value, source)
            )
        return ParameterSet.of(
            Parameter(key, unit, tuple(values), description)
            for key, (unit, description, values) in grouped.items()
        )


def content(item: dict[str, Any]) -> bytes:
    """The archived bytes of an input, as they were read."""
    return zlib.decompress(item["content"])


def _run(row: Sequence[Any]) -> ArchivedRun:
    return ArchivedRun(
        int(row[0]), row[1], row[2], row[3], row[4], row[5], tuple(json.loads(row[6])),
        json.loads(row[7]), row[8],
    )  # fmt: skip


def versions(host: Any) -> dict[str, str]:
    """rfm's version and each plugin's, as ``rfm plugins`` lists them."""
    found = {"rfm": __version__}
    for info in host.plugins():
        found[info.package or info.name] = info.version
    return found


def default_path(tenant: Any, *, from_file: bool) -> Path:
    """Where a tenant's archive lives unless ``--archive`` or ``$RFM_ARCHIVE`` says otherwise.

    Beside a tenant file given with ``--config`` (``rfm-arkiv.sqlite``); for a tenant a plugin
    packages, ``./rfm-arkiv-<id>.sqlite`` in the current folder (the package's own folder is not
    the user's to write in).
    """
    if os.environ.get("RFM_ARCHIVE"):
        return Path(os.environ["RFM_ARCHIVE"])
    if from_file:
        return Path(tenant.folder) / "rfm-arkiv.sqlite"
    return Path(f"rfm-arkiv-{tenant.id}.sqlite")


def reproduce(
    archive: RunArchive, run_id: int, tenant: Any, registry: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(archived rows, rows re-computed from the archived inputs and parameters)."""

    archived = archive.run(run_id)
    if archived.tenant != tenant.id:
        raise ArchiveError(f"run {run_id} is of tenant {archived.tenant!r}, not {tenant.id!r}")
    with tempfile.TemporaryDirectory(prefix="rfm-reproduce-") as tmp:
        datasets = dict(tenant.datasets)
        for item in archive.inputs(run_id):
            if item["name"] not in datasets:
                raise ArchiveError(
                    f"run {run_id} read dataset {item['name']!r}, which the tenant no longer has"
                )
            original = datasets[item["name"]]
            target = Path(tmp) / f"{item['name']}{original.path.suffix}"
            target.write_bytes(content(item))
            datasets[item["name"]] = attrs.evolve(original, path=target)
        scenarios = dict(tenant.scenarios)
        if archived.scenario in scenarios:  # the archived values already include its overrides
            scenarios[archived.scenario] = attrs.evolve(scenarios[archived.scenario], overrides=())
        replay = attrs.evolve(
            tenant, datasets=datasets, parameters=archive.parameters(run_id), scenarios=scenarios
        )
        # The default scenario exists without being declared: ask for it by no name.
        name = archived.scenario if archived.scenario in scenarios else None
        result = run(replay, registry, list(archived.years), scenario=name, prices=archived.prices)
    again = result.all_lineage.select(LINEAGE_COLUMNS[1:])
    return archive.lineage(run_id), again
