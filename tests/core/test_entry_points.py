"""rfm reads the plugins' entry points from the metadata folders as importlib.metadata does."""

from __future__ import annotations

import importlib.metadata as metadata
import sys
import zipfile
from pathlib import Path

import pytest

from rfm.plugins.entry_points import entry_points


def by_importlib(group: str) -> list[tuple[str, str, str, str]]:
    return sorted(
        (ep.name, ep.value, ep.dist.name if ep.dist else "?", ep.dist.version if ep.dist else "?")
        for ep in metadata.entry_points(group=group)
    )


def by_rfm(group: str) -> list[tuple[str, str, str, str]]:
    return sorted((ep.name, ep.value, ep.package, ep.version) for ep in entry_points(group))


@pytest.mark.parametrize("group", ["rfm", "console_scripts", "pytest11"])
def test_the_installed_entry_points_are_those_importlib_finds(group: str) -> None:
    assert by_rfm(group) == by_importlib(group)
    if group == "rfm":
        assert {"rfm", "vaggeryd", "kolada"} <= {name for name, *_ in by_rfm(group)}


def dist(folder: Path, stem: str, name: str, version: str, lines: str) -> None:
    info = folder / f"{stem}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nVersion: not this\n"
    )
    (info / "entry_points.txt").write_text(lines)


def test_the_first_copy_of_a_distribution_on_the_path_wins(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a", tmp_path / "b"
    text = "# a comment\n[other]\nx = nope:x\n\n[rfm]\nmin-plugin = min_plugin.plugin:hooks\n"
    dist(first, "min_plugin-2.0", "min-plugin", "2.0", text)
    dist(second, "Min.Plugin-1.0", "Min.Plugin", "1.0", "[rfm]\nold = old_plugin\n")
    monkeypatch.setattr(sys, "path", [str(first), str(second), str(tmp_path / "missing")])
    assert by_rfm("rfm") == by_importlib("rfm")
    assert by_rfm("rfm") == [("min-plugin", "min_plugin.plugin:hooks", "min-plugin", "2.0")]


def test_a_zip_on_the_path_is_left_to_importlib(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zp-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zp\nVersion: 1.0\n")
        z.writestr("zp-1.0.dist-info/entry_points.txt", "[rfm]\nzp = zp_plugin\n")
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert by_rfm("rfm") == by_importlib("rfm") == [("zp", "zp_plugin", "zp", "1.0")]


def test_an_entry_point_loads_the_attribute_it_names(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ep_target.py").write_text("class Outer:\n    class Inner:\n        pass\n")
    dist(tmp_path, "ep_target-0.1", "ep-target", "0.1", "[rfm]\nt = ep_target:Outer.Inner\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    (found,) = [ep for ep in entry_points("rfm") if ep.name == "t"]
    assert found.load().__qualname__ == "Outer.Inner"
