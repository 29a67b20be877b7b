"""Reports people read: the Excel workbook with live formulas (more to come: HTML)."""

from __future__ import annotations
