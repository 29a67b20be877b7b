"""Long runs show progress on a terminal and nothing when output is piped."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def test_progress_is_drawn_on_a_terminal_only(rfm_cli):
    piped = rfm_cli("run", "exempel", "--year", "2024")
    assert (
        piped.exit_code == 0 and "modeller" not in piped.output and "modeller" not in piped.stderr
    )
    main, secondary = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "rfm", "run", "exempel", "--year", "2024"],
        stdout=subprocess.PIPE, stderr=secondary, timeout=120,
    )  # fmt: skip
    os.close(secondary)
    drawn = os.read(main, 65536).decode("utf-8", "replace")
    os.close(main)
    assert done.returncode == 0
    assert "1/1 modeller: aldreomsorg" in drawn and "█" in drawn
    assert "modeller" not in done.stdout.decode()  # the table on stdout stays clean
