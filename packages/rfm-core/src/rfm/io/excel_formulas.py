"""Finding formula cells in an .xlsx sheet, so that rfm never reads a stale cached value.

An .xlsx file stores each formula beside the value Excel last computed for it. A workbook that
a program wrote without calculating carries 0 there, and one edited elsewhere may carry a value
from before its inputs changed. rfm reads values, so a formula cell in a data sheet is refused
with its cell address: save the sheet with values only (Klistra in special → Värden).

The sheet is found through the workbook's relationships and scanned as a stream of XML events;
nothing is evaluated.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse


def _local(tag: str) -> str:
    """A tag's name without its namespace: transitional and Strict Open XML name the same
    elements under different namespaces (Strict: http://purl.oclc.org/ooxml/…)."""
    return tag.rsplit("}", 1)[-1]


def _attribute(element: Any, name: str) -> str:
    """An attribute by local name, whatever its namespace (r:id in either dialect)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return str(value)
    return ""


def formula_cells(path: Path, sheet_index: int) -> Iterator[tuple[str, str]]:
    """(cell address, formula) of every formula in the sheet at ``sheet_index`` (0-based)."""
    for kind, address, formula in scan_sheet(path, sheet_index):
        if kind == "formula":
            yield address, formula


def scan_sheet(path: Path, sheet_index: int) -> Iterator[tuple[str, str, str]]:
    """("formula", address, formula) and ("text", address, "") of the sheet's cells.

    A text cell is one Excel stores as text (``t="s"`` or an inline string): in a column of
    numbers, Swedish Excel keeps "1.234" as text because its decimal sign is a comma.
    """
    with zipfile.ZipFile(path) as book:
        target = _sheet_part(book, sheet_index)
        if target is None:
            return
        with book.open(target) as stream:
            address = ""
            for event, element in iterparse(stream, events=("start", "end")):
                tag = _local(element.tag)
                if event == "start" and tag == "c":
                    address = element.get("r", "")
                    if element.get("t") in ("s", "inlineStr"):
                        yield "text", address, ""
                elif event == "end" and tag == "f":
                    yield "formula", address, "=" + (element.text or "").strip()
                elif event == "end" and tag == "row":
                    element.clear()


def _sheet_part(book: zipfile.ZipFile, index: int) -> str | None:
    """The zip member holding the sheet at ``index`` in the workbook's order."""
    with book.open("xl/workbook.xml") as stream:
        ids = [
            _attribute(element, "id")
            for _, element in iterparse(stream)
            if _local(element.tag) == "sheet"
        ]
    if not 0 <= index < len(ids):
        return None
    with book.open("xl/_rels/workbook.xml.rels") as stream:
        targets = {
            element.get("Id", ""): element.get("Target", "")
            for _, element in iterparse(stream)
            if _local(element.tag) == "Relationship"
        }
    target = targets.get(ids[index], "")
    if not target:
        return None
    part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(part)


def split_address(address: str) -> tuple[str, int]:
    """``"D5"`` → (``"D"``, 5)."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", address)
    if not match:
        return address, 0
    return match.group(1), int(match.group(2))


def column_index(letters: str) -> int:
    """``"A"`` → 0, ``"AB"`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1
