"""``rfm manual [TOPIC]``: the documentation, from the installed package itself.

The pages of ``docs/`` (the tenant file, the command line, the model types, plugins,
simulation, the glossary, …) are built into rfm-core's wheel as ``rfm/manual``; in a checkout of
the repository (an editable install) they are read from ``docs/`` beside the packages. So an
error that says "rfm manual simulation" can be followed on any machine rfm runs on.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rfm.errors import UnknownNameError, UnreadableFileError


def manual_folder() -> Path:
    """Where the pages are: the package's ``manual`` folder, else the repository's ``docs``."""
    packaged = Path(str(resources.files("rfm").joinpath("manual")))
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[4] / "docs"
    if checkout.is_dir():
        return checkout
    raise UnreadableFileError(
        "this installation of rfm has no manual (neither rfm/manual nor a checkout's docs/)"
    )


def topics() -> dict[str, Path]:
    """Topic (a page's name without .md, ``cookbook`` for the cookbook) → its file."""
    folder = manual_folder()
    found = {p.stem: p for p in sorted(folder.glob("*.md"))}
    if (folder / "cookbook" / "README.md").is_file():
        found["cookbook"] = folder / "cookbook" / "README.md"
    return found


def title(path: Path) -> str:
    """The page's first heading."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def page(topic: str) -> Path:
    known = topics()
    name = topic.removesuffix(".md")
    if name not in known:
        raise UnknownNameError("manual topic", topic, list(known))
    return known[name]
