"""rfm reads the plugins' entry points from the metadata folders as importlib.metadata does."""

from __future__ import annotations

import importlib.metadata as metadata
import os
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
    if group == "rfm":  # the core's own plugin at least (tox's core environment has no other)
        assert "rfm" in {name for name, *_ in by_rfm(group)}


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


def test_two_copies_in_one_folder_the_first_listed_wins(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """importlib.metadata takes the folder's own order (os.listdir), not sorted names: a
    leftover ``rfm_x-1.0.dist-info`` beside ``rfm_x-2.0.dist-info`` is found as it finds it."""
    for attempt in range(20):  # names whose listed order is not their sorted order
        folder = tmp_path / f"site{attempt}"
        stems = [f"Copy_{attempt}-1.0", f"copy_{attempt}-2.0"]
        for stem in stems[::-1] if attempt % 2 else stems:
            version = stem.rpartition("-")[2]
            dist(folder, stem, f"copy-{attempt}", version, f"[rfm]\ncopy = copy_{version[0]}\n")
        listed = [n for n in os.listdir(folder) if n.endswith(".dist-info")]
        if listed != sorted(listed):
            break
    else:
        pytest.fail("no folder listed its entries out of sorted order")
    monkeypatch.setattr(sys, "path", [str(folder)])
    first_version = listed[0].removesuffix(".dist-info").rpartition("-")[2]
    assert by_rfm("rfm") == by_importlib("rfm")
    assert [version for *_, version in by_rfm("rfm")] == [first_version]


def test_entry_points_txt_is_read_as_importlib_reads_it(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Only ``#`` starts a comment; ``[ rfm ]`` is the section " rfm ", not "rfm"."""
    text = "[ rfm ]\nspaced = spaced_plugin\n[rfm]\n; semi = semi_plugin\n# hash = hash_plugin\n"
    dist(tmp_path, "odd_sections-1.0", "odd-sections", "1.0", text)
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert (
        by_rfm("rfm") == by_importlib("rfm") == [("; semi", "semi_plugin", "odd-sections", "1.0")]
    )


def test_name_and_version_are_read_as_the_email_package_reads_them(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Field names in any case; an empty METADATA gives way to PKG-INFO; an ``.egg`` folder on
    the path is found by its EGG-INFO."""
    lower = tmp_path / "site" / "lower-1.0.dist-info"
    lower.mkdir(parents=True)
    (lower / "METADATA").write_text("Metadata-Version: 2.1\nname: Lower\nVERSION: 1.0\n")
    (lower / "entry_points.txt").write_text("[rfm]\nlower = lower_plugin\n")
    empty = tmp_path / "site" / "empty-2.0.egg-info"
    empty.mkdir()
    (empty / "METADATA").write_text("")
    (empty / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: Empty\nVersion: 2.0\n")
    (empty / "entry_points.txt").write_text("[rfm]\nempty = empty_plugin\n")
    egg = tmp_path / "eggy-3.0-py3.11.egg" / "EGG-INFO"
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: Eggy\nVersion: 3.0\n")
    (egg / "entry_points.txt").write_text("[rfm]\neggy = eggy_plugin\n")
    monkeypatch.setattr(
        sys, "path", [str(tmp_path / "site"), str(tmp_path / "eggy-3.0-py3.11.egg")]
    )
    assert by_rfm("rfm") == by_importlib("rfm")
    assert by_rfm("rfm") == [
        ("eggy", "eggy_plugin", "Eggy", "3.0"),
        ("empty", "empty_plugin", "Empty", "2.0"),
        ("lower", "lower_plugin", "Lower", "1.0"),
    ]
