"""The README's test command is the one entry point: tox installs what the tests need, CI runs it.

The Debian packages cannot be uninstalled on a shared machine to watch them come back, so the
install path runs against stand-ins for ``apt-get`` and ``sudo`` on PATH that record what they
were asked and then provide the commands, as the real packages do.
"""

from __future__ import annotations

import configparser
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / ".ci" / "system_packages.py"


def readme_test_command() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^\s+(pip install uv && uv run tox)\b", text, flags=re.M)
    assert found, "the README names its test command"
    return found[0]


def test_ci_runs_exactly_the_readmes_test_command():
    command = readme_test_command()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines() if not line.strip().startswith("#")]
    assert any(f"({command})" in line or line.startswith(command) for line in lines)
    # and nothing else installs or runs tests on its own
    assert "apt-get" not in "\n".join(lines)
    assert sum("tox" in line for line in lines) == 1


def tox_ini() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini", encoding="utf-8")
    return parser


def test_every_tox_environment_syncs_from_the_lock_each_run():
    ini = tox_ini()
    assert ini["testenv"]["runner"].strip() == "uv-venv-lock-runner"
    envs = [e.strip() for e in ini["tox"]["env_list"].split(",")]
    for env in envs:
        section = ini[f"testenv:{env}"]
        assert section.get("runner", "uv-venv-lock-runner").strip() == "uv-venv-lock-runner", env
        assert "deps" not in section, f"{env}: deps would be installed once and go stale"


def test_the_environments_with_soffice_or_chromium_tests_install_them_first():
    ini = tox_ini()
    pre = "{[system]commands_pre}"
    assert SCRIPT.name in ini["system"]["commands_pre"]
    for env in ("all", "core"):
        assert ini[f"testenv:{env}"]["commands_pre"].strip() == pre
    # the plugin environments' tests need neither
    for env in ("kolada", "vaggeryd", "stockholm", "ostersund"):
        folder = ROOT / "tests" / env
        text = "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.py"))
        assert "soffice" not in text and "chromium" not in text, env


def stand_ins(tmp_path: Path) -> tuple[Path, Path]:
    """A bin folder with apt-get and sudo that log their arguments; apt-get install creates
    soffice and chromium in a second folder, as the Debian packages do."""
    bin_dir, provided = tmp_path / "bin", tmp_path / "provided"
    bin_dir.mkdir()
    provided.mkdir()
    log = tmp_path / "log"
    (bin_dir / "apt-get").write_text(
        "#!/bin/sh\n"
        f'echo "apt-get $*" >> {log}\n'
        'if [ "$1" = install ]; then\n'
        f'  for c in soffice chromium; do printf "#!/bin/sh\\n" > {provided}/$c; '
        f"/bin/chmod +x {provided}/$c; done\n"
        "fi\n"
    )
    (bin_dir / "sudo").write_text(f'#!/bin/sh\necho "sudo $*" >> {log}\nshift\nexec "$@"\n')
    for name in ("apt-get", "sudo"):
        (bin_dir / name).chmod(0o755 | stat.S_IXUSR)
    return bin_dir, provided


def run_script(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={"PATH": path, "HOME": os.environ.get("HOME", "/tmp")},
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_packages_are_installed_with_apt_get(tmp_path):
    bin_dir, provided = stand_ins(tmp_path)
    done = run_script(f"{bin_dir}:{provided}")
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "log").read_text()
    assert "apt-get update -qq" in log
    assert "apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui chromium" in log
    if os.geteuid() != 0:
        assert "sudo -n apt-get install" in log
    assert (provided / "soffice").exists() and (provided / "chromium").exists()


def test_nothing_is_installed_when_both_are_there(tmp_path):
    bin_dir, provided = stand_ins(tmp_path)
    for name in ("soffice", "chromium"):
        (provided / name).write_text("#!/bin/sh\n")
        (provided / name).chmod(0o755)
    done = run_script(f"{bin_dir}:{provided}")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "log").exists()


def test_only_the_missing_package_is_installed(tmp_path):
    bin_dir, provided = stand_ins(tmp_path)
    (provided / "chromium").write_text("#!/bin/sh\n")
    (provided / "chromium").chmod(0o755)
    done = run_script(f"{bin_dir}:{provided}")
    assert done.returncode == 0, done.stderr
    install = [line for line in (tmp_path / "log").read_text().splitlines() if "install" in line]
    assert install[-1].endswith("--no-install-recommends libreoffice-calc-nogui")


def test_without_apt_get_it_says_what_to_install(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_script(str(empty))
    assert done.returncode == 1
    assert "no apt-get" in done.stderr and "soffice" in done.stderr


def test_every_test_file_runs_in_exactly_one_tox_environment():
    """No test is left out of `uv run tox`, and none runs twice."""
    ini = tox_ini()
    envs = [e.strip() for e in ini["tox"]["env_list"].split(",")]
    runs: dict[Path, list[str]] = {}
    for env in envs:
        command = ini[f"testenv:{env}"]["commands"]
        found = re.search(r"\{posargs:([^}]*)\}", command)
        if "pytest" not in command:
            continue
        assert found, f"{env}: pytest without default paths"
        for target in found.group(1).split():
            path = ROOT / target
            assert path.exists(), f"{env}: {target} does not exist"
            files = sorted(path.rglob("test_*.py")) if path.is_dir() else [path]
            for file in files:
                runs.setdefault(file.resolve(), []).append(env)
    every = sorted(p.resolve() for p in (ROOT / "tests").rglob("test_*.py"))
    assert [p for p in every if p not in runs] == [], "test files no environment runs"
    assert {str(p): e for p, e in runs.items() if len(e) > 1} == {}, "test files run twice"
