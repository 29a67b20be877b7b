"""Install the two Debian packages rfm's tests need, when they are missing; then get out of the way.

tox runs this before the test environments that need them (``commands_pre`` in tox.ini), so the
README's test command ``pip install uv && uv run tox`` passes on a machine with Python and pip
only:

* ``soffice`` (Debian ``libreoffice-calc-nogui``) recalculates the Excel workbooks rfm writes, so
  the tests compare LibreOffice's figures with rfm's;
* ``chromium`` (Debian ``chromium``) opens the HTML report, driven by Playwright, which downloads
  no browser of its own.

Both present: nothing happens (a second or later run costs two ``which`` look-ups). One missing:
``apt-get update`` and ``apt-get install --no-install-recommends`` of what is missing, as root or
through ``sudo -n`` (never a password prompt). Without apt-get, or without root and sudo, it
stops with exit code 1 and says what to install, rather than letting the tests fail one by one.

Only the standard library is used: the script runs in any tox environment's Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence

NEEDED: Mapping[str, tuple[tuple[str, ...], str]] = {
    "LibreOffice": (("soffice", "libreoffice"), "libreoffice-calc-nogui"),
    "Chromium": (("chromium", "chromium-browser"), "chromium"),
}
"""What the tests need: a name, the commands that provide it, and the Debian package."""


def missing_packages(which: Callable[[str], str | None] = shutil.which) -> list[str]:
    """The Debian packages of :data:`NEEDED` whose commands are not on PATH."""
    return [
        package
        for commands, package in NEEDED.values()
        if not any(which(command) for command in commands)
    ]


def install_commands(packages: Sequence[str], is_root: bool, has_sudo: bool) -> list[list[str]]:
    """The apt-get commands that install ``packages`` (with ``sudo -n`` when not root)."""
    prefix = [] if is_root else (["sudo", "-n"] if has_sudo else None)
    if prefix is None:
        raise SystemExit(
            "tests: not root and no sudo: install the Debian packages "
            f"{' '.join(packages)} (apt-get install --no-install-recommends {' '.join(packages)})"
        )
    return [
        [*prefix, "apt-get", "update", "-qq"],
        [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ]


def main() -> int:
    packages = missing_packages()
    if not packages:
        return 0
    if shutil.which("apt-get") is None:
        print(
            f"tests: {', '.join(packages)} missing and there is no apt-get to install them; "
            "install LibreOffice (soffice) and Chromium, then run the tests again",
            file=sys.stderr,
        )
        return 1
    commands = install_commands(
        packages, is_root=os.geteuid() == 0, has_sudo=shutil.which("sudo") is not None
    )
    print(f"tests: installing {' '.join(packages)} (apt-get)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in commands:
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            print(f"tests: {' '.join(command)} failed (exit {done.returncode})", file=sys.stderr)
            return 1
    still = missing_packages()
    if still:
        print(f"tests: {', '.join(still)} still missing after apt-get", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
