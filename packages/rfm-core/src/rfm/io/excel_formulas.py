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
from xml.etree.ElementTree import iterparse

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def formula_cells(path: Path, sheet_index: int) -> Iterator[tuple[str, str]]:
    """(cell address, formula) of every formula in the sheet at ``sheet_index`` (0-based)."""
    with zipfile.ZipFile(path) as book:
        target = _sheet_part(book, sheet_index)
        if target is None:
            return
        with book.open(target) as stream:
            address = ""
            for event, element in iterparse(stream, events=("start", "end")):
                if event == "start" and element.tag == f"{_MAIN}c":
                    address = element.get("r", "")
                elif event == "end" and element.tag == f"{_MAIN}f":
                    yield address, "=" + (element.text or "").strip()
                elif event == "end" and element.tag == f"{_MAIN}row":
                    element.clear()


def _sheet_part(book: zipfile.ZipFile, index: int) -> str | None:
    """The zip member holding the sheet at ``index`` in the workbook's order."""
    with book.open("xl/workbook.xml") as stream:
        ids = [
            element.get(f"{_REL}id", "")
            for _, element in iterparse(stream)
            if element.tag == f"{_MAIN}sheet"
        ]
    if not 0 <= index < len(ids):
        return None
    with book.open("xl/_rels/workbook.xml.rels") as stream:
        targets = {
            element.get("Id", ""): element.get("Target", "")
            for _, element in iterparse(stream)
            if element.tag == f"{_PKG_REL}Relationship"
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
