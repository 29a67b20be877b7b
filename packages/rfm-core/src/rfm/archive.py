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
* the archive is created in one transaction (tables and the meta rows together): a process
  killed while creating it leaves either a whole new archive or a file without tables, which
  the next save takes as new (so does an empty file); two first saves at once wait for each
  other instead of failing;
* a file that is not an rfm archive (another database, random bytes) is refused with a clear
  error and never written to;
* reading (``runs list``, ``show``, ``diff``, ``reproduce``) opens the file read-only and
  writes nothing, so an archive in a read-only folder can be read;
* a full disk, a read-only folder or a locked file is said as such, and loses nothing;
* ``runs reproduce`` writes the archived inputs only under a fresh temporary folder, by names
  rfm makes (``input-1.csv``), never by a name stored in the archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs
import polars as pl

from rfm import __version__
from rfm.config import check_name
from rfm.contract import AMOUNT_DTYPE, LINEAGE_COLUMNS, decimal_text_expr
from rfm.engine import RunResult, run
from rfm.errors import RfmError
from rfm.files import kind_of, read_regular_file
from rfm.parameters import DatedValue, Parameter, ParameterSet

BUSY_SECONDS = 10.0
"""How long a save waits for another rfm writing the same archive."""
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


@attrs.frozen
class PreparedRun:
    """A run as the rows the archive stores, made before the archive is opened.

    Reading the inputs again (to store the very bytes the run read) and turning the lineage
    into rows happen here, outside the write transaction, so the archive is locked only for
    the inserts.
    """

    tenant: str
    scenario: str
    prices: str
    years: tuple[int, ...]
    origin: str
    inputs: tuple[tuple[Any, ...], ...]
    parameters: tuple[tuple[Any, ...], ...]
    lineage: tuple[tuple[Any, ...], ...]

    @classmethod
    def of(cls, result: RunResult) -> PreparedRun:
        inputs = []
        stored: set[str] = set()
        for use in result.datasets:
            # Stored as the dataset whose file was read: a scenario that reads "prognos_2024"
            # in place of "population" replays with the archived bytes as prognos_2024's.
            name = use.dataset
            if name in stored:  # read directly and in another's place: the same bytes
                continue
            stored.add(name)
            config = result.tenant.datasets[name]
            path = use.path if name == use.name else (config.display_path or config.path.name)
            content = read_regular_file(config.path, path)
            if hashlib.sha256(content).hexdigest() != use.sha256:  # the bytes the run read, or none
                raise ArchiveError(f"{path} changed after the run read it; run again, then save")
            blob = zlib.compress(content, 6)
            inputs.append((name, path, use.schema, use.sha256, use.rows, use.source, blob))
        parameters = [
            (key, p.unit, p.description, v.year, v.value, v.source or "")
            for key in sorted(result.parameters)
            for p in (result.parameters[key],)
            for v in p.values
        ]
        return cls(
            tenant=result.tenant.id,
            scenario=result.scenario.name,
            prices=result.prices,
            years=tuple(result.years),
            origin=result.tenant.origin,
            inputs=tuple(inputs),
            parameters=tuple(parameters),
            # Amounts are exact decimals, stored as their text (an archive of REAL amounts from
            # an earlier version is read back through the same exact path).
            lineage=tuple(
                result.all_lineage.select(LINEAGE_COLUMNS[1:])
                .with_columns(decimal_text_expr(pl.col("amount")))
                .rows()
            ),
        )


class RunArchive:
    """One SQLite file of runs of one tenant (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection]:
        """A connection: read-only unless ``create`` (saving), which makes the archive if new."""
        if self.path.exists() and not self.path.is_file():  # a FIFO or device: never opened
            raise ArchiveError(
                f"{self.path}: is {kind_of(self.path.stat().st_mode)}, not a run archive file"
            )
        if not self.path.exists():
            if not create:
                raise ArchiveError(
                    f"{self.path}: no run archive here (save a run with --save first)"
                )
            if not self.path.parent.is_dir():
                raise ArchiveError(f"{self.path}: the folder {self.path.parent} does not exist")
        try:
            if create:
                db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            else:
                db = self._open_read_only()
            with closing(db):
                if create:
                    self._initialise(db)
                elif not _tables(db):  # empty, or its creation was interrupted: no runs yet
                    with closing(_empty_archive()) as empty:
                        yield empty
                    return
                else:
                    self._check(db)
                yield db
        except sqlite3.Error as exc:
            raise ArchiveError(self._explain(exc, writing=create)) from None

    def _open_read_only(self) -> sqlite3.Connection:
        """Open for reading: rfm writes nothing to the archive when it only reads.

        SQLite reads a WAL database through a ``-shm`` file beside it, and may need to rebuild
        it after a writer was killed. Where rfm may write, SQLite does that housekeeping; in a
        read-only folder the file is opened as immutable instead (nobody can write it there).
        """
        uri = f"file:{quote(str(self.path.resolve()))}"
        try:
            db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=10, isolation_level=None)
            _tables(db)
            return db
        except sqlite3.OperationalError:
            pass  # e.g. the -shm must be created or rebuilt first
        if os.access(self.path.parent, os.W_OK) and os.access(self.path, os.W_OK):
            return sqlite3.connect(self.path, timeout=10, isolation_level=None)
        wal = self.path.with_name(self.path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise ArchiveError(
                f"{self.path}: the folder is read-only and the archive has changes in "
                f"{wal.name} that SQLite cannot read without writing; copy the folder "
                "somewhere writable"
            )
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)

    def _initialise(self, db: sqlite3.Connection) -> None:
        """Make a new (or empty) file an archive in one transaction; check an existing one.

        The write lock (``BEGIN IMMEDIATE``) makes two first saves take turns: the second finds
        the archive the first made. While one switches a new file to WAL, SQLite may answer the
        other "busy" without waiting; that is retried for up to :data:`BUSY_SECONDS`. Nothing is
        written to a file that is not an rfm archive.
        """
        give_up = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                self._initialise_once(db)
                return
            except sqlite3.OperationalError as exc:
                busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
                    sqlite3.SQLITE_BUSY,
                    sqlite3.SQLITE_LOCKED,
                )
                if not busy or time.monotonic() > give_up:
                    raise
                time.sleep(0.01)

    def _initialise_once(self, db: sqlite3.Connection) -> None:
        if not _tables(db) and db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # WAL before the first write: a process killed while creating the archive then
            # leaves at most uncommitted WAL frames, which SQLite ignores (no hot journal).
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN IMMEDIATE")
        try:
            if _tables(db):
                self._check(db)
            else:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("version", VERSION)]
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode=WAL")

    def _disk_full(self) -> bool:
        """True when the archive's file system has (almost) no space left for SQLite to write.

        SQLite reports a write that failed for want of space as a full database, or, when it
        happens in the WAL's shared memory, as a plain I/O error: the free space tells which.
        """
        if not hasattr(os, "statvfs"):  # not on Windows: say what SQLite said
            return False
        try:
            info = os.statvfs(self.path.parent)
        except OSError:
            return False
        return info.f_bavail * info.f_frsize < 64 * 1024

    def _explain(self, exc: sqlite3.Error, *, writing: bool) -> str:
        """What an SQLite error means for the user, by its code (a full disk is not damage)."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        action = "the run was not saved; earlier runs are intact" if writing else "nothing changed"
        if code == sqlite3.SQLITE_FULL or (code == sqlite3.SQLITE_IOERR and self._disk_full()):
            return f"{self.path}: the disk is full (no space left on the device); {action}"
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
            return (
                f"{self.path}: cannot {'write' if writing else 'open'} the archive: the file or "
                f"its folder is read-only (SQLite: {exc}); {action}"
            )
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return f"{self.path}: another rfm is writing the archive; try again ({action})"
        if code == sqlite3.SQLITE_IOERR:
            return f"{self.path}: the disk could not be read or written ({exc}); {action}"
        return f"{self.path}: not a readable rfm run archive ({exc}); the file was left as it is"

    def _check(self, db: sqlite3.Connection) -> None:
        if "meta" not in _tables(db):
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
        return self.store(PreparedRun.of(result), label, versions)

    def store(self, prepared: PreparedRun, label: str, versions: dict[str, str]) -> int:
        """Store a prepared run in one transaction; return its id (SQLite only, no Polars)."""
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                owner = db.execute("SELECT value FROM meta WHERE key = 'tenant'").fetchone()
                if owner is None:
                    db.execute("INSERT INTO meta VALUES ('tenant', ?)", (prepared.tenant,))
                elif owner[0] != prepared.tenant:
                    raise ArchiveError(
                        f"{self.path} is the archive of tenant {owner[0]!r}; a run of "
                        f"{prepared.tenant!r} goes in its own archive"
                    )
                cursor = db.execute(
                    "INSERT INTO runs (created_at, tenant, label, scenario, prices, years, versions,"
                    " tenant_origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        datetime.now(UTC).isoformat(timespec="seconds"),
                        prepared.tenant,
                        label,
                        prepared.scenario,
                        prepared.prices,
                        json.dumps(list(prepared.years)),
                        json.dumps(versions, sort_keys=True),
                        prepared.origin,
                    ),
                )
                run_id = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(run_id, *row) for row in prepared.inputs],
                )
                db.executemany(
                    "INSERT INTO parameters VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(run_id, *row) for row in prepared.parameters],
                )
                db.executemany(
                    "INSERT INTO lineage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((run_id, *row) for row in prepared.lineage),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return run_id

    def delete(self, run_id: int) -> None:
        """Remove one run (when its output could not be put in place: both or neither)."""
        with self._connect(create=True) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                for table in ("lineage", "parameters", "inputs"):
                    db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
                db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

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


def _empty_archive() -> sqlite3.Connection:
    """An archive with no runs, in memory: what an empty file reads as."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("format", FORMAT), ("version", VERSION)])
    return db


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _safe_suffix(suffix: str) -> str:
    """A file suffix of letters and digits only (``.csv``), else none."""
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""


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
    return Path(f"rfm-arkiv-{check_name(tenant.id, 'tenant id')}.sqlite")


def reproduce(
    archive: RunArchive, run_id: int, tenant: Any, registry: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(archived rows, rows re-computed from the archived inputs and parameters)."""

    archived = archive.run(run_id)
    if archived.tenant != tenant.id:
        raise ArchiveError(f"run {run_id} is of tenant {archived.tenant!r}, not {tenant.id!r}")
    with tempfile.TemporaryDirectory(prefix="rfm-reproduce-") as tmp:
        folder = Path(tmp).resolve()
        datasets = dict(tenant.datasets)
        for number, item in enumerate(archive.inputs(run_id), start=1):
            if item["name"] not in datasets:
                raise ArchiveError(
                    f"run {run_id} read dataset {item['name']!r}, which the tenant no longer has"
                )
            original = datasets[item["name"]]
            # The name comes from rfm, not from the archive: a dataset called
            # "../../home/x/.bashrc" in an archive from someone else writes nothing outside.
            target = folder / f"input-{number}{_safe_suffix(original.path.suffix)}"
            if target.resolve().parent != folder:
                raise ArchiveError(f"run {run_id}: input {item['name']!r} has an unsafe name")
            with target.open("xb") as f:  # a new file, never through an existing link
                f.write(content(item))
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
