"""The whole workspace: `rfm plugins` lists the five packages, each working."""

from __future__ import annotations

PACKAGES = {
    "rfm-core",
    "rfm-kolada",
    "rfm-plugins-vaggeryd",
    "rfm-plugins-stockholm-ekbistand",
    "rfm-plugins-ostersund",
}


def test_rfm_plugins_lists_the_five_packages(rfm_cli):
    result = rfm_cli("plugins")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()[2:]
    packages = {line.split()[1] for line in lines}
    assert packages == PACKAGES
    assert all(line.split()[3] == "ok" for line in lines)


def test_demo_runs_and_writes_its_files(rfm_cli, tmp_path):
    result = rfm_cli("demo", "--out", str(tmp_path / "demo"))
    assert result.exit_code == 0, result.output
    # Sjöbo 2018/2020/2021/2024 (docs/domain: 203,1 / 225,4 / 236,3 / 285,3 mnkr)
    for figure in ("203 134 400", "225 441 500", "236 261 100", "285 345 400"):
        assert figure in result.output
    assert (
        (tmp_path / "demo" / "lineage.csv").read_text(encoding="utf-8").startswith("tenant,model")
    )


def test_demo_writes_report_workbook_and_documentation_for_every_plugin_tenant(rfm_cli, tmp_path):
    import fastexcel

    out = tmp_path / "demo"
    done = rfm_cli("demo", "--out", str(out))
    assert done.exit_code == 0, done.output
    for tenant in ("vaggeryd", "stockholm", "ostersund"):
        report = (out / f"{tenant}-rapport.html").read_text(encoding="utf-8")
        assert "<h1>" in report and "<svg" in report
        assert not any(tag in report for tag in ("<script", "<link", " src=", "url("))
        assert "Sammanfattning" in fastexcel.read_excel(str(out / f"{tenant}.xlsx")).sheet_names
        assert "<h1>" in (out / f"{tenant}-dokumentation.html").read_text(encoding="utf-8")
        assert str(out / f"{tenant}-rapport.html") in done.output
