"""docs/plugins.md's worked example runs as written, and `rfm new-plugin` writes the same
package: a plugin author can start from either and have passing tests at once."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from rfm.scaffold import scaffold

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```\w+ file=(\S+)\n(.*?)^```$", re.S | re.M)


def documented_files() -> dict[str, str]:
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    return dict(BLOCK.findall(text))


def write(folder: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def run_its_tests(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_docs_worked_example_written_to_files_passes_its_tests(tmp_path):
    files = documented_files()
    assert {"pyproject.toml", "src/rfm_skolpeng/models.py", "tests/test_model.py"} <= set(files)
    write(tmp_path, files)
    done = run_its_tests(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b6 passed\b", done.stdout), done.stdout


def test_the_docs_show_exactly_what_new_plugin_writes():
    written = scaffold("skolpeng")
    documented = documented_files()
    assert documented == {k: v for k, v in written.items() if k != "README.md"}


def test_a_scaffolded_plugin_passes_its_own_tests_lint_and_types(rfm_cli, tmp_path):
    out = tmp_path / "hemtjanst"
    done = rfm_cli("new-plugin", "hemtjanst-lov", "--out", str(out))
    assert done.exit_code == 0, done.output
    assert (out / "src" / "rfm_hemtjanst_lov" / "models.py").is_file()
    tests = run_its_tests(out)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert re.search(r"\b6 passed\b", tests.stdout)
    for tool in (
        ["ruff", "check", "src", "tests"],
        ["ruff", "format", "--check", "src", "tests"],
        ["mypy"],
    ):
        checked = subprocess.run(
            [sys.executable, "-m", *tool], cwd=out, capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, (tool, checked.stdout, checked.stderr)


def test_new_plugin_refuses_a_bad_name_or_a_used_folder(rfm_cli, tmp_path):
    bad = rfm_cli("new-plugin", "Skol Peng", "--out", str(tmp_path / "x"))
    assert bad.exit_code == 1 and "lower-case letters" in bad.output
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    again = rfm_cli("new-plugin", "skolpeng", "--out", str(used))
    assert again.exit_code == 1 and "not empty" in again.output
    assert (used / "keep.txt").read_text() == "mine"
