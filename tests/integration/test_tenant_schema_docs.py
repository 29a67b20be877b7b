"""docs/tenant-file.schema.json is the schema rfm generates with every plugin of the repository."""

from __future__ import annotations

from pathlib import Path

from rfm.tenants.schema_export import schema_text

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_schema_in_the_docs_is_the_generated_one(rfm_registry):
    assert {"vaggeryd", "stockholm", "ostersund"} <= set(rfm_registry.tenants)
    committed = (DOCS / "tenant-file.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(rfm_registry), (
        "regenerate it: uv run rfm tenants schema --out docs/tenant-file.schema.json"
    )
    assert "tenant-file.schema.json" in (DOCS / "tenant-file.md").read_text(encoding="utf-8")
