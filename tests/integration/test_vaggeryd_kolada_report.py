"""The Vaggeryd report shows its Kolada KPIs when rfm-kolada is installed (issue 5), and on a
terminal says what it waits for while Kolada has not answered (issue 19)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.kolada.test_report_section import check_benchmark_section


def test_the_vaggeryd_report_shows_its_kolada_kpis(rfm_cli, kolada_env, tmp_path):
    out = tmp_path / "vaggeryd.html"
    done = rfm_cli("report", "vaggeryd", "--years", "2024-2026", "--out", str(out))
    assert done.exit_code == 0, done.output
    check_benchmark_section(out.read_text(encoding="utf-8"))


def report_process(tmp_path: Path, kolada, out: Path, stderr: int) -> subprocess.Popen[bytes]:
    """``rfm report vaggeryd`` in its own process, asking the local Kolada."""
    env = {**os.environ, "RFM_KOLADA_BASE_URL": kolada.base_url,
           "RFM_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "rfm", "report", "vaggeryd", "--years", "2024-2026",
         "--out", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, env=env, cwd=tmp_path,
    )  # fmt: skip


def test_on_a_terminal_the_report_says_what_it_waits_for_before_kolada_answers(kolada, tmp_path):
    """Issue 19, item 6: a Kolada that is slow to answer must not leave ``rfm report`` silent.

    stderr is a pseudo-terminal, and the local Kolada holds every request until the test has
    read "Rapportavsnitt från …" on that terminal. The report must then hold Kolada's figures:
    so the line was written before the fetch, and the fetch was the one the line announced
    (had the line come after it, the held fetch would have failed on its 3 s deadline and the
    report would say Kolada did not answer).
    """
    kolada.hold = threading.Event()
    out = tmp_path / "vaggeryd.html"
    main, terminal = pty.openpty()
    proc = report_process(tmp_path, kolada, out, terminal)
    os.close(terminal)
    said = b""
    try:
        deadline = time.monotonic() + 120
        while b"Rapportavsnitt fr" not in said and time.monotonic() < deadline:
            if select.select([main], [], [], 0.2)[0]:
                try:
                    said += os.read(main, 4096)
                except OSError:  # the process has closed the terminal
                    break
            elif proc.poll() is not None:
                break
        answered_before = kolada.hold.is_set()
        kolada.hold.set()  # now Kolada may answer
        while True:  # read the terminal to its end, so the process never blocks on it
            if select.select([main], [], [], 0.2)[0]:
                try:
                    chunk = os.read(main, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                said += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=120)
    finally:
        kolada.hold.set()
        os.close(main)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    text = said.decode("utf-8", "replace")
    assert "Rapportavsnitt från kolada …" in text, text  # the plugin it waits for
    assert not answered_before
    assert proc.returncode == 0, text
    assert any("/data/" in r.path for r in kolada.requests)  # the held fetch was made
    html = out.read_text(encoding="utf-8")
    check_benchmark_section(html)
    assert "Kolada svarade inte" not in html


def test_piped_the_report_writes_no_progress(kolada, tmp_path):
    out = tmp_path / "vaggeryd.html"
    proc = report_process(tmp_path, kolada, out, subprocess.PIPE)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Rapportavsnitt" not in err and b"\r" not in err
    check_benchmark_section(out.read_text(encoding="utf-8"))
