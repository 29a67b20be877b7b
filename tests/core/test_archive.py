"""The run archive: save, list, show, diff, compare with a decided run, reproduce bit for bit,
survive a killed writer, refuse foreign or corrupt files, keep tenants apart."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import rfm
from rfm.archive import ArchiveError, RunArchive, reproduce

TENANT = """
[tenant]
id = "{id}"
[data.need]
path = "need.csv"
[parameters.budget]
unit = "kr"
source = "KF 2023-11-20 § 140"
values = {{ 2024 = 100000000 }}
[[models]]
id = "nyckel"
type = "distribution_key"
source = "KF"
total = "budget"
variables = {{ behov = {{ 2024 = 1 }} }}
[scenarios.forslag]
overrides = {{ budget = {{ unit = "kr", values = {{ 2024 = {{ value = 104000000, source = "Förslag 2024" }} }} }} }}
"""


def need(areas: int) -> str:
    return "area,year,behov\n" + "".join(f"D{i},2024,{1 + i % 7}\n" for i in range(areas))


@pytest.fixture
def tenant_path(tenant_file):
    return tenant_file(TENANT.format(id="stad"), {"need.csv": need(5)})


def test_save_list_show_diff_compare_and_reproduce(rfm_cli, tenant_path, tmp_path):
    archive = str(tmp_path / "arkiv.sqlite")
    common = ["--config", str(tenant_path), "--year", "2024"]
    decided = rfm_cli(
        "run", *common, "--save", "--label", "KF-beslut 2023-11-20", "--archive", archive
    )
    assert decided.exit_code == 0, decided.output
    proposal = rfm_cli(
        "run",
        *common,
        "--scenario",
        "forslag",
        "--save",
        "--label",
        "förslag",
        "--archive",
        archive,
    )
    assert proposal.exit_code == 0, proposal.output
    listed = rfm_cli("runs", "list", "--archive", archive)
    assert "KF-beslut 2023-11-20" in listed.output and "förslag" in listed.output
    shown = rfm_cli("runs", "show", "1", "--archive", archive)
    sha = hashlib.sha256((tenant_path.parent / "need.csv").read_bytes()).hexdigest()
    assert (
        f"sha256 {sha}" in shown.output
        and "budget från 2024 = 100 000 000 kr — KF 2023-11-20 § 140" in shown.output
    )
    diff = rfm_cli("runs", "diff", "1", "2", "--archive", archive)
    assert "budget från 2024: 100 000 000 → 104 000 000 (Förslag 2024)" in diff.output
    assert "Indata, körning 1 → 2:\n  oförändrade" in diff.output
    # D0 has need 1 of Σ 15 (1+2+3+4+5): 4 000 000 × 1/15 more in the proposal.
    assert "266 667" in diff.output
    against = rfm_cli(
        "compare",
        *common,
        "--scenario",
        "forslag",
        "--against-run",
        "1",
        "--archive",
        archive,
        "--format",
        "json",
    )
    assert against.exit_code == 0, against.output
    import json

    rows = json.loads(against.output)["rows"]
    assert sum(r["diff"] for r in rows) == pytest.approx(4_000_000)
    again = rfm_cli("runs", "reproduce", "2", "--config", str(tenant_path), "--archive", archive)
    assert again.exit_code == 0 and "bit för bit lika" in again.output


def test_a_reproduced_run_uses_the_archived_inputs_not_todays(rfm_registry, tenant_path, tmp_path):
    tenant = rfm.load_tenant_file(tenant_path, rfm_registry)
    store = RunArchive(tmp_path / "a.sqlite")
    run_id = store.save(rfm.run(tenant, rfm_registry, [2024]), "beslut", {"rfm": rfm.__version__})
    (tenant_path.parent / "need.csv").write_text(need(9), encoding="utf-8")  # the data moved on
    archived, again = reproduce(
        store, run_id, rfm.load_tenant_file(tenant_path, rfm_registry), rfm_registry
    )
    assert archived.equals(again)
    today = rfm.run(
        rfm.load_tenant_file(tenant_path, rfm_registry), rfm_registry, [2024]
    ).all_lineage
    assert today.height != archived.height


def test_a_killed_save_leaves_earlier_runs_intact(rfm_registry, tenant_file, tmp_path):
    path = tenant_file(TENANT.format(id="stad"), {"need.csv": need(60_000)})
    archive = tmp_path / "arkiv.sqlite"
    small = rfm.load_tenant_file(path, rfm_registry)
    store = RunArchive(archive)
    first = rfm.run(small, rfm_registry, [2024])
    store.save(first, "första", {"rfm": rfm.__version__})
    marker = tmp_path / "saving"
    script = f"""
import pathlib, rfm
from rfm.archive import RunArchive
registry = rfm.PluginHost().registry
tenant = rfm.load_tenant_file(pathlib.Path({str(path)!r}), registry)
result = rfm.run(tenant, registry, [2024])
store = RunArchive(pathlib.Path({str(archive)!r}))
pathlib.Path({str(marker)!r}).write_text("go")
for i in range(50):
    store.save(result, f"run {{i}}", {{}})
"""
    child = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the writer never started"
    time.sleep(0.4)  # well inside the saves (each writes 60 000 rows)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    runs = store.runs()
    assert runs[0].label == "första" and 1 <= len(runs) < 51
    with sqlite3.connect(archive) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = dict(db.execute("SELECT run_id, COUNT(*) FROM lineage GROUP BY run_id").fetchall())
    assert set(counts) == {r.id for r in runs}  # no half-written run
    assert all(n == first.all_lineage.height for n in counts.values())
    assert store.lineage(1).equals(first.all_lineage.select(pl.exclude("tenant")))


@pytest.mark.parametrize("kind", ["random bytes", "another database"])
def test_a_foreign_or_corrupt_file_is_refused_and_left_alone(rfm_cli, tenant_path, tmp_path, kind):
    target = tmp_path / "arkiv.sqlite"
    if kind == "random bytes":
        target.write_bytes(os.urandom(4096))
    else:
        with sqlite3.connect(target) as db:
            db.execute("CREATE TABLE kunder (namn TEXT)")
    before = target.read_bytes()
    listed = rfm_cli("runs", "list", "--archive", str(target))
    saved = rfm_cli(
        "run", "--config", str(tenant_path), "--year", "2024", "--save", "--archive", str(target)
    )
    for result in (listed, saved):
        assert result.exit_code == 1
        assert "rfm run archive" in result.output and "left as it is" in result.output
        assert "Traceback" not in result.output
    assert target.read_bytes() == before


def test_one_tenants_run_cannot_go_into_anothers_archive(rfm_registry, tenant_file, tmp_path):
    store = RunArchive(tmp_path / "a.sqlite")
    a = rfm.load_tenant_file(
        tenant_file(TENANT.format(id="stad-a"), {"need.csv": need(3)}), rfm_registry
    )
    store.save(rfm.run(a, rfm_registry, [2024]), "a", {})
    other = tmp_path / "other"
    other.mkdir()
    (other / "need.csv").write_text(need(3), encoding="utf-8")
    (other / "t.toml").write_text(TENANT.format(id="stad-b"), encoding="utf-8")
    b = rfm.load_tenant_file(other / "t.toml", rfm_registry)
    with pytest.raises(ArchiveError, match="archive of tenant 'stad-a'"):
        store.save(rfm.run(b, rfm_registry, [2024]), "b", {})
    assert [r.tenant for r in store.runs()] == ["stad-a"]
    with pytest.raises(ArchiveError, match="archive of tenant 'stad-a', not of 'stad-b'"):
        store.check_owner("stad-b")


def test_a_tenant_cannot_read_another_tenants_archive(rfm_cli, rfm_registry, tenant_file, tmp_path):
    archive = tmp_path / "a.sqlite"
    a = rfm.load_tenant_file(
        tenant_file(TENANT.format(id="stad-a"), {"need.csv": need(3)}), rfm_registry
    )
    RunArchive(archive).save(rfm.run(a, rfm_registry, [2024]), "a", {})
    other = tmp_path / "other"
    other.mkdir()
    (other / "need.csv").write_text(need(3), encoding="utf-8")
    (other / "t.toml").write_text(TENANT.format(id="stad-b"), encoding="utf-8")
    out = rfm_cli("runs", "show", "1", "--config", str(other / "t.toml"), "--archive", str(archive))
    assert out.exit_code == 1 and "archive of tenant 'stad-a', not of 'stad-b'" in out.output


def test_no_archive_yet_is_a_clear_error(rfm_cli, tmp_path):
    out = rfm_cli("runs", "list", "--archive", str(tmp_path / "finns-inte.sqlite"))
    assert out.exit_code == 1 and "no run archive here" in out.output
    assert not Path(tmp_path / "finns-inte.sqlite").exists()


def test_a_file_changed_after_the_run_is_not_archived_as_if_it_were_read(
    rfm_registry, tenant_path, tmp_path
):
    tenant = rfm.load_tenant_file(tenant_path, rfm_registry)
    result = rfm.run(tenant, rfm_registry, [2024])
    (tenant_path.parent / "need.csv").write_text(need(9), encoding="utf-8")
    store = RunArchive(tmp_path / "a.sqlite")
    with pytest.raises(ArchiveError, match="changed after the run read it"):
        store.save(result, "beslut", {})
    assert not store.path.exists() or store.runs() == []
