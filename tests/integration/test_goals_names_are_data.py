"""Goal and indicator names that look like formulas stay text in every output of ``rfm goals``.

A tenant file from someone else may label an indicator ``=HYPERLINK(…)``, ``+1``, ``-1`` or
``@SUM(…)`` and name itself ``=cmd|' /C calc'!A0``. In the goals CSV such a cell starts with an
apostrophe (as in rfm's own CSV), in JSON it is the text as written, and in the workbook it is
a text cell: openpyxl finds no formula in it, before and after LibreOffice opens and saves it,
and LibreOffice shows the text as written.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from tests.core.test_workbook import libreoffice
from tests.integration.test_vaggeryd_goals import YEAR

NAME = "=cmd|' /C calc'!A0"
LABELS = [
    '=HYPERLINK("http://example.invalid","klicka")',
    "+1",
    "-1",
    "@SUM(A1:A2)",
]
KPIS = ["U23463", "U23460", "U23461", "U28570"]


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string here


def goals_tenant() -> str:
    indicators = "".join(
        f'[[goals.indicators]]\nkpi = "{kpi}"\ntitle = {toml_string(label)}\ngoals = [1]\n'
        f'program = "771 Äldreomsorg"\ndirection = "higher"\ntarget = ["county"]\n'
        for kpi, label in zip(KPIS, LABELS, strict=True)
    )
    return (
        f'[tenant]\nid = "vaggeryd-formler"\nname = {toml_string(NAME)}\nextends = "vaggeryd"\n'
        '[goals]\nsource = "test"\n[goals.list]\n"1" = "=1+1"\n' + indicators
    )


def test_formula_like_names_never_become_formulas_in_rfm_goals(
    rfm_cli, kolada_env, tenant_file, tmp_path
):
    config = str(tenant_file(goals_tenant()))
    goals = ["goals", "--config", config, "--year", str(YEAR)]

    as_json = rfm_cli(*goals, "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    assert [r["indikator"] for r in json.loads(as_json.stdout)] == LABELS  # data, as written

    as_csv = rfm_cli(*goals, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["indikator"] for r in rows] == ["'" + label for label in LABELS]
    for row in rows:
        for cell in row.values():
            if cell[:1] in ("=", "+", "-", "@"):
                float(cell)  # only a number may start so (a negative value)

    book = tmp_path / "mal.xlsx"
    written = rfm_cli(*goals, "--format", "xlsx", "--out", str(book))
    assert written.exit_code == 0, written.output
    opened = libreoffice([book], tmp_path)[0]  # LibreOffice opens it, recalculates, saves it
    for path in (book, opened):
        sheet = openpyxl.load_workbook(path)["Mål och resurser"]
        formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert formulas == [], (path.name, formulas)
        shown = openpyxl.load_workbook(path, data_only=True)["Mål och resurser"]
        assert shown["A1"].value == f"{NAME}: mål och resurser {YEAR}"
        header = [c.value for c in shown[4]]
        column = header.index("Indikator") + 1
        labels = [shown.cell(row=r, column=column).value for r in range(5, 5 + len(LABELS))]
        assert labels == LABELS, (path.name, labels)
